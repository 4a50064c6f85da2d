import type { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { disabledKeyUsageRecorder, dynamoKeyUsageRecorder, type KeyUsageRecorder } from "../auth/key-usage";
import { lazyDynamoDb, type DynamoDbProvider } from "../aws/dynamodb";
import type { ApiSettings } from "../config/settings";
import type { CredentialsProvider } from "../db/credentials";
import { createDatabase, WRITER_UNREACHABLE_BACKOFF_MS, type Database } from "../db/database";
import { HealthCheck, probeForRole, type HealthCheckOptions } from "../health/health-check";
import { createLogger, loggableError } from "../observability/logger";
import { createMetrics, type MetricsSink } from "../observability/metrics";
import type { CreatePaymentOptions } from "../payments/repository";
import { dynamoSessionStore, sessionsOff, type SessionStore } from "../sessions/session-store";

/** What outlives an invocation: built once per container, at import time, without touching the network. */
export interface Runtime {
  readonly settings: ApiSettings;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly db: Database;
  /** The container's DynamoDB client, loaded on first use. */
  readonly dynamoDb: DynamoDbProvider;
  readonly sessions: SessionStore;
  /** `lastUsedAt` of the callers' API keys (off without API_KEYS_TABLE). */
  readonly keyUsage: KeyUsageRecorder;
  readonly health: HealthCheck;
  readonly payments: CreatePaymentOptions;
}

/** Replacements for tests and local runs; production uses none. */
export interface RuntimeOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  credentials?: CredentialsProvider;
  caFile?: string;
  /** @default WRITER_MAX_AGE_MS */
  writerMaxAgeMs?: number;
  /** The api function's only: the migrate and cleanup functions try every time. @default WRITER_UNREACHABLE_BACKOFF_MS */
  writerUnreachableBackoffMs?: number;
  dynamoDb?: DynamoDBClientConfig;
  health?: HealthCheckOptions;
  payments?: CreatePaymentOptions;
}

/** The composition root of the api function. */
export function createRuntime(settings: ApiSettings, overrides: RuntimeOverrides = {}): Runtime {
  const logger = overrides.logger ?? createLogger(settings.observability);
  const metrics = overrides.metrics ?? createMetrics(settings.observability);
  const db = createDatabase(settings.database, {
    logger,
    credentials: overrides.credentials,
    caFile: overrides.caFile,
    writerMaxAgeMs: overrides.writerMaxAgeMs,
    writerUnreachableBackoffMs: overrides.writerUnreachableBackoffMs ?? WRITER_UNREACHABLE_BACKOFF_MS,
  });
  const dynamoDb = lazyDynamoDb({ endpoint: settings.dynamodbEndpoint, clientConfig: overrides.dynamoDb });
  const sessions = settings.sessionsTable ? dynamoSessionStore({ tableName: settings.sessionsTable, dynamoDb }) : sessionsOff(logger);
  const keyUsage = settings.apiKeysTable ? dynamoKeyUsageRecorder({ tableName: settings.apiKeysTable, region: settings.region, dynamoDb, logger, metrics }) : disabledKeyUsageRecorder;
  // /health answers only "unavailable": why (a timeout, TLS, credentials, …) goes to the log.
  const onProbeFailure = (error: unknown) => logger.warn("Health probe failed", { error: loggableError(error) });
  const health = new HealthCheck(settings.regionRole, (signal) => probeForRole(settings.regionRole, db, signal), { onProbeFailure, ...overrides.health });
  return { settings, logger, metrics, db, dynamoDb, sessions, keyUsage, health, payments: { statementTimeoutMs: settings.database.statementTimeoutMs, ...overrides.payments } };
}
