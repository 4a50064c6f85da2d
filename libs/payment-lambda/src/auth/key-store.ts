import { API_KEYS_TABLE_KEY } from "@payments-dr/api-keys";
import type { DynamoDbProvider } from "../aws/dynamodb";

/** Where the authorizer finds API keys. */
export interface ApiKeyStore {
  /** The stored item of `keyId` as the table holds it (unparsed), or undefined. @throws when the table cannot be read. */
  get(keyId: string): Promise<Record<string, unknown> | undefined>;
}

/** Options of {@link dynamoApiKeyStore}. */
export interface DynamoApiKeyStoreOptions {
  /** This region's replica of the keys table: authentication never crosses to the other region. */
  tableName: string;
  dynamoDb: DynamoDbProvider;
}

/**
 * The keys table, read eventually consistently: a replica serves strongly consistent reads only
 * for its own region's writes, and a key created or revoked in the other region arrives here by
 * replication either way.
 */
export function dynamoApiKeyStore(options: DynamoApiKeyStoreOptions): ApiKeyStore {
  return {
    async get(keyId) {
      const { client, commands } = await options.dynamoDb();
      const { Item } = await client.send(new commands.GetCommand({ TableName: options.tableName, Key: { [API_KEYS_TABLE_KEY]: keyId }, ConsistentRead: false }));
      return Item;
    },
  };
}
