// The entry of one container (a worker thread, bundled to dist/tools/local-api/worker.js): loads
// the function's module once, as Lambda's init phase does, then runs one invocation per message.
import type { Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { parentPort, threadId, workerData } from "node:worker_threads";
import type { InvokeMessage, WorkerMessage, WorkerSetup } from "./container";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error("worker.js runs as a worker thread of the local API");

const post = (message: WorkerMessage) => port.postMessage(message);

/** The Lambda context of one invocation, with the fields Powertools' Logger reads. */
function lambdaContext(deadline: number): Context {
  const functionName = setup.functionName;
  const fail = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    // The function's own setting, from the environment the adapter gives this container.
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/container-${threadId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** A pipe that is full for now (the reader is slow): wait this long, then write again. */
const FULL_PIPE_WAIT_MS = 1;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Points a stream of the function at the process's own file descriptor, as a Lambda function's
 * stdout is the runtime's log pipe. A worker thread's process.stdout would otherwise hand every
 * line to the main thread, which writes it: a thread hop per log line that the adapter's event
 * loop, the one serving HTTP, would pay for. Synchronous, as Node's stdout to a file is; a full
 * non-blocking pipe (EAGAIN) makes this container wait, as a Lambda waits on its log pipe.
 */
function writeToFd(stream: NodeJS.WriteStream, fd: number): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    const done = typeof encoding === "function" ? encoding : callback;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
    for (let offset = 0; offset < bytes.length; ) {
      try {
        offset += writeSync(fd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
        Atomics.wait(pause, 0, 0, FULL_PIPE_WAIT_MS);
      }
    }
    if (done) process.nextTick(done);
    return true;
  }) as NodeJS.WriteStream["write"];
}
writeToFd(process.stdout, 1);
writeToFd(process.stderr, 2);

const started = performance.now();
const loaded = createRequire(setup.modulePath)(setup.modulePath) as { handler?: unknown };
if (typeof loaded.handler !== "function") throw new Error(`${setup.modulePath} does not export a handler function`);
const handler = loaded.handler as Handler;
post({ type: "ready", initMs: performance.now() - started });

async function invoke(message: InvokeMessage): Promise<void> {
  try {
    const result = await handler(message.event, lambdaContext(message.deadline));
    post({ type: "result", id: message.id, result });
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : { name: "Error", message: String(error) };
    post({ type: "failed", id: message.id, error: { name, message: text } });
  }
}

port.on("message", (message: InvokeMessage) => void invoke(message));
