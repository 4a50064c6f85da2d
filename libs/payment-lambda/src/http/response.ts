import type { APIGatewayProxyResult } from "aws-lambda";
import type { Problem } from "./problems";

/** A successful answer of a route, before it becomes an API Gateway result. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const NO_STORE = { "Cache-Control": "no-store" };

/** A JSON answer. */
export function jsonResponse(reply: Reply): APIGatewayProxyResult {
  return {
    statusCode: reply.status,
    headers: { "Content-Type": "application/json", ...NO_STORE, ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

/** The one place a problem becomes a response: RFC 9457 application/problem+json. */
export function problemResponse(problem: Problem, requestId: string): APIGatewayProxyResult {
  const { kind, detail, extras } = problem;
  const headers: Record<string, string> = { "Content-Type": "application/problem+json", ...NO_STORE };
  if (extras.retryAfterSeconds !== undefined) headers["Retry-After"] = String(extras.retryAfterSeconds);
  if (extras.allow) headers.Allow = extras.allow.join(", ");
  if (extras.authenticate) headers["WWW-Authenticate"] = extras.authenticate;
  const body = { type: kind.type, title: kind.title, status: kind.status, detail, requestId, ...(extras.errors ? { errors: extras.errors } : {}), ...extras.members };
  return { statusCode: kind.status, headers, body: JSON.stringify(body) };
}
