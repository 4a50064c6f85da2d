import { writeSync } from "node:fs";

/** A pipe that is full for now (the reader is slow): wait this long, then write again. */
const FULL_PIPE_WAIT_MS = 1;
/** How long one wait for another container's write lasts before looking again. */
const LOCK_WAIT_MS = 10;
const UNLOCKED = 0;
const LOCKED = 1;

type WriteCallback = (error?: Error | null) => void;

/** Holds `lock` (an Int32Array over memory every container shares) while `write` runs. */
function whileLocked(lock: Int32Array, write: () => void): void {
  while (Atomics.compareExchange(lock, 0, UNLOCKED, LOCKED) !== UNLOCKED) Atomics.wait(lock, 0, LOCKED, LOCK_WAIT_MS);
  try {
    write();
  } finally {
    Atomics.store(lock, 0, UNLOCKED);
    Atomics.notify(lock, 0, 1);
  }
}

/**
 * Points a stream of the function at the process's own file descriptor, as a Lambda function's
 * stdout is the runtime's log pipe. A worker thread's process.stdout would otherwise hand every
 * line to the main thread, which writes it: a thread hop per log line that the adapter's event
 * loop, the one serving HTTP, would pay for.
 *
 * - Synchronous, as Node's stdout to a file is; a full non-blocking pipe (EAGAIN) makes this
 *   container wait, as a Lambda waits on its log pipe.
 * - Each chunk is written whole under `lock`, which every container of the process shares: a pipe
 *   takes a write over 4 KiB in pieces, and another container's line must not land between them.
 * - A descriptor that fails otherwise (EPIPE: the reader went away) is given up, never thrown at
 *   the function: logging must not fail an invocation.
 */
export function writeToFd(stream: NodeJS.WriteStream, fd: number, lock: Int32Array): void {
  let failure: Error | undefined;
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback) => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (!failure) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
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
    }
    if (done) process.nextTick(done, failure ?? null);
    return true;
  }) as NodeJS.WriteStream["write"];
}
