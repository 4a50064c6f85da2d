import type { APIGatewayProxyEvent } from "aws-lambda";
import type { Runtime } from "../app/runtime";
import { invalidRequest, notFound, type Problem } from "../http/problems";
import type { Reply } from "../http/response";
import { merchantOf } from "../payments/merchant";
import { findPayment } from "../payments/repository";
import { validatePaymentId } from "../payments/validation";
import { readSession } from "../sessions/best-effort";

/** GET /payments/{id}: the session first, PostgreSQL (this region's cluster) when it has none. */
export async function getPaymentHandler(event: APIGatewayProxyEvent, runtime: Runtime, paymentId: string | undefined): Promise<Reply | Problem> {
  const id = validatePaymentId(paymentId);
  if (!id.ok) return invalidRequest(id.errors);
  const merchant = merchantOf(event);
  const payment = (await readSession(runtime, id.value)) ?? (await runtime.db.reader.use((client) => findPayment(client, id.value)));
  // Another merchant's payment is as absent as a missing one.
  if (!payment || (merchant !== undefined && payment.merchantId !== merchant)) return notFound(`There is no payment ${id.value}.`);
  return { status: 200, body: payment };
}
