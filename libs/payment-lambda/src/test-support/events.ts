import type { APIGatewayProxyEvent } from "aws-lambda";
// A real API Gateway REST (v1) proxy event: aws-powertools/powertools-lambda-typescript,
// packages/parser/tests/events/apigw-rest/no-auth.json (MIT-0), via shared/fixtures. Kept as is;
// tests adapt only the method, path, headers and body.
import fixture from "./fixtures/rest-v1-post-no-auth.json";

/** What a test changes in the fixture event. */
export interface EventChanges {
  method?: string;
  /** The request path; also the resource unless `resource` is given. */
  path?: string;
  resource?: string;
  pathParameters?: Record<string, string> | null;
  /** Added to the fixture's headers (and multiValueHeaders); `null` removes all headers. */
  headers?: Record<string, string> | null;
  /** Replaces multiValueHeaders entries, for repeated headers. */
  multiValueHeaders?: Record<string, string[]>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The fixture event, adapted. */
export function apiEvent(changes: EventChanges = {}): APIGatewayProxyEvent {
  const event = structuredClone(fixture) as unknown as APIGatewayProxyEvent;
  if (changes.method !== undefined) event.httpMethod = changes.method;
  if (changes.path !== undefined) {
    event.path = changes.path;
    event.resource = changes.resource ?? changes.path;
  } else if (changes.resource !== undefined) event.resource = changes.resource;
  if (changes.pathParameters !== undefined) event.pathParameters = changes.pathParameters;
  if (changes.headers === null) {
    event.headers = null as unknown as APIGatewayProxyEvent["headers"];
    event.multiValueHeaders = null as unknown as APIGatewayProxyEvent["multiValueHeaders"];
  } else if (changes.headers) {
    for (const [name, value] of Object.entries(changes.headers)) {
      event.headers[name] = value;
      event.multiValueHeaders[name] = [value];
    }
  }
  if (changes.multiValueHeaders) Object.assign(event.multiValueHeaders, changes.multiValueHeaders);
  if (changes.body !== undefined) event.body = changes.body;
  if (changes.isBase64Encoded !== undefined) event.isBase64Encoded = changes.isBase64Encoded;
  return event;
}

/** A valid create body. */
export const VALID_PAYMENT = { amount: 1050, currency: "EUR", merchantId: "merchant-42", reference: "order-1001", description: "Two coffees" };

/** POST /payments with a JSON body and an Idempotency-Key. */
export function postPayment(body: unknown, idempotencyKey: string | undefined, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return apiEvent({
    method: "POST",
    path: "/payments",
    headers: { "Content-Type": "application/json", ...(idempotencyKey === undefined ? {} : { "Idempotency-Key": idempotencyKey }), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** GET /payments/{id}, as API Gateway sends it for the explicit resource. */
export function getPayment(id: string): APIGatewayProxyEvent {
  return apiEvent({ method: "GET", path: `/payments/${id}`, resource: "/payments/{id}", pathParameters: { id }, body: null });
}

/** GET /health. */
export function getHealth(): APIGatewayProxyEvent {
  return apiEvent({ method: "GET", path: "/health", body: null });
}
