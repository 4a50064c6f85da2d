import type { Logger } from "@aws-lambda-powertools/logger";
import type { ClientBase, ClientConfig } from "pg";
import { loggableError } from "../observability/logger";
import { DatabaseUnavailableError, failureReason, isAuthenticationFailure, isConnectTimeout, isSpentConnection, isTransientDatabaseError } from "./errors";
import { Client } from "./pg-client";

/**
 * How long a connection being closed may take to say goodbye (Terminate, then the server's FIN)
 * before its socket is destroyed. A graceful end waits for the server's side of the socket to
 * close: in a network black hole (a partition, the old writer's address gone after a failover)
 * that answer never comes, and TCP gives up only after its retransmissions, some 15 minutes.
 */
export const CLOSE_GRACE_MS = 1_000;

/**
 * How long work whose {@link UseOptions.signal} had already aborted when it began (the budget ran
 * out while it connected or waited its turn) may run before it is cut. Enough for a probe's few
 * statements on a connection just opened, so a cold container's slow first connect still gets its
 * answer; short, so work hung there does not hold the uses queued behind it until the statement timeout.
 */
export const ABORTED_BEFORE_START_ALLOWANCE_MS = 1_000;

/** Arguments of {@link Connection}. */
export interface ConnectionOptions {
  /** For logs: "writer", "reader" or "database". */
  name: string;
  /** The client config, built at each (re)connect: credentials may have changed. */
  config(): Promise<ClientConfig>;
  /** Called when the server refuses the credentials, before one more try. */
  onAuthenticationFailure?(): void;
  /**
   * A kept connection this old is closed before its next use, and a new one opened, which
   * resolves the endpoint again. A connection stays with the server it first reached: after a
   * failover forced while the old writer was still up and writable (AWS fences it only on a best
   * effort), one kept from before would keep writing there, and those writes are lost. This
   * bounds how long. @default no limit
   */
  maxAgeMs?: number;
  /**
   * After a connect that timed out, uses fail at once (503) for this long instead of each waiting
   * out the connect timeout again; a fresh use ({@link UseOptions.fresh}) still tries. See
   * WRITER_UNREACHABLE_BACKOFF_MS. @default 0 (every use tries)
   */
  unreachableBackoffMs?: number;
  logger: Logger;
}

/** How {@link Connection.use} runs one piece of work. */
export interface UseOptions {
  /**
   * Run the work once more on a new connection when a kept one turns out spent: closed by the
   * server or the network while the container was frozen (a switchover ends every session), or
   * holding statements a migration made stale. Only for work that is safe to run twice and whose
   * caller has time for a reconnect: the API's requests, so that each warm container does not
   * answer its first request after such an event with a 503. A payment is recorded once under its
   * Idempotency-Key: if the first run committed before its answer was lost, the second answers it
   * as a replay, as a client's own retry would get. Not for /health (one check within 1 s; the
   * next one reconnects) nor for work that counts what it did (the key cleanup). @default false
   */
  retrySpentConnection?: boolean;
  /**
   * Run the work on a connection opened for it and closed after it. A kept connection stays with
   * the server it first reached; a new one resolves the endpoint again, so after a failover the
   * global writer endpoint's new cluster is what the work reaches. For the primary's /health
   * asking that endpoint: a kept connection to an old writer still up and writable (fencing is
   * best effort) would keep answering healthy. @default false
   */
  fresh?: boolean;
  /**
   * Ends the work if it is still running when `signal` aborts: its connection is closed
   * mid-query, as {@link Connection.interrupt} does, but the uses queued behind it are not failed:
   * they get a new connection. For /health's budget: a kept connection gone silent would
   * otherwise hold every later check behind it until the statement timeout. Work that has not
   * begun by then (still connecting, or queued) runs all the same, so a cold container's slow first
   * connect is kept and its late answer recorded, but is cut in turn once it has run
   * {@link ABORTED_BEFORE_START_ALLOWANCE_MS} without settling. @default none
   */
  signal?: AbortSignal;
}

/**
 * One PostgreSQL connection, opened on first use and kept across invocations (one per Lambda
 * container). A transient failure — refused, timed out, read-only, terminated — discards it, so
 * the next request reconnects (and re-resolves DNS: after a switchover the global writer
 * endpoint names another cluster). Uses are serialised: a Lambda container runs one invocation
 * at a time, and this keeps two transactions from ever sharing the connection anyway.
 */
export class Connection {
  private client: Client | undefined;
  /** When {@link client} connected (Date.now()). */
  private openedAt = 0;
  /** Until when (Date.now()) uses fail without trying: a connect timed out just before. */
  private unreachableUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Counts {@link interrupt}s: a use asked for before one never runs its work after it. */
  private interruptions = 0;

  constructor(private readonly options: ConnectionOptions) {}

  /** True while a connection is open (tests use it to see reuse and discards). */
  get isOpen(): boolean {
    return this.client !== undefined;
  }

  /**
   * Runs `work` on the connected client.
   * @throws DatabaseUnavailableError when connecting fails or `work` fails transiently (and was
   * not run again on a new connection, {@link UseOptions.retrySpentConnection}).
   */
  use<T>(work: (client: ClientBase) => Promise<T>, options: UseOptions = {}): Promise<T> {
    const interruptions = this.interruptions;
    const result = this.queue.then(() =>
      options.fresh ? this.runFresh(work, interruptions, options.signal) : this.run(work, interruptions, options.retrySpentConnection ?? false, options.signal),
    );
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Ends the connection now, even mid-query: the server rolls back what was in flight, and the
   * use that was running fails with it. For a request out of time, which must not leave a
   * transaction open in a container Lambda is about to freeze.
   */
  interrupt(reason: string): void {
    this.interruptions++;
    if (this.client) this.cut(this.client, reason);
  }

  /** Closes the connection (migrate and cleanup functions, tests), in at most {@link CLOSE_GRACE_MS}. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await endWithin(client, CLOSE_GRACE_MS);
  }

  private async run<T>(work: (client: ClientBase) => Promise<T>, interruptions: number, retrySpent: boolean, signal?: AbortSignal, fresh = false): Promise<T> {
    const { maxAgeMs } = this.options;
    // Let go of a connection that old, without waiting for its goodbye: nothing more is sent on it,
    // and over a network that drops everything the wait would hold this use and every one queued
    // behind it until TCP gave up (a container answering 503s long after the network is back).
    if (this.client && maxAgeMs !== undefined && Date.now() - this.openedAt >= maxAgeMs) void this.close();
    const kept = this.client !== undefined;
    const client = await this.connect(fresh);
    // Interrupted while it waited (for the secret, the connect, or its turn): the request that
    // asked has already answered, so its work must not run now, in some later invocation.
    if (interruptions !== this.interruptions) throw new DatabaseUnavailableError("interrupted");
    const abort = () => this.cut(client, "aborted");
    // An abort listener added after the abort never fires: work begun past the budget gets a short
    // allowance instead, then is cut as work running at the abort is.
    const late = signal?.aborted ? setTimeout(abort, ABORTED_BEFORE_START_ALLOWANCE_MS) : undefined;
    if (!late) signal?.addEventListener("abort", abort, { once: true });
    try {
      return await work(client);
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      this.discard(client, error);
      // Once: the connection is discarded, so the second run opens a new one and is not `kept`.
      if (retrySpent && kept && isSpentConnection(error) && interruptions === this.interruptions && !signal?.aborted) {
        this.options.logger.info("Retrying on a new connection", { connection: this.options.name });
        return this.run(work, interruptions, retrySpent, signal);
      }
      throw error instanceof DatabaseUnavailableError ? error : new DatabaseUnavailableError(failureReason(error), { cause: error });
    } finally {
      clearTimeout(late);
      signal?.removeEventListener("abort", abort);
    }
  }

  private async runFresh<T>(work: (client: ClientBase) => Promise<T>, interruptions: number, signal?: AbortSignal): Promise<T> {
    await this.close();
    try {
      return await this.run(work, interruptions, false, signal, true);
    } finally {
      await this.close();
    }
  }

  /** The open client, or a new one; within the backoff after a timed-out connect, none unless `tryAnyway`. */
  private async connect(tryAnyway: boolean): Promise<Client> {
    if (this.client) return this.client;
    if (!tryAnyway && Date.now() < this.unreachableUntil) throw new DatabaseUnavailableError("unreachable");
    try {
      return await this.open();
    } catch (error) {
      if (!isAuthenticationFailure(error) || !this.options.onAuthenticationFailure) throw this.connectFailed(error);
      // Credentials rotated since we cached them: fetch them again, once.
      this.options.onAuthenticationFailure();
      try {
        return await this.open();
      } catch (retryError) {
        throw this.connectFailed(retryError);
      }
    }
  }

  private async open(): Promise<Client> {
    const client = new Client(await this.options.config());
    // An idle connection can fail between invocations; without a listener that would crash the process.
    client.on("error", (error) => this.discard(client, error));
    client.on("end", () => {
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.openedAt = Date.now();
    this.unreachableUntil = 0;
    return client;
  }

  private connectFailed(error: unknown): DatabaseUnavailableError {
    const backoffMs = this.options.unreachableBackoffMs ?? 0;
    if (backoffMs > 0 && isConnectTimeout(error)) this.unreachableUntil = Date.now() + backoffMs;
    this.options.logger.warn("Database connect failed", { connection: this.options.name, error: loggableError(error) });
    return new DatabaseUnavailableError(failureReason(error), { cause: error });
  }

  /** Discards `client` and closes its socket now, failing what it has in flight. */
  private cut(client: Client, reason: string): void {
    this.discard(client, new DatabaseUnavailableError(reason));
    // end() alone waits for pipelined statements already sent; closing the socket fails them now,
    // and the server, checking on its client (client_connection_check_interval), rolls back.
    client.connection.stream.destroy();
  }

  private discard(client: Client, error: unknown): void {
    if (this.client === client) {
      this.client = undefined;
      this.options.logger.warn("Database connection discarded", { connection: this.options.name, error: loggableError(error) });
    }
    void endWithin(client, CLOSE_GRACE_MS);
  }
}

/** Ends `client` gracefully, or destroys its socket once `graceMs` have passed without the server's answer. */
function endWithin(client: Client, graceMs: number): Promise<void> {
  const timer = setTimeout(() => client.connection.stream.destroy(), graceMs);
  // A goodbye still pending when Lambda freezes the container must not keep a process alive elsewhere (tests, scripts).
  timer.unref();
  return client
    .end()
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}
