import { GATEWAY_PROBLEMS, gatewayProblemBody, gatewayProblemHeaders, type GatewayProblem as StackProblem } from "@payments-dr/serverless-api/values";
import type { OutgoingHttpHeaders } from "node:http";

/** What the adapter writes back. */
export interface HttpReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

type HeaderValue = string | number | boolean;

/** A Lambda proxy result, as far as API Gateway reads it. */
interface ProxyResult {
  statusCode: number;
  headers?: Record<string, HeaderValue> | null;
  multiValueHeaders?: Record<string, HeaderValue[]> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isHeaderValue = (value: unknown): value is HeaderValue => ["string", "number", "boolean"].includes(typeof value);

/** The members API Gateway reads; any other makes the result "malformed". */
const PROXY_RESULT_MEMBERS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

/** Lambda's limit on a synchronous invocation's response: past it the invocation fails. */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024;

function isProxyResult(value: unknown): value is ProxyResult {
  if (!isRecord(value) || !Object.keys(value).every((member) => PROXY_RESULT_MEMBERS.has(member))) return false;
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_RESULT_BYTES) return false;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = value;
  return (
    Number.isInteger(statusCode) &&
    (statusCode as number) >= 100 &&
    (statusCode as number) <= 599 &&
    (headers == null || (isRecord(headers) && Object.values(headers).every(isHeaderValue))) &&
    (multiValueHeaders == null || (isRecord(multiValueHeaders) && Object.values(multiValueHeaders).every((v) => Array.isArray(v) && v.every(isHeaderValue)))) &&
    (body == null || typeof body === "string") &&
    (isBase64Encoded === undefined || typeof isBase64Encoded === "boolean")
  );
}

/** API Gateway's own answers, which it sends without invoking the function, or instead of its result. */
export type GatewayProblem =
  | "unauthorized"
  | "access-denied"
  | "invalid-api-key"
  | "authorizer-failure"
  | "missing-route"
  | "missing-route-with-authorization"
  | "too-large"
  | "throttled"
  | "integration-failure";

/** How API Gateway answers each: the response type it picks, the status it sends for it, and the x-amzn-ErrorType it adds. */
const LOCAL_PROBLEMS: Record<GatewayProblem, { responseType: string; status: number; errorType: string }> = {
  unauthorized: { responseType: "UNAUTHORIZED", status: 401, errorType: "UnauthorizedException" },
  "access-denied": { responseType: "ACCESS_DENIED", status: 403, errorType: "AccessDeniedException" },
  // A method that requires an API key, and the authorizer named none of the usage plan's.
  "invalid-api-key": { responseType: "INVALID_API_KEY", status: 403, errorType: "ForbiddenException" },
  "authorizer-failure": { responseType: "AUTHORIZER_FAILURE", status: 500, errorType: "AuthorizerConfigurationException" },
  // A resource or method the API does not declare.
  "missing-route": { responseType: "MISSING_AUTHENTICATION_TOKEN", status: 403, errorType: "MissingAuthenticationTokenException" },
  // The same with an Authorization header: API Gateway is reported to read it as a malformed AWS
  // signature, under a type it does not document and MISSING_AUTHENTICATION_TOKEN's response does
  // not change (libs/serverless-api gateway-problems.ts): the stack's DEFAULT_4XX answers it.
  "missing-route-with-authorization": { responseType: "DEFAULT_4XX", status: 403, errorType: "IncompleteSignatureException" },
  "too-large": { responseType: "REQUEST_TOO_LARGE", status: 413, errorType: "RequestTooLargeException" },
  throttled: { responseType: "THROTTLED", status: 429, errorType: "ThrottlingException" },
  // A function error (it threw, crashed, failed its init or ran past its own timeout: not API
  // Gateway's 29 s INTEGRATION_TIMEOUT) is a 502, not the type's listed 504; so is a result that is no
  // proxy result ("Malformed Lambda proxy response").
  "integration-failure": { responseType: "INTEGRATION_FAILURE", status: 502, errorType: "InternalServerErrorException" },
};

/** One answer: the stack's gateway response that gives it, the status, and the x-amzn-ErrorType. */
interface ProblemResponse {
  /** libs/serverless-api's definition that answers it: the type's own, else DEFAULT_4XX or DEFAULT_5XX. */
  answeredBy: StackProblem;
  status: number;
  errorType: string;
}

/** A response type the stack does not configure gets the stack's DEFAULT_4XX or DEFAULT_5XX, as in API Gateway. */
function stackProblem(responseType: string, status: number): StackProblem {
  const fallback = status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
  const problem = GATEWAY_PROBLEMS.find((candidate) => candidate.responseType === responseType) ?? GATEWAY_PROBLEMS.find((candidate) => candidate.responseType === fallback);
  if (!problem) throw new Error(`the stack has no gateway response ${responseType} nor ${fallback}`);
  return problem;
}

/** The adapter's answers, read from libs/serverless-api's GATEWAY_PROBLEMS: a status set there overrides API Gateway's. */
export const GATEWAY_PROBLEM_RESPONSES = Object.fromEntries(
  Object.entries(LOCAL_PROBLEMS).map(([kind, { responseType, status, errorType }]) => {
    const answeredBy = stackProblem(responseType, status);
    return [kind, { answeredBy, status: answeredBy.status ?? status, errorType }];
  }),
) as Record<GatewayProblem, ProblemResponse>;

/** A gateway response of the stack: RFC 9457 problem+json, `requestId` API Gateway's; no `status` member where the stack's template has none. */
export function gatewayProblem(kind: GatewayProblem, requestId: string): HttpReply {
  const { answeredBy, status, errorType } = GATEWAY_PROBLEM_RESPONSES[kind];
  const body = Buffer.from(JSON.stringify(gatewayProblemBody(answeredBy, requestId)));
  return {
    status,
    headers: {
      ...gatewayProblemHeaders(answeredBy),
      "x-amzn-RequestId": requestId,
      "x-amzn-ErrorType": errorType,
      "Content-Length": body.length,
    },
    body,
  };
}

/** Framing is the gateway's: it sets the length of what it sends. */
const FRAMING = new Set(["content-length", "transfer-encoding"]);

/**
 * The HTTP response for a proxy result, as API Gateway builds it: `headers` and
 * `multiValueHeaders` merged (for a name in both, the multi values win), the body as text: the
 * API declares no binary media types, so a base64 body reaches the client as it is written. A
 * result that is not a proxy result (a member API Gateway does not know, over Lambda's 6 MB) is
 * API Gateway's 502.
 */
export function fromProxyResult(result: unknown, requestId: string): HttpReply {
  if (!isProxyResult(result)) return gatewayProblem("integration-failure", requestId);
  const headers: OutgoingHttpHeaders = {};
  const multi = result.multiValueHeaders ?? {};
  const inMulti = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!inMulti.has(name.toLowerCase()) && !FRAMING.has(name.toLowerCase())) headers[name] = String(value);
  }
  for (const [name, values] of Object.entries(multi)) {
    if (!FRAMING.has(name.toLowerCase())) headers[name] = values.map(String);
  }
  const body = Buffer.from(result.body ?? "", "utf8");
  headers["x-amzn-RequestId"] = requestId;
  headers["Content-Length"] = body.length;
  return { status: result.statusCode, headers, body };
}
