import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type * as LibDynamoDb from "@aws-sdk/lib-dynamodb";
import { cachedUntilRejected } from "../cached-promise";

/** The container's DynamoDB document client and the commands this package sends with it. */
interface DynamoDb {
  client: LibDynamoDb.DynamoDBDocumentClient;
  commands: Pick<typeof LibDynamoDb, "GetCommand" | "PutCommand" | "UpdateCommand">;
}

/** Where the client goes. */
export interface DynamoDbOptions {
  /** A local DynamoDB-compatible endpoint (DYNAMODB_ENDPOINT). */
  endpoint?: string;
  /** Extra client config (tests: region, credentials). */
  clientConfig?: DynamoDBClientConfig;
  /**
   * Read numbers as text (the document client's `wrapNumbers`), for a reader whose items hold
   * none: a number JavaScript cannot represent then fails the item's own check, not the read.
   * @default false
   */
  numbersAsText?: boolean;
}

/** The client, created on first use and shared by every caller in the container. */
export type DynamoDbProvider = () => Promise<DynamoDb>;

/**
 * One DynamoDB client per container, loaded on first use. The SDK is about three quarters of
 * the api bundle's load time (docs/benchmarks.md), so it is not imported at cold start: a
 * container that serves only /health never loads it. Short timeouts and at most two attempts:
 * DynamoDB is best-effort on the payment path and must not hold a response. Recent Smithy
 * HTTP handlers only warn when `requestTimeout` passes unless `throwOnRequestTimeout` is set:
 * without it a table that accepts the connection and never answers hangs the request.
 */
export function lazyDynamoDb(options: DynamoDbOptions = {}): DynamoDbProvider {
  // A failed load (it should not happen: the runtime ships the SDK) is retried next time.
  return cachedUntilRejected(() => loadDynamoDb(options)).get;
}

async function loadDynamoDb(options: DynamoDbOptions): Promise<DynamoDb> {
  const [{ DynamoDBClient }, lib] = await Promise.all([import("@aws-sdk/client-dynamodb"), import("@aws-sdk/lib-dynamodb")]);
  const client = lib.DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...options.clientConfig,
    }),
    { unmarshallOptions: { wrapNumbers: options.numbersAsText ?? false } },
  );
  return { client, commands: { GetCommand: lib.GetCommand, PutCommand: lib.PutCommand, UpdateCommand: lib.UpdateCommand } };
}
