/**
 * The database cannot serve the request now, for a reason that retrying later may fix:
 * unreachable, timed out, read-only (a secondary, or a writer being demoted), connection lost.
 * The API answers 503 + Retry-After; the connection that saw it has been discarded.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    /** For logs: the SQLSTATE or error code, or a short word. Never a value. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Database unavailable (${reason})`, options);
    this.name = "DatabaseUnavailableError";
  }
}

/** The connection cannot run a statement any more although the database could (a prepared statement gone stale). */
export class StaleConnectionError extends DatabaseUnavailableError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = "StaleConnectionError";
  }
}

/** SQLSTATEs that mean "not now" rather than "wrong request". */
const TRANSIENT_SQLSTATES = new Set([
  "25006", // read_only_sql_transaction: a read-only secondary, or default_transaction_read_only
  "57014", // query_canceled: statement_timeout
  "57P01", // admin_shutdown: pg_terminate_backend, server stopping, failover
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, in recovery
  "55P03", // lock_not_available: lock_timeout
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "28000", // invalid_authorization_specification: rotated credentials
  "28P01", // invalid_password: rotated credentials
]);
/** Whole classes: connection exception, insufficient resources, operator intervention, system error. */
const TRANSIENT_CLASSES = ["08", "53", "57", "58"];

/** Socket-level failures. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ECONNABORTED"]);

/** What node-postgres throws, without a code, when the connection fails or times out. */
const CLIENT_FAILURE = /connection terminated|connection timeout|timeout expired|query read timeout|not queryable|connection ended/i;

/** The `code` of a pg, socket or SDK error, if it has one. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A SQLSTATE is five characters, digits and uppercase letters. */
const isSqlState = (code: string): boolean => /^[0-9A-Z]{5}$/.test(code);

/** True when the error means the database is unavailable for now (→ 503, discard the connection). */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = codeOf(error);
  if (code && NETWORK_CODES.has(code)) return true;
  if (code && isSqlState(code)) return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_CLASSES.includes(code.slice(0, 2));
  return error instanceof Error && CLIENT_FAILURE.test(error.message);
}

/**
 * A connection the server or the network closed under a query (pg: "Connection terminated
 * unexpectedly", "…has encountered a connection error and is not queryable"); not one we closed
 * ("Connection terminated", "Client was closed and is not queryable").
 */
const LOST_CONNECTION = /connection terminated unexpectedly|connection error and is not queryable/i;
/** Socket failures on an established connection (a refused or unresolved connect is about the server). */
const LOST_CONNECTION_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/**
 * True when the connection, rather than the database, has failed: the server ended it (57P01
 * admin shutdown: a switchover, a reboot, pg_terminate_backend), the network dropped it (while a
 * Lambda container was frozen, say), or it holds statements a migration has made stale. A fresh
 * connection may well work.
 */
export function isSpentConnection(error: unknown): boolean {
  if (error instanceof StaleConnectionError) return true;
  const code = codeOf(error);
  if (code === "57P01" || code === "57P02" || code?.startsWith("08")) return true;
  if (code && LOST_CONNECTION_CODES.has(code)) return true;
  return error instanceof Error && LOST_CONNECTION.test(error.message);
}

/** Connect failures that say no server answers at that name yet: unresolved, nothing listening, no answer, starting up. */
const UNREACHABLE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "57P03"]);
/** What node-postgres throws when its connect timeout fires. */
const CONNECT_TIMEOUT = /connection timeout|timeout expired/i;

/** The error a connect failed with: a {@link DatabaseUnavailableError}'s cause, or the error itself. */
const connectCause = (error: unknown): unknown => (error instanceof DatabaseUnavailableError ? error.cause : error);

/** True when a connect gave up waiting (pg's connect timeout, or the kernel's): it held its caller that long. */
export function isConnectTimeout(error: unknown): boolean {
  const cause = connectCause(error);
  const code = codeOf(cause);
  if (code) return code === "ETIMEDOUT";
  return cause instanceof Error && CONNECT_TIMEOUT.test(cause.message);
}

/**
 * True when a connect failed because no server answers at that name (yet), as opposed to one
 * that answered and refused: credentials, read-only, too many connections.
 */
export function isUnreachableServer(error: unknown): boolean {
  const code = codeOf(connectCause(error));
  return code ? UNREACHABLE_CODES.has(code) : isConnectTimeout(error);
}

/** True when the server refused our credentials: the cached secret may be stale. */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code === "28P01" || code === "28000";
}

/** For logs and the error's reason: the SQLSTATE or errno code, else "connection" or the error's name. */
export function failureReason(error: unknown): string {
  if (codeOf(error)) return codeOf(error)!;
  if (!(error instanceof Error)) return "unknown";
  return CLIENT_FAILURE.test(error.message) ? "connection" : error.name;
}

export const SQLSTATE_LOCK_NOT_AVAILABLE = "55P03";
/** query_canceled: the statement ran past statement_timeout. */
export const SQLSTATE_QUERY_CANCELED = "57014";
/** read_only_sql_transaction: a read-only secondary, or default_transaction_read_only. */
export const SQLSTATE_READ_ONLY = "25006";
