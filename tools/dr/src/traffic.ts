import { randomUUID } from "node:crypto";
import { SESSION_KEY_ATTRIBUTE, sessionId } from "@payments-dr/payment-lambda";
import type { Context } from "./context";
import { request } from "./http";

export interface PaymentAttempt {
  idempotencyKey: string;
  sentAt: string;
  httpStatus: number | null;
  /** The payment id when the API acknowledged it (201, or 200 on an idempotent replay). */
  paymentId?: string;
  error?: string;
}

export interface TrafficOptions {
  /** Payments per second at most (requests are sequential, so never more than one in flight). */
  ratePerSecond: number;
  /** Hard cap on payments sent. */
  maxPayments: number;
  /** Hard cap on the time sending, seconds. */
  maxSeconds: number;
  /** The API key of the merchant the drill pays as (one kept for drills, e.g. `dr-drill`). */
  apiKey: string;
}

/** A test payment of the DR commands: a small amount, with a reference and description that say where it came from. */
export interface TestPayment {
  idempotencyKey: string;
  reference: string;
  description: string;
}

/** The drill merchant's credentials, on every request. */
const authorization = (apiKey: string) => ({ Authorization: `Bearer ${apiKey}` });

/**
 * POSTs one test payment to `baseUrl`/payments as the drill merchant (`apiKey`) and records what
 * the API answered: a payment id on 201 (or 200, an idempotent replay).
 */
export async function postTestPayment(ctx: Context, baseUrl: string, payment: TestPayment, options: Pick<TrafficOptions, "apiKey">): Promise<PaymentAttempt> {
  const sentAt = ctx.clock.now().toISOString();
  const result = await request(
    ctx.fetch,
    `${baseUrl}/payments`,
    { method: "POST", headers: { ...authorization(options.apiKey), "Content-Type": "application/json", "Idempotency-Key": payment.idempotencyKey }, body: JSON.stringify({ amount: 100, currency: "EUR", reference: payment.reference, description: payment.description }) },
    ctx.paymentTimeoutMs,
  );
  const paymentId = result.status === 201 || result.status === 200 ? idOf(result.body) : undefined;
  return {
    idempotencyKey: payment.idempotencyKey,
    sentAt,
    httpStatus: result.status ?? null,
    ...(paymentId ? { paymentId } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
}

/**
 * Sends payments through the public endpoint at a bounded rate until stopped or capped, each
 * with its own Idempotency-Key, recording what the API answered.
 */
export class PaymentTraffic {
  readonly attempts: PaymentAttempt[] = [];
  /** True once it sends no more: stopped, or at its cap of payments or time. */
  finished = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly runId = randomUUID().slice(0, 8);

  constructor(
    private readonly ctx: Context,
    /** Where the next payment goes (it may change while the drill moves the writer). */
    private readonly baseUrl: () => string,
    private readonly options: TrafficOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<PaymentAttempt[]> {
    this.stopped = true;
    await this.loop;
    return this.attempts;
  }

  private async run(): Promise<void> {
    const { clock } = this.ctx;
    const started = clock.now().getTime();
    const spacing = 1000 / this.options.ratePerSecond;
    while (!this.stopped && this.attempts.length < this.options.maxPayments && clock.now().getTime() - started < this.options.maxSeconds * 1000) {
      const before = clock.now().getTime();
      await this.send(this.attempts.length + 1);
      const wait = spacing - (clock.now().getTime() - before);
      if (wait > 0) await clock.sleep(wait);
    }
    this.finished = true;
  }

  private async send(sequence: number): Promise<void> {
    this.attempts.push(await postTestPayment(this.ctx, this.baseUrl(), { idempotencyKey: `dr-drill-${this.runId}-${sequence}`, reference: `dr-drill-${sequence}`, description: "DR drill" }, this.options));
  }
}

function idOf(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? "") as { id?: unknown };
    return typeof parsed.id === "string" ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

export interface OutageWindow {
  /** The first payment that failed. */
  from: string;
  /** The first payment that succeeded after it; null when none did. */
  to: string | null;
  seconds: number | null;
}

/**
 * Observed RTO: for each run of failed payments, from the first failure to the first success
 * after it (send timestamps). The drill's RTO is the longest window; null if it never recovered.
 */
export function outageWindows(attempts: readonly PaymentAttempt[]): OutageWindow[] {
  const windows: OutageWindow[] = [];
  let openedAt: string | undefined;
  for (const attempt of attempts) {
    const ok = attempt.paymentId !== undefined;
    if (!ok && openedAt === undefined) openedAt = attempt.sentAt;
    if (ok && openedAt !== undefined) {
      windows.push({ from: openedAt, to: attempt.sentAt, seconds: (Date.parse(attempt.sentAt) - Date.parse(openedAt)) / 1000 });
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined) windows.push({ from: openedAt, to: null, seconds: null });
  return windows;
}

/**
 * Deletes the sessions of the acknowledged payments through `region`, so that reading them back
 * asks PostgreSQL, the system of record: GET /payments/{id} answers from the session first, and
 * a row lost with its session kept would pass the read-back.
 */
export async function forgetSessions(ctx: Context, region: string, attempts: readonly PaymentAttempt[]): Promise<{ cleared: number; failed: number }> {
  let cleared = 0;
  let failed = 0;
  for (const attempt of attempts) {
    if (attempt.paymentId === undefined) continue;
    try {
      await ctx.aws.deleteSession(region, ctx.topology.sessionsTableName, { [SESSION_KEY_ATTRIBUTE]: { S: sessionId(attempt.paymentId) } });
      cleared += 1;
    } catch {
      failed += 1;
    }
  }
  return { cleared, failed };
}

/**
 * Payments lost: acknowledged (an id came back) but not readable with GET afterwards. Each is
 * read up to three times so one blink of the API is not counted as a loss.
 */
export async function lostPayments(ctx: Context, baseUrl: string, attempts: readonly PaymentAttempt[], options: Pick<TrafficOptions, "apiKey">): Promise<PaymentAttempt[]> {
  const lost: PaymentAttempt[] = [];
  for (const attempt of attempts.filter((a) => a.paymentId !== undefined)) {
    let found = false;
    for (let tries = 0; tries < 3 && !found; tries += 1) {
      if (tries > 0) await ctx.clock.sleep(1000);
      const url = `${baseUrl}/payments/${encodeURIComponent(attempt.paymentId as string)}`;
      const result = await request(ctx.fetch, url, { method: "GET", headers: authorization(options.apiKey) }, ctx.paymentTimeoutMs);
      found = result.status === 200;
    }
    if (!found) lost.push(attempt);
  }
  return lost;
}
