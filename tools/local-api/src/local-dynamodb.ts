import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { API_KEYS_TABLE_KEY, type ApiKeyRecord } from "@payments-dr/api-keys";
import { FAKE_AWS_CREDENTIALS, startDynalite } from "@payments-dr/testing";
import { LOCAL_REGION } from "./event";

/** The local sessions table, shaped like the stack's (partition key sessionId). */
export const LOCAL_SESSIONS_TABLE = "payments-dr-sessions-local";
/** The local API keys table, shaped like the stack's (partition key keyId, S; no sort key). */
export const LOCAL_API_KEYS_TABLE = "payments-dr-api-keys-local";

/** Static fake credentials for a local DynamoDB endpoint, which checks none: a local run never signs with real ones. */
export const LOCAL_AWS_ENV = { AWS_REGION: LOCAL_REGION, AWS_ACCESS_KEY_ID: FAKE_AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS_CREDENTIALS.secretAccessKey } as const;

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

/**
 * dynalite in memory, in this process, on a free loopback port, with the API keys table and,
 * when `sessions`, the sessions table.
 */
export async function startLocalDynamoDb(options: { sessions: boolean }): Promise<LocalDynamoDb> {
  const tables = [{ name: LOCAL_API_KEYS_TABLE, hashKey: API_KEYS_TABLE_KEY }];
  if (options.sessions) tables.push({ name: LOCAL_SESSIONS_TABLE, hashKey: "sessionId" });
  const server = await startDynalite(tables);
  const { endpoint } = server;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: FAKE_AWS_CREDENTIALS });
  return {
    endpoint,
    async putApiKey(record) {
      // Every attribute of a record is a string.
      const item = Object.fromEntries(Object.entries(record).map(([name, value]) => [name, { S: String(value) }]));
      await client.send(new PutItemCommand({ TableName: LOCAL_API_KEYS_TABLE, Item: item, ConditionExpression: "attribute_not_exists(#key)", ExpressionAttributeNames: { "#key": API_KEYS_TABLE_KEY } }));
    },
    async getApiKey(keyId) {
      const { Item } = await client.send(new GetItemCommand({ TableName: LOCAL_API_KEYS_TABLE, Key: { [API_KEYS_TABLE_KEY]: { S: keyId } }, ConsistentRead: true }));
      return Item ? Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, value.S ?? ""])) : undefined;
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
