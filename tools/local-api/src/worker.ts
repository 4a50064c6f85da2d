// The entry of one container (a worker thread, bundled to dist/tools/local-api/worker.js): loads
// the function's module once, as Lambda's init phase does, then runs one invocation per message.
import type { Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { parentPort, threadId, workerData } from "node:worker_threads";
import type { InvokeMessage, WorkerMessage, WorkerSetup } from "./container";
import { writeToFd } from "./fd-writer";

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

const stdioLock = new Int32Array(setup.stdioLock);
writeToFd(process.stdout, 1, stdioLock);
writeToFd(process.stderr, 2, stdioLock);

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
