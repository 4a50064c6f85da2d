import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { API_KEYS_TABLE_KEY } from "@payments-dr/api-keys";
import type { Server } from "node:http";
import { freePort } from "./database";

// dynalite ships no types: its factory returns an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Static fake credentials: dynalite checks none, and no test may reach AWS. */
export const LOCAL_DYNAMODB_CONFIG: DynamoDBClientConfig = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
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

/** A table keyed by one string attribute, on demand, as the stacks create them. */
function hashKeyTable(TableName: string, key: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName,
    KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  });
}

export async function startDynalite(tableName = "payments-dr-sessions-test", apiKeysTable = "payments-dr-api-keys-test"): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...LOCAL_DYNAMODB_CONFIG, endpoint });
  await client.send(hashKeyTable(tableName, "sessionId"));
  await client.send(hashKeyTable(apiKeysTable, API_KEYS_TABLE_KEY));
  return {
    endpoint,
    tableName,
    apiKeysTable,
    client,
    documents: DynamoDBDocumentClient.from(client),
    stop: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
