import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import type { Caller } from "../payments/merchant";
// A real API Gateway REST (v1) proxy event: aws-powertools/powertools-lambda-typescript,
// packages/parser/tests/events/apigw-rest/no-auth.json (MIT-0), via shared/fixtures. Kept as is;
// tests adapt only the method, path, headers and body, and add what API Gateway adds after a
// Lambda authorizer allowed the request: `requestContext.authorizer`.
import fixture from "./fixtures/rest-v1-post-no-auth.json";

/** The caller of the test events unless a test names another: what the authorizer puts in the context. */
export const TEST_CALLER: Caller = { merchantId: "merchant-42", keyId: "0123456789abcdef" };

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
  /** Who the authorizer said is calling. @default TEST_CALLER; `null`: no authorizer context, as the fixture was captured. */
  caller?: Caller | null;
}

/**
 * `requestContext.authorizer` as API Gateway builds it for a proxy integration after a Lambda
 * authorizer allowed the request: the policy's principalId, the authorizer's latency, and the
 * authorizer's context entries (merchantId, keyId).
 */
function authorizerContext(caller: Caller): NonNullable<APIGatewayProxyEvent["requestContext"]["authorizer"]> {
  return { principalId: caller.merchantId, integrationLatency: 0, merchantId: caller.merchantId, keyId: caller.keyId };
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
  const caller = changes.caller === undefined ? TEST_CALLER : changes.caller;
  if (caller) event.requestContext.authorizer = authorizerContext(caller);
  return event;
}

/** A valid create body (no merchant: that comes from the API key). */
export const VALID_PAYMENT = { amount: 1050, currency: "EUR", reference: "order-1001", description: "Two coffees" };

/** What a test may set on a payments request besides its body or id. */
export interface RequestOptions {
  /** Added to the fixture's headers. */
  headers?: Record<string, string>;
  /** @default TEST_CALLER; `null`: no authorizer context. */
  caller?: Caller | null;
}

/** POST /payments with a JSON body and an Idempotency-Key. */
export function postPayment(body: unknown, idempotencyKey: string | undefined, options: RequestOptions = {}): APIGatewayProxyEvent {
  return apiEvent({
    method: "POST",
    path: "/payments",
    headers: { "Content-Type": "application/json", ...(idempotencyKey === undefined ? {} : { "Idempotency-Key": idempotencyKey }), ...options.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    caller: options.caller,
  });
}

/** GET /payments/{id}, as API Gateway sends it for the explicit resource. */
export function getPayment(id: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  return apiEvent({ method: "GET", path: `/payments/${id}`, resource: "/payments/{id}", pathParameters: { id }, headers: options.headers, body: null, caller: options.caller });
}

/** GET /health: anonymous, as API Gateway sends it (no authorizer on this route). */
export function getHealth(): APIGatewayProxyEvent {
  return apiEvent({ method: "GET", path: "/health", body: null, caller: null });
}

/** The fixture's API and stage (apiId, stage, account; the region from its execute-api host name). */
export const FIXTURE_API = {
  region: fixture.requestContext.domainName.split(".")[2]!,
  accountId: fixture.requestContext.accountId,
  apiId: fixture.requestContext.apiId,
  stage: fixture.requestContext.stage,
};

/** The method ARN API Gateway sends the authorizer: the method and the request's actual path. */
export function methodArn(method: string, path: string, api: { region: string; accountId: string; apiId: string; stage: string } = FIXTURE_API): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${method}${path}`;
}

/** What a test sets on an authorizer event. */
export interface AuthorizerEventChanges {
  method?: string;
  path?: string;
  resource?: string;
  /** The Authorization header: one value, several (sent repeatedly), or none. */
  authorization?: string | string[] | null;
  /** The header's name as the client spelled it. @default "Authorization" */
  headerName?: string;
  /** @default methodArn(method, path) of the fixture's API and stage */
  methodArn?: string;
}

/**
 * A REQUEST authorizer event of the REST API, built from the same captured request: API Gateway
 * sends the authorizer the proxy event's request fields (resource, path, method, headers, query,
 * path parameters, stage variables, requestContext) without the body, plus `type: "REQUEST"`
 * and the `methodArn` of the method being called.
 */
export function authorizerEvent(changes: AuthorizerEventChanges = {}): APIGatewayRequestAuthorizerEvent {
  const method = changes.method ?? "POST";
  const path = changes.path ?? "/payments";
  const { body: _body, isBase64Encoded: _isBase64Encoded, ...request } = apiEvent({ method, path, resource: changes.resource, caller: null });
  const values = changes.authorization === undefined || changes.authorization === null ? [] : [changes.authorization].flat();
  if (values.length > 0) {
    const name = changes.headerName ?? "Authorization";
    request.headers[name] = values.at(-1);
    request.multiValueHeaders[name] = values;
  }
  return { ...request, type: "REQUEST", methodArn: changes.methodArn ?? methodArn(method, path) } as unknown as APIGatewayRequestAuthorizerEvent;
}
