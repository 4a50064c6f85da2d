import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { API_KEYS_TABLE_KEY, type ApiKeyRecord } from "@payments-dr/api-keys";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCAL_REGION } from "./event";
import { workspaceRequire } from "./paths";

/** The local sessions table, shaped like the stack's (partition key sessionId). */
export const LOCAL_SESSIONS_TABLE = "payments-dr-sessions-local";
/** The local API keys table, shaped like the stack's (partition key keyId, S; no sort key). */
export const LOCAL_API_KEYS_TABLE = "payments-dr-api-keys-local";

/** Static fake credentials for a local DynamoDB endpoint, which checks none: a local run never signs with real ones. */
export const LOCAL_AWS_ENV = { AWS_REGION: LOCAL_REGION, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" } as const;

/** An in-memory DynamoDB in this process. */
export interface LocalDynamoDb {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Stores an API key's record in {@link LOCAL_API_KEYS_TABLE}, as the keys CLI does. */
  putApiKey(record: ApiKeyRecord): Promise<void>;
  /** The keys table's item of `keyId`, every attribute a string (as the record's are), or undefined. */
  getApiKey(keyId: string): Promise<Record<string, string> | undefined>;
  /** Stops the server. Safe to call twice. */
  stop(): Promise<void>;
}

function createTable(name: string, hashKey: string): DynamoDB.CreateTableCommandInput {
  return {
    TableName: name,
    KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}

/**
 * dynalite in memory, in this process, on a free loopback port, with the API keys table and,
 * when `sessions`, the sessions table.
 */
export async function startLocalDynamoDb(options: { sessions: boolean }): Promise<LocalDynamoDb> {
  // dynalite ships no types: its factory returns an http.Server.
  const dynalite = workspaceRequire("dynalite") as (options: { createTableMs: number }) => Server;
  const sdk = workspaceRequire("@aws-sdk/client-dynamodb") as typeof DynamoDB;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new sdk.DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      client.destroy();
      server.close(() => resolve());
    });
    return stopped;
  };
  try {
    await client.send(new sdk.CreateTableCommand(createTable(LOCAL_API_KEYS_TABLE, API_KEYS_TABLE_KEY)));
    if (options.sessions) await client.send(new sdk.CreateTableCommand(createTable(LOCAL_SESSIONS_TABLE, "sessionId")));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    async putApiKey(record) {
      // Every attribute of a record is a string.
      const item = Object.fromEntries(Object.entries(record).map(([name, value]) => [name, { S: String(value) }]));
      await client.send(new sdk.PutItemCommand({ TableName: LOCAL_API_KEYS_TABLE, Item: item, ConditionExpression: "attribute_not_exists(#key)", ExpressionAttributeNames: { "#key": API_KEYS_TABLE_KEY } }));
    },
    async getApiKey(keyId) {
      const { Item } = await client.send(new sdk.GetItemCommand({ TableName: LOCAL_API_KEYS_TABLE, Key: { [API_KEYS_TABLE_KEY]: { S: keyId } }, ConsistentRead: true }));
      return Item ? Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, value.S ?? ""])) : undefined;
    },
    stop,
  };
}
