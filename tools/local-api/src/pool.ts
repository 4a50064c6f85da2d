import { availableParallelism } from "node:os";
import { Host, InitError, type Container, type HostOptions, type InvokeOutcome } from "./container";

/** Arguments of {@link ContainerPool}. */
export interface PoolOptions extends HostOptions {
  /** How many containers run at once: the function's concurrency. @default 1 */
  size?: number;
  /**
   * Host threads the containers are spread over. More threads than vCPUs only add V8 isolates
   * that compete for them: 8 isolates on 2 vCPUs spent about twice the CPU per payment of 2.
   * @default min(size, os.availableParallelism())
   */
  threads?: number;
  /** Containers started by {@link ContainerPool.start}; the others start when a request needs one. @default size */
  prestart?: number;
  /** An invocation's budget: the function's timeout, after which its container is stopped. */
  timeoutMs: number;
  /** Requests waiting for a free container beyond this many are refused (429). @default 1000 */
  maxQueue?: number;
  /** Told about each container start (cold start). */
  onColdStart?(initMs: number): void;
}

/** How the pool is doing; tests read it to see queueing. */
export interface PoolStats {
  size: number;
  /** Containers running (idle or busy). */
  containers: number;
  /** Host threads running. */
  threads: number;
  busy: number;
  /** Requests waiting for a container. */
  queued: number;
  /** Invocations finished since start. */
  served: number;
}

/** An invocation that never reached a container. */
export type PoolRefusal = { kind: "throttled" } | { kind: "init-failed"; error: InitError };

/** The queue is full. */
class Throttled extends Error {}

interface Waiter {
  resolve(container: Container): void;
  reject(error: unknown): void;
}

/**
 * Lambda's concurrency model, locally: up to `size` containers, each serving one request at a
 * time; a request waits (FIFO) for a free container. Containers are spread over up to `threads`
 * host threads, a new one on the host with the fewest. A container that crashed or timed out is
 * dropped (with the others on its host), and a new one is started (a cold start) when a request
 * needs it.
 */
export class ContainerPool {
  private readonly size: number;
  private readonly threads: number;
  private readonly hosts: Host[] = [];
  private readonly maxQueue: number;
  private readonly containers = new Set<Container>();
  private readonly idle: Container[] = [];
  private readonly waiters: Waiter[] = [];
  private starting = 0;
  private served = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.size = options.size ?? 1;
    this.maxQueue = options.maxQueue ?? 1000;
    this.threads = options.threads ?? Math.min(this.size, availableParallelism());
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error("The pool needs at least one container");
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new Error("The pool needs at least one thread");
  }

  /** Starts the containers to start up front (at least one), so a bad environment fails here, once. @throws InitError */
  async start(): Promise<void> {
    const count = Math.min(this.size, Math.max(1, this.options.prestart ?? this.size));
    const started = await Promise.allSettled(Array.from({ length: count }, () => this.startContainer()));
    const failure = started.find((outcome) => outcome.status === "rejected");
    for (const outcome of started) if (outcome.status === "fulfilled") this.idle.push(outcome.value);
    if (failure) {
      await this.close();
      throw failure.reason;
    }
  }

  /** Runs one invocation on a free container, waiting for one if all are busy. */
  async invoke(event: unknown): Promise<InvokeOutcome | PoolRefusal> {
    let container: Container;
    try {
      container = await this.acquire();
    } catch (error) {
      if (error instanceof InitError) return { kind: "init-failed", error };
      if (error instanceof Throttled) return { kind: "throttled" };
      throw error;
    }
    try {
      return await container.invoke(event, this.options.timeoutMs);
    } finally {
      this.served++;
      this.release(container);
    }
  }

  stats(): PoolStats {
    // Idle containers whose host stopped are dropped at the next acquire; they are not counted meanwhile.
    const alive = [...this.containers].filter((container) => container.isAlive);
    const busy = alive.filter((container) => !this.idle.includes(container)).length;
    return { size: this.size, containers: alive.length, threads: this.liveHosts().length, busy, queued: this.waiters.length, served: this.served };
  }

  /** Stops every container; waiting requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error("The local API is shutting down"));
    this.idle.length = 0;
    await Promise.all(this.hosts.splice(0).map((host) => host.terminate()));
    this.containers.clear();
  }

  private liveHosts(): Host[] {
    const live = this.hosts.filter((host) => host.isAlive);
    this.hosts.splice(0, this.hosts.length, ...live);
    return live;
  }

  /** The host for a new container: a new one while there are fewer than `threads`, else the least loaded. */
  private hostForNewContainer(): Host {
    const hosts = this.liveHosts();
    if (hosts.length < this.threads) {
      const host = Host.start(this.options);
      this.hosts.push(host);
      return host;
    }
    return hosts.reduce((least, host) => (host.size < least.size ? host : least));
  }

  private async startContainer(): Promise<Container> {
    this.starting++;
    try {
      const container = await this.hostForNewContainer().load();
      if (this.closed) throw new Error("The local API is shutting down");
      this.containers.add(container);
      this.options.onColdStart?.(container.initMs);
      return container;
    } finally {
      this.starting--;
    }
  }

  private acquire(): Promise<Container> {
    if (this.closed) return Promise.reject(new Error("The local API is shutting down"));
    // An idle container stops with its host (another container's crash or timeout there).
    for (let idle = this.idle.pop(); idle; idle = this.idle.pop()) {
      if (idle.isAlive) return Promise.resolve(idle);
      this.containers.delete(idle);
    }
    if (this.containers.size + this.starting < this.size) return this.startContainer();
    if (this.waiters.length >= this.maxQueue) return Promise.reject(new Throttled());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(container: Container): void {
    if (this.closed) return;
    if (!container.isAlive) {
      this.containers.delete(container);
      const waiter = this.waiters.shift();
      if (waiter) this.startContainer().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(container);
    else this.idle.push(container);
  }
}
