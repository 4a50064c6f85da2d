import type { APIGatewayProxyEvent } from "aws-lambda";
import type { Runtime } from "../app/runtime";
import { idempotencyKeyReused, invalidRequest, requestInProgress, type Problem } from "../http/problems";
import { bodyTransportProblem, idempotencyKey, parseJsonObject } from "../http/request";
import type { Reply } from "../http/response";
import { errorsOf } from "../parsed";
import { paymentLocation } from "../payments/payment";
import { createPayment } from "../payments/repository";
import { requestHash } from "../payments/request-hash";
import { validateCreatePayment } from "../payments/validation";
import { recordSession } from "../sessions/best-effort";

/** The header that marks a replayed response. */
export const REPLAY_HEADER = "Idempotency-Replayed";

/**
 * POST /payments for `merchantId` (the caller's): parse → validate → record once under the
 * Idempotency-Key → respond. `bestEffort` abandons the session write: once the payment is
 * committed, nothing best-effort may cost its answer.
 */
export async function createPaymentHandler(event: APIGatewayProxyEvent, runtime: Runtime, merchantId: string, bestEffort?: AbortSignal): Promise<Reply | Problem> {
  const transportProblem = bodyTransportProblem(event);
  if (transportProblem) return transportProblem;
  const key = idempotencyKey(event);
  const body = parseJsonObject(event);
  const validated = body.ok ? validateCreatePayment(body.value) : body;
  if (!key.ok || !validated.ok) return invalidRequest(errorsOf(key, validated));

  const request = { ...validated.value, merchantId };
  const outcome = await runtime.db.writer.use(
    (client) => createPayment(client, { request, idempotencyKey: key.value, requestHash: requestHash(request) }, runtime.payments),
    { retrySpentConnection: true },
  );

  switch (outcome.kind) {
    case "created":
      runtime.metrics.count("PaymentCreated");
      // On the request's one log line ("Request handled"), rather than a line of its own.
      runtime.logger.appendKeys({ paymentId: outcome.payment.id, merchantId: request.merchantId });
      await recordSession(runtime, outcome.payment, bestEffort);
      return { status: outcome.response.status, body: outcome.response.body, headers: { Location: paymentLocation(outcome.payment.id, event.requestContext) } };
    case "replayed": {
      runtime.metrics.count("IdempotentReplay");
      // The session too, if the invocation that committed the payment did not write it.
      await recordSession(runtime, outcome.payment, bestEffort, "replayed");
      const headers = { [REPLAY_HEADER]: "true", Location: paymentLocation(outcome.payment.id, event.requestContext) };
      return { status: outcome.response.status, body: outcome.response.body, headers };
    }
    case "key-reused":
      runtime.metrics.count("IdempotencyConflict");
      return idempotencyKeyReused();
    case "in-progress":
      runtime.metrics.count("IdempotencyConflict");
      return requestInProgress();
  }
}
