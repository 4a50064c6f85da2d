import { Worker } from "node:worker_threads";
import { releaseLockOf } from "./fd-writer";
import { built, WORKER_SCRIPT } from "./paths";

/** What a host thread is started with (its `workerData`). */
export interface HostSetup {
  modulePath: string;
  functionName: string;
  /** Two Int32 slots every host of the process shares: the lock around its stdout/stderr writes, and a slot to wait on. */
  stdioLock: SharedArrayBuffer;
}

/** Shared by every host this process starts (see fd-writer.ts). */
const STDIO_LOCK = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
const stdioLock = new Int32Array(STDIO_LOCK);

/** Parent → host. */
export type HostMessage =
  /** Start container `slot`: a new instance of the function's module (its init). */
  | { type: "load"; slot: number }
  /**
   * Run container `slot`'s handler once with `eventJson`, the event as JSON: Lambda hands the
   * runtime JSON too. `deadline` (epoch ms) is context.getRemainingTimeInMillis's.
   */
  | { type: "invoke"; slot: number; id: number; eventJson: string; deadline: number };

/** An error as it crosses the thread boundary: name and message only. */
export interface ErrorSummary {
  name: string;
  message: string;
}

/** Host → parent. */
export type HostReply =
  | { type: "loaded"; slot: number; initMs: number }
  | { type: "load-failed"; slot: number; error: ErrorSummary }
  /** The handler's result as JSON, as Lambda serialises it (`null` for undefined). */
  | { type: "result"; slot: number; id: number; resultJson: string }
  | { type: "failed"; slot: number; id: number; error: ErrorSummary };

/** How one invocation ended. */
export type InvokeOutcome =
  | { kind: "result"; result: unknown }
  /** The handler threw (or rejected). */
  | { kind: "failed"; error: ErrorSummary }
  /** The container died during the invocation (an uncaught error or an exit on its host, or another container's timeout there). */
  | { kind: "crashed"; error: ErrorSummary }
  /** No answer within the timeout: the container was stopped, as Lambda stops a timed-out one. */
  | { kind: "timeout" };

/** Arguments of {@link Host.start}. */
export interface HostOptions {
  /** The function's bundle (a CommonJS module exporting `handler`). */
  modulePath: string;
  /** The function's whole environment: `process.env` inside its containers. */
  env: Record<string, string>;
  /** context.functionName. @default "payments-api" */
  functionName?: string;
  /** The host thread's entry. @default dist/tools/local-api/worker.js */
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
 * A worker thread that holds containers of one function: each container is its own instance of
 * the function's module (its own module-scope state: config, logger, database connection),
 * serving one invocation at a time. Containers on one host share its thread and its V8 isolate,
 * so the bundle is compiled and optimised once per host instead of once per container; like
 * the containers of one machine, they also share its fate: an uncaught error, an exit or a
 * timeout stops the host with every container on it.
 */
export class Host {
  private alive = true;
  private nextSlot = 1;
  private readonly loading = new Map<number, { resolve(container: Container): void; reject(error: InitError): void }>();
  private readonly containers = new Map<number, Container>();

  private constructor(private readonly worker: Worker) {
    // Read now: worker.threadId is -1 once the thread has stopped (in every "exit" listener).
    const threadId = worker.threadId;
    worker.on("message", (reply: HostReply) => this.receive(reply));
    worker.on("error", (error) => this.died(summary(error)));
    worker.on("exit", (code) => {
      // A thread terminated mid-write still holds the other hosts' stdout lock.
      releaseLockOf(stdioLock, threadId);
      this.died({ name: "Exit", message: `its host thread exited with code ${code}` });
    });
  }

  /** Starts a host thread, with no container yet. */
  static start(options: HostOptions): Host {
    const setup: HostSetup = { modulePath: options.modulePath, functionName: options.functionName ?? "payments-api", stdioLock: STDIO_LOCK };
    return new Host(new Worker(built(options.workerScript ?? WORKER_SCRIPT, "local-api"), { workerData: setup, env: options.env }));
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Containers running on this host. */
  get size(): number {
    return this.containers.size + this.loading.size;
  }

  /** Starts a container on this host: a new instance of the module. @throws InitError when the module fails to load. */
  load(): Promise<Container> {
    if (!this.alive) return Promise.reject(new InitError({ name: "Exit", message: "the host is stopped" }));
    const slot = this.nextSlot++;
    return new Promise((resolve, reject) => {
      this.loading.set(slot, { resolve, reject });
      this.post({ type: "load", slot });
    });
  }

  /** Stops the thread; its containers' sockets (their database connections) close with it. */
  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  /** @internal for {@link Container} */
  post(message: HostMessage): void {
    this.worker.postMessage(message);
  }

  private receive(reply: HostReply): void {
    if (reply.type === "loaded" || reply.type === "load-failed") {
      const loading = this.loading.get(reply.slot);
      if (!loading) return;
      this.loading.delete(reply.slot);
      if (reply.type === "load-failed") {
        // What the failed init started (timers, sockets) must not outlive it on an otherwise empty host.
        if (this.size === 0) void this.terminate();
        return loading.reject(new InitError(reply.error));
      }
      const container = new Container(this, reply.slot, reply.initMs);
      this.containers.set(reply.slot, container);
      return loading.resolve(container);
    }
    this.containers.get(reply.slot)?.settleFor(reply.id, reply.type === "result" ? { kind: "result", result: JSON.parse(reply.resultJson) } : { kind: "failed", error: reply.error });
  }

  private died(error: ErrorSummary): void {
    this.alive = false;
    for (const loading of this.loading.values()) loading.reject(new InitError({ name: error.name, message: `${error.message} during init` }));
    this.loading.clear();
    for (const container of this.containers.values()) container.stopped(error);
    this.containers.clear();
  }
}

/**
 * One Lambda "container": an instance of the function's module on a {@link Host}, serving one
 * invocation at a time.
 */
export class Container {
  private alive = true;
  private nextId = 1;
  private pending: { id: number; settle: (outcome: InvokeOutcome) => void; timer: NodeJS.Timeout } | undefined;

  /** @internal created by {@link Host.load} */
  constructor(
    private readonly host: Host,
    private readonly slot: number,
    /** How long loading the module took (Lambda's "Init Duration"). */
    readonly initMs: number,
  ) {}

  get isAlive(): boolean {
    return this.alive && this.host.isAlive;
  }

  /** Runs the handler once. A container serves one invocation at a time: a second concurrent call is a bug. */
  invoke(event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
    if (this.pending) throw new Error("A container serves one invocation at a time");
    if (!this.isAlive) return Promise.resolve({ kind: "crashed", error: { name: "Exit", message: "the container is stopped" } });
    const id = this.nextId++;
    return new Promise((settle) => {
      const timer = setTimeout(() => {
        this.settle({ kind: "timeout" });
        void this.host.terminate();
      }, timeoutMs);
      this.pending = { id, settle, timer };
      this.host.post({ type: "invoke", slot: this.slot, id, eventJson: JSON.stringify(event), deadline: Date.now() + timeoutMs });
    });
  }

  /** @internal the host's answer to invocation `id` */
  settleFor(id: number, outcome: InvokeOutcome): void {
    if (id === this.pending?.id) this.settle(outcome);
  }

  /** @internal its host stopped */
  stopped(error: ErrorSummary): void {
    this.alive = false;
    this.settle({ kind: "crashed", error });
  }

  private settle(outcome: InvokeOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle(outcome);
  }
}
