/** A kind of error, as RFC 9457 identifies it: a type URI, an HTTP status and a fixed title. */
export interface ProblemType {
  readonly type: string;
  readonly status: number;
  readonly title: string;
}

/**
 * Problem type URIs are tag URIs (RFC 4151): stable identifiers, not documentation links. API
 * Gateway's own answers use the same base (libs/serverless-api's gateway responses).
 */
export const PROBLEM_TYPE_BASE = "tag:payments-dr,2025:problems/";

function problemType(slug: string, status: number, title: string): ProblemType {
  return { type: `${PROBLEM_TYPE_BASE}${slug}`, status, title };
}

/** Every problem the API answers with. */
const PROBLEM_TYPES = {
  invalidRequest: problemType("invalid-request", 400, "The request is not valid"),
  unauthorized: problemType("unauthorized", 401, "Unauthorized"),
  notFound: problemType("not-found", 404, "Not found"),
  methodNotAllowed: problemType("method-not-allowed", 405, "Method not allowed"),
  requestInProgress: problemType("request-in-progress", 409, "A request with this idempotency key is in progress"),
  payloadTooLarge: problemType("payload-too-large", 413, "The request body is too large"),
  unsupportedMediaType: problemType("unsupported-media-type", 415, "The request body must be JSON"),
  idempotencyKeyReused: problemType("idempotency-key-reused", 422, "The idempotency key was used for a different request"),
  internal: problemType("internal-error", 500, "Internal error"),
  serviceUnavailable: problemType("service-unavailable", 503, "The service is temporarily unavailable"),
  regionUnavailable: problemType("region-unavailable", 503, "This region cannot serve its role now"),
} as const satisfies Record<string, ProblemType>;

/** Which part of the request is wrong: a body field (`amount`), a header or the body as a whole. */
export interface FieldError {
  field: string;
  message: string;
}

/** Seconds a client should wait before retrying a 503 or a 409: short and fixed. */
export const RETRY_AFTER_SECONDS = { unavailable: 2, inProgress: 1 } as const;

/** An error as a value: what went wrong, for the client. Never carries a stack or internal detail. */
export class Problem {
  constructor(
    readonly kind: ProblemType,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; retryAfterSeconds?: number; allow?: string[]; authenticate?: string; members?: Record<string, string> } = {},
  ) {}
}

export const invalidRequest = (errors: FieldError[]): Problem =>
  new Problem(PROBLEM_TYPES.invalidRequest, errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });

/**
 * No merchant in the authorizer context. API Gateway answers a missing or bad key itself (its
 * UNAUTHORIZED gateway response) before the function runs; this is the same answer for a
 * request that reached the function without an authorizer. It never says what was wrong.
 */
export const unauthorized = (): Problem =>
  new Problem(PROBLEM_TYPES.unauthorized, "Send a valid API key: Authorization: Bearer <key>.", { authenticate: "Bearer" });

export const payloadTooLarge = (maxBytes: number): Problem =>
  new Problem(PROBLEM_TYPES.payloadTooLarge, `The body must be at most ${maxBytes} bytes.`, {
    errors: [{ field: "body", message: `must be at most ${maxBytes} bytes` }],
  });

export const unsupportedMediaType = (): Problem =>
  new Problem(PROBLEM_TYPES.unsupportedMediaType, "Send the body as application/json.", {
    errors: [{ field: "Content-Type", message: "must be application/json" }],
  });

export const notFound = (detail: string): Problem => new Problem(PROBLEM_TYPES.notFound, detail);

export const methodNotAllowed = (allow: string[]): Problem =>
  new Problem(PROBLEM_TYPES.methodNotAllowed, `Allowed methods: ${allow.join(", ")}.`, { allow });

export const idempotencyKeyReused = (): Problem =>
  new Problem(PROBLEM_TYPES.idempotencyKeyReused, "This Idempotency-Key was already used with a different request body. Use a new key for a new request.", {
    errors: [{ field: "Idempotency-Key", message: "was used for a different request" }],
  });

export const requestInProgress = (): Problem =>
  new Problem(PROBLEM_TYPES.requestInProgress, "The first request with this Idempotency-Key has not finished. Retry after a moment.", {
    errors: [{ field: "Idempotency-Key", message: "is in use by a request still in progress" }],
    retryAfterSeconds: RETRY_AFTER_SECONDS.inProgress,
  });

export const serviceUnavailable = (): Problem =>
  new Problem(PROBLEM_TYPES.serviceUnavailable, "The payment database is unavailable. Retry shortly with the same Idempotency-Key.", {
    retryAfterSeconds: RETRY_AFTER_SECONDS.unavailable,
  });

export const internalError = (): Problem => new Problem(PROBLEM_TYPES.internal, "An unexpected error occurred.");

/**
 * `/health` when this region cannot serve its role: Route 53 reads only the status; the `role`
 * member (RFC 9457 extension) tells an operator, and the DR CLI, which function answered.
 */
export const regionUnavailable = (role: string): Problem =>
  new Problem(PROBLEM_TYPES.regionUnavailable, `This region cannot serve its role (${role}) now.`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS.unavailable,
    members: { role },
  });
