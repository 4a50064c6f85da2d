import { Worker } from "node:worker_threads";
import { built, WORKER_SCRIPT } from "./paths";

/** What a worker thread is started with (its `workerData`). */
export interface WorkerSetup {
  modulePath: string;
  functionName: string;
  /** Two Int32 slots every container of the process shares: the lock around its stdout/stderr writes, and a slot to wait on. */
  stdioLock: SharedArrayBuffer;
}

/** Shared by every container this process starts (see fd-writer.ts). */
const STDIO_LOCK = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);

/** Parent → worker: run the handler once. */
export interface InvokeMessage {
  type: "invoke";
  id: number;
  event: unknown;
  /** Epoch ms by which the invocation must end (context.getRemainingTimeInMillis). */
  deadline: number;
}

/** An error as it crosses the thread boundary: name and message only. */
export interface ErrorSummary {
  name: string;
  message: string;
}

/** Worker → parent. */
export type WorkerMessage =
  | { type: "ready"; initMs: number }
  | { type: "result"; id: number; result: unknown }
  | { type: "failed"; id: number; error: ErrorSummary };

/** How one invocation ended. */
export type InvokeOutcome =
  | { kind: "result"; result: unknown }
  /** The handler threw (or rejected). */
  | { kind: "failed"; error: ErrorSummary }
  /** The container died during the invocation (an uncaught error, an exit). */
  | { kind: "crashed"; error: ErrorSummary }
  /** No answer within the timeout: the container was stopped, as Lambda stops a timed-out one. */
  | { kind: "timeout" };

/** Arguments of {@link Container.start}. */
export interface ContainerOptions {
  /** The function's bundle (a CommonJS module exporting `handler`). */
  modulePath: string;
  /** The function's whole environment: `process.env` inside the container. */
  env: Record<string, string>;
  /** context.functionName. @default "payments-api" */
  functionName?: string;
  /** The worker entry. @default dist/tools/local-api/worker.js */
  workerScript?: string;
}

/** An init (cold start) that failed: the module threw at import, or exports no handler. */
export class InitError extends Error {
  constructor(readonly failure: ErrorSummary) {
    super(`The function failed to initialise: ${failure.name}: ${failure.message}`);
    this.name = "InitError";
  }
}

const summary = (error: unknown): ErrorSummary =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };

/**
 * One Lambda "container": a worker thread with its own instance of the function's module (and
 * so its own module-scope state: config, logger, database connection), serving one invocation
 * at a time.
 */
export class Container {
  private alive = true;
  private nextId = 1;
  private pending: { id: number; settle: (outcome: InvokeOutcome) => void; timer: NodeJS.Timeout } | undefined;

  private constructor(
    private readonly worker: Worker,
    /** How long loading the module took (Lambda's "Init Duration"). */
    readonly initMs: number,
  ) {
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "ready" || message.id !== this.pending?.id) return;
      this.settle(message.type === "result" ? { kind: "result", result: message.result } : { kind: "failed", error: message.error });
    });
    worker.on("error", (error) => {
      this.alive = false;
      this.settle({ kind: "crashed", error: summary(error) });
    });
    worker.on("exit", (code) => {
      this.alive = false;
      this.settle({ kind: "crashed", error: { name: "Exit", message: `the container exited with code ${code}` } });
    });
  }

  /** Starts a container and loads the module in it. @throws InitError when the module fails to load. */
  static start(options: ContainerOptions): Promise<Container> {
    const setup: WorkerSetup = { modulePath: options.modulePath, functionName: options.functionName ?? "payments-api", stdioLock: STDIO_LOCK };
    const worker = new Worker(built(options.workerScript ?? WORKER_SCRIPT, "local-api"), { workerData: setup, env: options.env });
    return new Promise((resolve, reject) => {
      const failed = (error: ErrorSummary) => {
        cleanup();
        void worker.terminate();
        reject(new InitError(error));
      };
      const onMessage = (message: WorkerMessage) => {
        if (message.type !== "ready") return;
        cleanup();
        resolve(new Container(worker, message.initMs));
      };
      const onError = (error: unknown) => failed(summary(error));
      const onExit = (code: number) => failed({ name: "Exit", message: `the container exited with code ${code} during init` });
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  get isBusy(): boolean {
    return this.pending !== undefined;
  }

  /** Runs the handler once. A container serves one invocation at a time: a second concurrent call is a bug. */
  invoke(event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
    if (this.pending) throw new Error("A container serves one invocation at a time");
    if (!this.alive) return Promise.resolve({ kind: "crashed", error: { name: "Exit", message: "the container is stopped" } });
    const id = this.nextId++;
    return new Promise((settle) => {
      const timer = setTimeout(() => {
        this.settle({ kind: "timeout" });
        void this.terminate();
      }, timeoutMs);
      this.pending = { id, settle, timer };
      const message: InvokeMessage = { type: "invoke", id, event, deadline: Date.now() + timeoutMs };
      this.worker.postMessage(message);
    });
  }

  /** Stops the thread; its sockets (the database connection) close with it. */
  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  private settle(outcome: InvokeOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle(outcome);
  }
}
