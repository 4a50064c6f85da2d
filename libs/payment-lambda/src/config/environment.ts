/** What this region's API must be able to do for `/health` to report healthy. */
export type RegionRole = "primary" | "dr";

/**
 * The environment variables the payment Lambdas read: the contract with the stack that
 * deploys them. In AWS, `DATABASE_URL` is unset and `DB_SECRET_ID`, `DB_WRITER_HOST` and
 * `DB_READER_HOST` are set. The migrate and cleanup functions read only the `DB_*` and `POWERTOOLS_*` ones;
 * the authorizer only `API_KEYS_TABLE`, `DYNAMODB_ENDPOINT` and `POWERTOOLS_*`; the health probe only
 * `PROBE_*` and `POWERTOOLS_*`.
 */
export interface PaymentLambdaEnvironment {
  /** "primary" or "dr": what `/health` checks (writable vs reachable). Required by the api function. */
  REGION_ROLE?: RegionRole;
  /** Secrets Manager id of the DB secret (JSON: username, password, host, port, dbname). */
  DB_SECRET_ID?: string;
  /** Writes go here: the Aurora *global* writer endpoint, which follows the primary (the cleanup: this region's cluster endpoint). */
  DB_WRITER_HOST?: string;
  /** Reads and `/health` go here: this region's cluster endpoint in the primary region, its reader endpoint in DR (the cleanup: this region's reader endpoint). */
  DB_READER_HOST?: string;
  /** Connect timeout, 100–3000 ms. @default 3000 */
  DB_CONNECT_TIMEOUT_MS?: string;
  /** Server-side statement_timeout per connection, 100–5000 ms. @default 5000 */
  DB_STATEMENT_TIMEOUT_MS?: string;
  /** Local runs and tests: one URL for everything, no TLS, no Secrets Manager. */
  DATABASE_URL?: string;
  /** The DynamoDB sessions table; sessions are off when unset. */
  SESSIONS_TABLE?: string;
  /**
   * The DynamoDB API keys table (in each region its own replica; the name is the same). Required
   * by the authorizer, which reads keys from it (GetItem). Optional for the api function, which
   * records each key's `lastUsedAt` there (UpdateItem of the key's usage item of this region)
   * when it is set, and records nothing when unset.
   */
  API_KEYS_TABLE?: string;
  /** Set by the Lambda runtime (a reserved variable, never by the stacks): names this region's usage items. */
  AWS_REGION?: string;
  /** Local runs: a DynamoDB-compatible endpoint (e.g. dynalite). */
  DYNAMODB_ENDPOINT?: string;
  /** The health probe only: the `/health` URL it probes (http or https). */
  PROBE_TARGET_URL?: string;
  /** The health probe only: the target's label, the metric's `Target` dimension, e.g. `primary`. */
  PROBE_TARGET?: string;
  /** The health probe only: time between probes, 1000–60000 ms. @default 10000 */
  PROBE_INTERVAL_MS?: string;
  /** The health probe only: how long a probe waits for the TCP connection, 100–10000 ms. @default 4000 (Route 53's) */
  PROBE_CONNECT_TIMEOUT_MS?: string;
  /** The health probe only: how long, once connected, it waits for the status, 100–10000 ms. @default 2000 (Route 53's) */
  PROBE_ANSWER_TIMEOUT_MS?: string;
  /** Powertools: the service name in logs and metrics. @default "payments" */
  POWERTOOLS_SERVICE_NAME?: string;
  /** Powertools: the CloudWatch metrics namespace. @default "PaymentsDr" */
  POWERTOOLS_METRICS_NAMESPACE?: string;
  /** Powertools: DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT. @default "INFO" */
  POWERTOOLS_LOG_LEVEL?: string;
}
