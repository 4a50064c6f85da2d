// What the stack that deploys the functions must agree with them on (libs/serverless-api reads
// it through this library's index): plain values, no SDK.

/**
 * DESIGN §6's database budgets: the functions' defaults for DB_CONNECT_TIMEOUT_MS and
 * DB_STATEMENT_TIMEOUT_MS, and the most they accept.
 */
export const DATABASE_BUDGET_MS = { connectTimeoutMs: 3000, statementTimeoutMs: 5000 } as const;

/** The client gives up on an answer this long after the server's statement_timeout should have fired (a dead network). */
export const CLIENT_QUERY_GRACE_MS = 1_000;

/** The least any of the functions' timeout variables may be. */
export const MIN_TIMEOUT_MS = 100;

/** CloudWatch namespace of the functions' metrics: POWERTOOLS_METRICS_NAMESPACE's default, and what the stack sets. */
export const METRICS_NAMESPACE = "PaymentsDr";

/**
 * The cleanup function's reading of how far behind it is, in seconds, in METRICS_NAMESPACE under
 * this one dimension (the function's name, as Lambda's own metrics): the stack alarms on it.
 */
export const CLEANUP_BACKLOG_METRIC = { name: "IdempotencyKeyBacklogAge", functionDimension: "FunctionName" } as const;
