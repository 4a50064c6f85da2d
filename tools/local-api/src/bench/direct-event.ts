import { AUTHORIZER_CONTEXT } from "@payments-dr/api-keys";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { toProxyEvent } from "../event";
import { BENCH_MERCHANT, BENCH_PAYMENT } from "./load";

/**
 * POST /payments of the bench merchant as the api function receives it behind API Gateway after
 * a *cached* allow: the adapter's event, with `requestContext.authorizer` built as the gateway
 * builds it from the authorizer's answer (its context `merchantId`, `keyId`; `principalId`; no
 * authorizer latency). Invoking the handler with it directly skips the authorizer, as a cache hit
 * does. Its `Idempotency-Key` is "-": each invocation sets its own.
 */
export function directPaymentEvent(keyId: string): APIGatewayProxyEvent {
  // POST /payments is a declared route: there is an event.
  const event = toProxyEvent({
    method: "POST",
    target: "/payments",
    rawHeaders: ["Host", "127.0.0.1", "Content-Type", "application/json", "Idempotency-Key", "-"],
    body: Buffer.from(JSON.stringify(BENCH_PAYMENT)),
    sourceIp: "127.0.0.1",
    port: 3000,
    protocol: "HTTP/1.1",
  })!;
  event.requestContext.authorizer = { [AUTHORIZER_CONTEXT.merchantId]: BENCH_MERCHANT, [AUTHORIZER_CONTEXT.keyId]: keyId, principalId: BENCH_MERCHANT, integrationLatency: 0 };
  return event;
}
