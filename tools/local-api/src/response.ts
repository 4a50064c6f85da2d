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
