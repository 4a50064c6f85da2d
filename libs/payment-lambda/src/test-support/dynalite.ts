import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { API_KEYS_TABLE_KEY } from "@payments-dr/api-keys";
import { FAKE_AWS_CREDENTIALS, startDynalite as startServer } from "@payments-dr/testing";

/** Static fake credentials: dynalite checks none, and no test may reach AWS. */
export const LOCAL_DYNAMODB_CONFIG: DynamoDBClientConfig = {
  region: "us-east-1",
  credentials: FAKE_AWS_CREDENTIALS,
};

/** A local DynamoDB-compatible server (in memory) with a sessions table and an API keys table shaped like the stack's. */
export interface LocalDynamo {
  endpoint: string;
  /** The sessions table (hash key `sessionId`). */
  tableName: string;
  /** The API keys table (hash key `keyId`, as libs/storage's ApiKeysTable). */
  apiKeysTable: string;
  client: DynamoDBClient;
  /** The same client with plain JS items. */
  documents: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function startDynalite(tableName = "payments-dr-sessions-test", apiKeysTable = "payments-dr-api-keys-test"): Promise<LocalDynamo> {
  const server = await startServer([
    { name: tableName, hashKey: "sessionId" },
    { name: apiKeysTable, hashKey: API_KEYS_TABLE_KEY },
  ]);
  const client = new DynamoDBClient({ ...LOCAL_DYNAMODB_CONFIG, endpoint: server.endpoint });
  return {
    endpoint: server.endpoint,
    tableName,
    apiKeysTable,
    client,
    documents: DynamoDBDocumentClient.from(client),
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
