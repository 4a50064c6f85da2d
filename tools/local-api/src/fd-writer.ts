import { writeSync } from "node:fs";
import { threadId } from "node:worker_threads";

/** A pipe that is full for now (the reader is slow): wait this long, then write again. */
const FULL_PIPE_WAIT_MS = 1;
/** How long one wait for another container's write lasts before looking again. */
const LOCK_WAIT_MS = 10;
const UNLOCKED = 0;
/** The lock's value while thread `id` holds it (the main thread's id is 0, the value for unlocked). */
const heldBy = (id: number) => id + 1;

type WriteCallback = (error?: Error | null) => void;

/** Holds `lock` (an Int32Array over memory every container shares) while `write` runs. */
function whileLocked(lock: Int32Array, write: () => void): void {
  const held = heldBy(threadId);
  for (let holder = Atomics.compareExchange(lock, 0, UNLOCKED, held); holder !== UNLOCKED; holder = Atomics.compareExchange(lock, 0, UNLOCKED, held)) {
    Atomics.wait(lock, 0, holder, LOCK_WAIT_MS);
  }
  try {
    write();
  } finally {
    unlock(lock, held);
  }
}

function unlock(lock: Int32Array, held: number): void {
  if (Atomics.compareExchange(lock, 0, held, UNLOCKED) === held) Atomics.notify(lock, 0, 1);
}

/**
 * Frees `lock` if thread `id` still holds it: call it once that thread has exited. A thread
 * stopped mid-write (worker.terminate(), a host whose invocation timed out) never runs its
 * `finally`, and the lock it held would stop every other host's next log line for good.
 * The line it was writing stays cut short, as a Lambda's last line is when it is stopped.
 */
export function releaseLockOf(lock: Int32Array, id: number): void {
  unlock(lock, heldBy(id));
}

/** Buffered bytes beyond this are written at once rather than at the end of the turn. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * Points a stream of the function at the process's own file descriptor, as a Lambda function's
 * stdout is the runtime's log pipe. A worker thread's process.stdout would otherwise hand every
 * line to the main thread, which writes it: a thread hop per log line that the adapter's event
 * loop, the one serving HTTP, would pay for.
 *
 * - Chunks are gathered and written together: by the returned `flush` (the host calls it before
 *   it answers an invocation, so an invocation's lines come out before the adapter's line about
 *   it), at the end of the event-loop turn, past 64 KiB, and when the thread exits or dies. One
 *   write per invocation instead of one per line: on this project's 2-vCPU machine each write
 *   to the log pipe cost about as much as Powertools formatting the line.
 * - Synchronous, as Node's stdout to a file is; a full non-blocking pipe (EAGAIN) makes this
 *   thread wait, as a Lambda waits on its log pipe.
 * - Each write is whole under `lock`, which every host thread of the process shares: a pipe takes
 *   a write over 4 KiB in pieces, and another thread's line must not land between them. The lock
 *   holds the writer's thread id, so that {@link releaseLockOf} can free it after that thread died.
 * - A descriptor that fails otherwise (EPIPE: the reader went away) is given up, never thrown at
 *   the function: logging must not fail an invocation.
 * @returns flush: writes what is gathered now.
 */
export function writeToFd(stream: NodeJS.WriteStream, fd: number, lock: Int32Array): () => void {
  let failure: Error | undefined;
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let flushScheduled = false;

  const writeAll = (bytes: Uint8Array) =>
    whileLocked(lock, () => {
      for (let offset = 0; offset < bytes.length; ) {
        try {
          offset += writeSync(fd, bytes, offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
            failure = error as Error;
            return;
          }
          Atomics.wait(lock, 1, 0, FULL_PIPE_WAIT_MS);
        }
      }
    });

  const flush = () => {
    if (gatheredBytes === 0) return;
    const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
    if (!failure) writeAll(bytes);
  };

  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback) => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (!failure) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
      gathered.push(bytes);
      gatheredBytes += bytes.length;
      if (gatheredBytes > MAX_BUFFERED_BYTES) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          flush();
        });
      }
    }
    if (done) process.nextTick(done, failure ?? null);
    return true;
  }) as NodeJS.WriteStream["write"];
  process.on("exit", flush);
  process.on("uncaughtExceptionMonitor", flush);
  return flush;
}
