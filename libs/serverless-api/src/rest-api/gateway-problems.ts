// The errors API Gateway answers by itself, as data: no Pulumi here, so the local adapter
// (tools/local-api) answers with the very same problems (see ../values.ts).
import { PROBLEM_TYPE_BASE, RETRY_AFTER_SECONDS as FUNCTION_RETRY_AFTER_SECONDS } from "@payments-dr/payment-lambda";
import { PAYMENT_ROUTES } from "./route-table";

/**
 * An error API Gateway answers by itself (before or instead of the function), as an RFC 9457
 * problem. `status` unset: the response type covers several statuses, and the client gets the
 * one API Gateway chose.
 */
export interface GatewayProblem {
  /** API Gateway's response type, e.g. `UNAUTHORIZED`. */
  responseType: string;
  status?: number;
  /** Last segment of the problem type URI. */
  slug: string;
  title: string;
  detail: string;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
}

/** Seconds a client waits before retrying: when authentication or the function is briefly unavailable, as after the function's 503s; when throttled. */
const RETRY_AFTER_SECONDS = { unavailable: FUNCTION_RETRY_AFTER_SECONDS.unavailable, throttled: 1 } as const;

const AUTHENTICATION_UNAVAILABLE = "Authentication is temporarily unavailable. Retry shortly.";

/**
 * A path or method the API does not declare (API Gateway's MISSING_AUTHENTICATION_TOKEN, "including
 * the cases when the client attempts to invoke an unsupported API method or resource"): the
 * function's own `not-found` type, naming the routes there are. It fell to DEFAULT_4XX before, a
 * 403 that sent callers looking for a fault in their key. Sent with an Authorization header, as
 * every merchant's request is, API Gateway is reported to read the header as a malformed AWS
 * signature instead (serverless/serverless#3205, aws/chalice#828) under a type it does not
 * document, which this response does not change (re:Post): DEFAULT_4XX answers that one.
 */
const NO_SUCH_ROUTE = {
  status: 404,
  slug: "not-found",
  title: "Not found",
  detail: `No route of this API has this method and path. Its routes: ${routeList()}.`,
} as const;

/** `POST /payments, GET /payments/{id}, GET /health`. */
function routeList(): string {
  return PAYMENT_ROUTES.map((route) => `${route.httpMethod} ${route.path}`).join(", ");
}

/**
 * Whatever else API Gateway rejects on its own. On this API that is, most often, a method or
 * path it does not have, sent with an Authorization header (above); else a body over 10 MB
 * (413), or a key whose usage key is missing from this region's usage plan (INVALID_API_KEY,
 * 403: the operator's `keys sync` puts it back). The detail says where to look, in that order.
 */
const REJECTED_DETAIL =
  `API Gateway rejected the request before the service saw it. Check its method and path against the API's routes (${routeList()}) and its size; ` +
  "if they are right, this API key is not enabled in this region: contact the API's operator.";

/**
 * Every response API Gateway generates for this API. One 401 for a missing, malformed, unknown
 * or revoked key (the authorizer throws `Unauthorized` for all of them): no hint which. An
 * authorizer that fails (e.g. DynamoDB unreachable) is a 503 to retry, not a 500.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  {
    responseType: "UNAUTHORIZED",
    status: 401,
    slug: "unauthorized",
    title: "Unauthorized",
    detail: "Send a valid API key as Authorization: Bearer <key>.",
    headers: { "WWW-Authenticate": "Bearer" },
  },
  { responseType: "ACCESS_DENIED", status: 403, slug: "forbidden", title: "Forbidden", detail: "This API key may not call this route." },
  {
    responseType: "AUTHORIZER_FAILURE",
    status: 503,
    slug: "service-unavailable",
    title: "The service is temporarily unavailable",
    detail: AUTHENTICATION_UNAVAILABLE,
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS.unavailable) },
  },
  // Also what API Gateway is reported to answer when a Lambda authorizer throws anything but
  // "Unauthorized" (e.g. the keys table is unreachable): the same retryable 503.
  {
    responseType: "AUTHORIZER_CONFIGURATION_ERROR",
    status: 503,
    slug: "service-unavailable",
    title: "The service is temporarily unavailable",
    detail: AUTHENTICATION_UNAVAILABLE,
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS.unavailable) },
  },
  {
    responseType: "THROTTLED",
    status: 429,
    slug: "too-many-requests",
    title: "Too many requests",
    detail: "Slow down, then retry.",
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS.throttled) },
  },
  { responseType: "QUOTA_EXCEEDED", status: 429, slug: "quota-exceeded", title: "Request quota exceeded", detail: "This merchant has used up its daily request quota." },
  { responseType: "MISSING_AUTHENTICATION_TOKEN", ...NO_SUCH_ROUTE },
  { responseType: "WAF_FILTERED", status: 403, slug: "request-blocked", title: "Request blocked", detail: "The request was blocked." },
  { responseType: "DEFAULT_4XX", slug: "request-rejected", title: "Request rejected", detail: REJECTED_DETAIL },
  // Among them the payment function throttled past its reserved concurrency (API Gateway answers
  // 500; AWS's knowledge center: "activate an exponential backoff and retry"), crashed or timed
  // out (502): worth a retry, and a safe one, since a POST replays by its Idempotency-Key.
  {
    responseType: "DEFAULT_5XX",
    slug: "internal-error",
    title: "Internal error",
    detail: "The request could not be completed. Retry shortly: a payment retried with the same Idempotency-Key is made at most once.",
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS.unavailable) },
  },
];

/** One gateway response as API Gateway takes it. */
export interface GatewayResponseDefinition {
  responseType: string;
  statusCode?: string;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

/** The problem's RFC 9457 body with `requestId`; no `status` member where the problem sets none (API Gateway's own status stands). */
export function gatewayProblemBody(problem: GatewayProblem, requestId: string): Record<string, unknown> {
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.slug}`,
    title: problem.title,
    ...(problem.status === undefined ? {} : { status: problem.status }),
    detail: problem.detail,
    requestId,
  };
}

/** The problem's response headers. */
export function gatewayProblemHeaders(problem: GatewayProblem): Record<string, string> {
  return { "Content-Type": "application/problem+json", "Cache-Control": "no-store", ...problem.headers };
}

/**
 * The problem as a gateway response. The body template is not VTL, only `$context` variables
 * are replaced: `$context.requestId` is the id the access log and the function's logs carry.
 * Header values are static, so they are single-quoted.
 */
export function gatewayResponseDefinition(problem: GatewayProblem): GatewayResponseDefinition {
  const body = gatewayProblemBody(problem, "$context.requestId");
  const headers = gatewayProblemHeaders(problem);
  return {
    responseType: problem.responseType,
    ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
    responseParameters: Object.fromEntries(Object.entries(headers).map(([header, value]) => [`gatewayresponse.header.${header}`, `'${value}'`])),
    // Templates are keyed by content type; the Content-Type header above names the body's real type.
    responseTemplates: { "application/json": JSON.stringify(body) },
  };
}
