import { Pool } from "undici";
import { DEFAULT_MERCHANT } from "../cli-args";

/** Arguments of {@link postPayments}. */
export interface LoadOptions {
  /** http://127.0.0.1:<port>; any other host is refused. */
  baseUrl: string;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency: number;
  /** Stop issuing after this long. At most 60 s. */
  durationMs: number;
  /** Stop issuing after this many requests. */
  maxRequests: number;
  /** Makes each run's Idempotency-Keys unique: `<prefix>-<n>`. */
  keyPrefix: string;
  /** Sent as `Authorization: Bearer <apiKey>`: the serving process's key of {@link BENCH_MERCHANT}. */
  apiKey: string;
}

/** What a load run measured. */
export interface LoadResult {
  /** 201 answers. */
  created: number;
  /** Any other answer, or no answer. */
  failed: number;
  /** Answers by status (0: no answer). */
  statuses: Record<number, number>;
  /** From the first request to the last answer. */
  elapsedMs: number;
  /** Latencies of the 201 answers, in ms. */
  latenciesMs: number[];
}

const MAX_LOAD_DURATION_MS = 60_000;

/** The merchant of every benchmark payment: the serving process's local merchant (its API key's), and pgbench's. */
export const BENCH_MERCHANT = DEFAULT_MERCHANT;

/** The body of every benchmark payment (the README's example; the merchant comes from the API key). */
export const BENCH_PAYMENT = { amount: 1050, currency: "EUR", reference: "order-1001", description: "Two coffees" };

/**
 * POST /payments with the API key and a fresh Idempotency-Key each, from `concurrency` closed loops
 * over as many keep-alive connections, bounded in time and count. The client is undici's pool:
 * the load generator shares the machine's vCPUs with what it measures, and undici spends about
 * half the CPU per request of node:http's client (as pgbench's C client spends little of its own).
 */
export async function postPayments(options: LoadOptions): Promise<LoadResult> {
  if (options.durationMs > MAX_LOAD_DURATION_MS) throw new Error(`a load run lasts at most ${MAX_LOAD_DURATION_MS} ms`);
  const target = new URL(options.baseUrl);
  if (target.protocol !== "http:" || target.hostname !== "127.0.0.1") throw new Error(`only http://127.0.0.1 is allowed, not ${target.origin}`);
  const pool = new Pool(target.origin, { connections: options.concurrency, pipelining: 1 });
  const body = JSON.stringify(BENCH_PAYMENT);
  const authorization = `Bearer ${options.apiKey}`;
  const result: LoadResult = { created: 0, failed: 0, statuses: {}, elapsedMs: 0, latenciesMs: [] };
  const started = performance.now();
  const stopAt = started + options.durationMs;
  let issued = 0;

  async function loop(): Promise<void> {
    while (performance.now() < stopAt && issued < options.maxRequests) {
      const key = `${options.keyPrefix}-${issued++}`;
      const sent = performance.now();
      let status = 0;
      try {
        const response = await pool.request({
          path: "/payments",
          method: "POST",
          headers: { authorization, "content-type": "application/json", "idempotency-key": key },
          body,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        await response.body.dump();
        status = response.statusCode;
      } catch {
        status = 0;
      }
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === 201) {
        result.created++;
        result.latenciesMs.push(performance.now() - sent);
      } else result.failed++;
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    await pool.close();
  }
  result.elapsedMs = performance.now() - started;
  return result;
}
