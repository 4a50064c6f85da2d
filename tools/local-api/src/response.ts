import { GATEWAY_PROBLEMS, PROBLEM_TYPE_BASE } from "@payments-dr/serverless-api/values";
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

function isProxyResult(value: unknown): value is ProxyResult {
  if (!isRecord(value)) return false;
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

/** API Gateway's own error answers, which it sends without invoking (or after failing to invoke) the function. */
export type GatewayError = "malformed" | "failed" | "timeout" | "throttled" | "too-large";

const GATEWAY_ERRORS: Record<GatewayError, { status: number; type: string; message: string }> = {
  malformed: { status: 502, type: "InternalServerErrorException", message: "Internal server error" },
  failed: { status: 502, type: "InternalServerErrorException", message: "Internal server error" },
  timeout: { status: 504, type: "InternalServerErrorException", message: "Endpoint request timed out" },
  throttled: { status: 429, type: "ThrottlingException", message: "Too Many Requests" },
  "too-large": { status: 413, type: "RequestTooLargeException", message: "Request Too Long" },
};

/** An API Gateway error response, e.g. 502 `{"message":"Internal server error"}`. */
export function gatewayError(kind: GatewayError, requestId: string): HttpReply {
  const { status, type, message } = GATEWAY_ERRORS[kind];
  const body = Buffer.from(JSON.stringify({ message }));
  return { status, headers: { "Content-Type": "application/json", "x-amzn-RequestId": requestId, "x-amzn-ErrorType": type, "Content-Length": body.length }, body };
}

/** The authorizer's verdicts that API Gateway answers by itself, with the stack's gateway responses. */
export type GatewayProblem = "unauthorized" | "access-denied" | "authorizer-failure";

/** One gateway response: libs/serverless-api's GatewayProblem (with a status) and the x-amzn-ErrorType API Gateway adds. */
interface ProblemResponse {
  responseType: string;
  status: number;
  slug: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
  errorType: string;
}

/** The x-amzn-ErrorType API Gateway sends with each of the adapter's gateway responses. */
const LOCAL_PROBLEMS: Record<GatewayProblem, { responseType: string; errorType: string }> = {
  unauthorized: { responseType: "UNAUTHORIZED", errorType: "UnauthorizedException" },
  "access-denied": { responseType: "ACCESS_DENIED", errorType: "AccessDeniedException" },
  "authorizer-failure": { responseType: "AUTHORIZER_FAILURE", errorType: "AuthorizerConfigurationException" },
};

/** The stack's own gateway response (libs/serverless-api GATEWAY_PROBLEMS) for `responseType`. */
function stackProblem(responseType: string, errorType: string): ProblemResponse {
  const problem = GATEWAY_PROBLEMS.find((candidate) => candidate.responseType === responseType);
  if (problem?.status === undefined) throw new Error(`the stack has no gateway response ${responseType} with a status`);
  return { ...problem, status: problem.status, errorType };
}

/** The gateway responses the adapter answers with: the stack's, read from libs/serverless-api's data. */
export const GATEWAY_PROBLEM_RESPONSES = Object.fromEntries(
  Object.entries(LOCAL_PROBLEMS).map(([kind, { responseType, errorType }]) => [kind, stackProblem(responseType, errorType)]),
) as Record<GatewayProblem, ProblemResponse>;

/** A gateway response of the stack: RFC 9457 problem+json, `requestId` API Gateway's. */
export function gatewayProblem(kind: GatewayProblem, requestId: string): HttpReply {
  const { status, slug, title, detail, headers, errorType } = GATEWAY_PROBLEM_RESPONSES[kind];
  const body = Buffer.from(JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${slug}`, title, status, detail, requestId }));
  return {
    status,
    headers: {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
      ...headers,
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
 * `multiValueHeaders` merged (for a name in both, the multi values win), a base64 body decoded.
 * A result that is not a proxy result is API Gateway's 502.
 */
export function fromProxyResult(result: unknown, requestId: string): HttpReply {
  if (!isProxyResult(result)) return gatewayError("malformed", requestId);
  const headers: OutgoingHttpHeaders = {};
  const multi = result.multiValueHeaders ?? {};
  const inMulti = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!inMulti.has(name.toLowerCase()) && !FRAMING.has(name.toLowerCase())) headers[name] = String(value);
  }
  for (const [name, values] of Object.entries(multi)) {
    if (!FRAMING.has(name.toLowerCase())) headers[name] = values.map(String);
  }
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : Buffer.from(result.body ?? "", "utf8");
  headers["x-amzn-RequestId"] = requestId;
  headers["Content-Length"] = body.length;
  return { status: result.statusCode, headers, body };
}
