import type { Runtime } from "../app/runtime";
import { invalidRequest, notFound, type Problem } from "../http/problems";
import type { Reply } from "../http/response";
import { findPayment } from "../payments/repository";
import { validatePaymentId } from "../payments/validation";
import { readSession } from "../sessions/best-effort";

/**
 * GET /payments/{id} of `merchantId` (the caller's): the session first, PostgreSQL (this region's
 * cluster) when it has none, or when the session read is abandoned (`bestEffort`).
 */
export async function getPaymentHandler(runtime: Runtime, merchantId: string, paymentId: string | undefined, bestEffort?: AbortSignal): Promise<Reply | Problem> {
  const id = validatePaymentId(paymentId);
  if (!id.ok) return invalidRequest(id.errors);
  const payment = (await readSession(runtime, id.value, bestEffort)) ?? (await runtime.db.reader.use((client) => findPayment(client, id.value), { retrySpentConnection: true }));
  // Another merchant's payment is as absent as a missing one: same status, same body.
  if (!payment || payment.merchantId !== merchantId) return notFound(`There is no payment ${id.value}.`);
  return { status: 200, body: payment };
}
