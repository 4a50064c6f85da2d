import type { Logger } from "@aws-lambda-powertools/logger";
import { loggableError } from "../observability/logger";
import type { MetricsSink } from "../observability/metrics";
import type { Payment } from "../payments/payment";
import type { SessionStore } from "./session-store";

/** What the best-effort session calls report to. */
export interface SessionContext {
  sessions: SessionStore;
  logger: Logger;
  metrics: MetricsSink;
}

/** Which write: a new payment's session, or a replayed one's, only where it has none. */
export type SessionWrite = "new" | "replayed";

/**
 * Writes a committed payment's session. A DynamoDB failure is logged and counted, never
 * thrown: the payment is already recorded, and failing now would make the client retry it.
 * `signal` abandons the write (the request's best-effort deadline: see app/api.ts). A replayed
 * payment's session is written only where it has none: the invocation that committed it may
 * not have written it (DynamoDB failing, or the commit's answer lost and the work run again as
 * a replay), and one already there may be newer than the response stored with the key.
 */
export async function recordSession(context: SessionContext, payment: Payment, signal?: AbortSignal, write: SessionWrite = "new"): Promise<void> {
  try {
    await (write === "new" ? context.sessions.put(payment, signal) : context.sessions.putIfAbsent(payment, signal));
  } catch (error) {
    context.metrics.count("SessionWriteFailed");
    context.logger.warn("Session write failed; the payment is recorded", { paymentId: payment.id, error: loggableError(error) });
  }
}

/** The payment from its session, or undefined (off, absent, or DynamoDB failing: the caller falls back to PostgreSQL). */
export async function readSession(context: SessionContext, paymentId: string, signal?: AbortSignal): Promise<Payment | undefined> {
  try {
    return await context.sessions.get(paymentId, signal);
  } catch (error) {
    context.metrics.count("SessionReadFailed");
    context.logger.warn("Session read failed; reading PostgreSQL", { paymentId, error: loggableError(error) });
    return undefined;
  }
}
