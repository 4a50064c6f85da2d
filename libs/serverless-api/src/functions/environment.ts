import type * as pulumi from "@pulumi/pulumi";
import type { RegionRole } from "@payments-dr/conventions";
import { DATABASE_BUDGET_MS, METRICS_NAMESPACE, MIN_TIMEOUT_MS, type PaymentLambdaEnvironment } from "@payments-dr/payment-lambda";
import { invalid, requireInteger } from "../validation";

/** The database a function connects to. */
export interface DatabaseArgs {
  /**
   * Name (not ARN) of the Secrets Manager secret with the credentials. The secret is
   * replicated, so the name is the same in both regions and each function reads its own
   * region's copy.
   */
  secretName: pulumi.Input<string>;
  /** The Aurora global writer endpoint: it follows the primary after a switchover or managed failover. */
  writerHost: pulumi.Input<string>;
  /** This region's endpoint for reads and /health (`regionalEndpoint`). */
  readerHost: pulumi.Input<string>;
}

/** The API's database: the payment functions' secret, and the /health function's own. */
export interface ApiDatabaseArgs extends DatabaseArgs {
  /**
   * Name of the secret of /health's database role, which updates the heartbeat row and reaches
   * nothing else (/health answers anyone). Replicated like `secretName`.
   */
  healthSecretName: pulumi.Input<string>;
}

/** How long a function waits for the database. */
export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * The functions' log level: their Powertools logger's (POWERTOOLS_LOG_LEVEL) and Lambda's
 * application log level, one value (see functionLoggingConfig in ./vpc-function). Nothing above
 * INFO: with the JSON log format Lambda filters what a function writes by its `level` and files
 * a line without one at INFO, as it does the metrics' EMF documents, so a WARN or ERROR
 * filter would drop every custom metric (and the alarms on them would see no data).
 */
export type LogLevel = "DEBUG" | "INFO";


/**
 * What a stack sets of a function's environment: the variables libs/payment-lambda's config
 * loaders read ({@link PaymentLambdaEnvironment}), less those only the Lambda runtime or local
 * runs set. A misspelled or renamed variable is a compile error here, not a cold-start failure.
 */
export type LambdaEnvironment = {
  [K in Exclude<keyof PaymentLambdaEnvironment, "AWS_REGION" | "DATABASE_URL" | "DYNAMODB_ENDPOINT">]?: pulumi.Input<string>;
};

/** The variables that are set: an optional one left undefined is not in the function's environment. */
function setOnly(environment: LambdaEnvironment): LambdaEnvironment {
  return Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined));
}

/**
 * The environment of a payment-lambda function: the contract between this library and the
 * handlers' config loader (libs/payment-lambda).
 */
export function functionEnvironment(inputs: {
  regionRole: RegionRole;
  database: DatabaseArgs;
  timeouts: DatabaseTimeouts;
  sessionsTableName?: pulumi.Input<string>;
  /** The API keys table, whose `lastUsedAt` the API function records (off when unset). */
  apiKeysTableName?: pulumi.Input<string>;
  serviceName: string;
  logLevel: LogLevel;
}): LambdaEnvironment {
  const { regionRole, database, timeouts, sessionsTableName, apiKeysTableName, serviceName, logLevel } = inputs;
  return setOnly({
    REGION_ROLE: regionRole,
    ...databaseEnvironment(database, timeouts),
    SESSIONS_TABLE: sessionsTableName,
    API_KEYS_TABLE: apiKeysTableName,
    ...powertoolsEnvironment(serviceName, logLevel),
  });
}

/** The environment of the authorizer (libs/payment-lambda): its region's replica of the keys table, and no database. */
export function authorizerEnvironment(inputs: { apiKeysTableName: pulumi.Input<string>; logLevel: LogLevel }): LambdaEnvironment {
  return { API_KEYS_TABLE: inputs.apiKeysTableName, ...powertoolsEnvironment("payments-authorizer", inputs.logLevel) };
}

/**
 * The environment of the idempotency key cleanup (libs/payment-lambda): the host it deletes
 * through, this region's (see IdempotencyKeyCleanupArgs.endpoint), and this region's
 * reader endpoint, asked only when that host cannot be reached.
 */
export function cleanupEnvironment(inputs: {
  secretName: pulumi.Input<string>;
  host: pulumi.Input<string>;
  readerHost: pulumi.Input<string>;
  timeouts: DatabaseTimeouts;
  logLevel: LogLevel;
}): LambdaEnvironment {
  const { secretName, host, readerHost, timeouts, logLevel } = inputs;
  return {
    ...databaseEnvironment({ secretName, writerHost: host, readerHost }, timeouts),
    ...powertoolsEnvironment("payments-cleanup", logLevel),
  };
}

/** The environment of the health probe (libs/payment-lambda): what it probes, how often, how patiently; no database, no table. */
export function probeEnvironment(inputs: {
  targetUrl: pulumi.Input<string>;
  target: string;
  intervalMs: number;
  connectTimeoutMs: number;
  answerTimeoutMs: number;
  logLevel: LogLevel;
}): LambdaEnvironment {
  return {
    PROBE_TARGET_URL: inputs.targetUrl,
    PROBE_TARGET: inputs.target,
    PROBE_INTERVAL_MS: String(inputs.intervalMs),
    PROBE_CONNECT_TIMEOUT_MS: String(inputs.connectTimeoutMs),
    PROBE_ANSWER_TIMEOUT_MS: String(inputs.answerTimeoutMs),
    // Logs only: it publishes its metric itself, into PROBE_METRIC.namespace.
    POWERTOOLS_SERVICE_NAME: "payments-probe",
    POWERTOOLS_LOG_LEVEL: inputs.logLevel,
  };
}

/** The database contract of libs/payment-lambda's config loader. */
function databaseEnvironment(database: DatabaseArgs, timeouts: DatabaseTimeouts): LambdaEnvironment {
  return {
    DB_SECRET_ID: database.secretName,
    DB_WRITER_HOST: database.writerHost,
    DB_READER_HOST: database.readerHost,
    DB_CONNECT_TIMEOUT_MS: String(timeouts.connectTimeoutMs),
    DB_STATEMENT_TIMEOUT_MS: String(timeouts.statementTimeoutMs),
  };
}

function powertoolsEnvironment(serviceName: string, logLevel: LogLevel): LambdaEnvironment {
  return { POWERTOOLS_SERVICE_NAME: serviceName, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL: logLevel };
}

/**
 * Each budget within DESIGN §6, and a connect plus one statement ending before the function
 * does: otherwise Lambda kills the invocation mid-query, and the caller gets a bare timeout
 * instead of a 503 with Retry-After.
 */
export function checkDatabaseTimeouts(where: string, timeouts: DatabaseTimeouts, functionTimeoutSeconds: number): void {
  for (const key of ["connectTimeoutMs", "statementTimeoutMs"] as const) {
    requireInteger(where, key, timeouts[key], MIN_TIMEOUT_MS, DATABASE_BUDGET_MS[key], "the database budget of DESIGN §6, which the functions enforce");
  }
  const budget = timeouts.connectTimeoutMs + timeouts.statementTimeoutMs;
  if (budget >= functionTimeoutSeconds * 1000) {
    invalid(
      where,
      `connectTimeoutMs + statementTimeoutMs (${budget} ms) must be below the function timeout (${functionTimeoutSeconds} s), ` +
        "so a slow database ends in a handled error, not a killed invocation.",
    );
  }
}
