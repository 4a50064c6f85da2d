import type { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { lazyDynamoDb, type DynamoDbProvider } from "../aws/dynamodb";
import { dynamoApiKeyStore, type ApiKeyStore } from "../auth/key-store";
import type { AuthorizerSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { createMetrics, type MetricsSink } from "../observability/metrics";

/** What outlives an authorizer invocation: built once per container, without touching the network. */
export interface AuthorizerRuntime {
  readonly settings: AuthorizerSettings;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** The container's DynamoDB client (short timeouts, two attempts). */
  readonly dynamoDb: DynamoDbProvider;
  readonly keys: ApiKeyStore;
}

/** Replacements for tests and local runs; production uses none. */
export interface AuthorizerRuntimeOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  dynamoDb?: DynamoDBClientConfig;
}

/** The composition root of the authorizer. */
export function createAuthorizerRuntime(settings: AuthorizerSettings, overrides: AuthorizerRuntimeOverrides = {}): AuthorizerRuntime {
  const logger = overrides.logger ?? createLogger(settings.observability);
  const metrics = overrides.metrics ?? createMetrics(settings.observability);
  // A key record holds no number: one that even the SDK cannot convert makes the item malformed (401), not the table unreadable (503).
  const dynamoDb = lazyDynamoDb({ endpoint: settings.dynamodbEndpoint, clientConfig: overrides.dynamoDb, numbersAsText: true });
  return { settings, logger, metrics, dynamoDb, keys: dynamoApiKeyStore({ tableName: settings.apiKeysTable, dynamoDb }) };
}
