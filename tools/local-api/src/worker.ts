// The entry of one host thread (bundled to dist/tools/local-api/worker.js): compiles the
// function's module once, then loads one instance of it per container, as Lambda's init phase
// does in each environment, and runs one invocation per message on the container it names.
import type { Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { compileFunction, constants } from "node:vm";
import { parentPort, threadId, workerData } from "node:worker_threads";
import type { HostMessage, HostReply, HostSetup } from "./container";
import { writeToFd } from "./fd-writer";

type Handler = (event: unknown, context: Context) => Promise<unknown>;
/** The CommonJS wrapper's parameters, as Node passes them to a module. */
type ModuleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

const setup = workerData as HostSetup;
const port = parentPort;
if (!port) throw new Error("worker.js runs as a worker thread of the local API");

/** Its containers' stdout and stderr: gathered per turn, written before each answer (see fd-writer.ts). */
const stdioLock = new Int32Array(setup.stdioLock);
const flushStdout = writeToFd(process.stdout, 1, stdioLock);
const flushStderr = writeToFd(process.stderr, 2, stdioLock);

const post = (reply: HostReply) => {
  flushStdout();
  flushStderr();
  port.postMessage(reply);
};
const summary = (error: unknown) => (error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) });

/** The Lambda context of one invocation, with the fields Powertools' Logger reads. */
function lambdaContext(slot: number, deadline: number): Context {
  const functionName = setup.functionName;
  const fail = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    // The function's own setting, from the environment the adapter gives this host.
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/host-${threadId}/container-${slot}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

// Compiled once: every instance runs the same function, so V8 compiles and optimises its code
// once for all of this host's containers. Externals (the AWS SDK) resolve as from the bundle's folder.
let compiled: ModuleFunction | undefined;
const requireFromBundle = createRequire(setup.modulePath);
const handlers = new Map<number, Handler>();

function load(slot: number): void {
  const started = performance.now();
  try {
    compiled ??= compileFunction(readFileSync(setup.modulePath, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], {
      filename: setup.modulePath,
      // The bundle import()s the AWS SDK on first use, as Node would from the file itself.
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as ModuleFunction;
    const module = { exports: {} as { handler?: unknown } };
    compiled.call(module.exports, module.exports, requireFromBundle, module, setup.modulePath, dirname(setup.modulePath));
    if (typeof module.exports.handler !== "function") throw new Error(`${setup.modulePath} does not export a handler function`);
    handlers.set(slot, module.exports.handler as Handler);
    post({ type: "loaded", slot, initMs: performance.now() - started });
  } catch (error) {
    post({ type: "load-failed", slot, error: summary(error) });
  }
}

async function invoke(message: Extract<HostMessage, { type: "invoke" }>): Promise<void> {
  const { slot, id } = message;
  try {
    const result = await handlers.get(slot)!(JSON.parse(message.eventJson), lambdaContext(slot, message.deadline));
    post({ type: "result", slot, id, resultJson: JSON.stringify(result) ?? "null" });
  } catch (error) {
    post({ type: "failed", slot, id, error: summary(error) });
  }
}

port.on("message", (message: HostMessage) => (message.type === "load" ? load(message.slot) : void invoke(message)));
