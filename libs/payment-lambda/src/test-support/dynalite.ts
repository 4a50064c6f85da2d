import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
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

/** A local DynamoDB-compatible server (in memory) with a sessions table shaped like the stack's. */
export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynalite(tableName = "payments-dr-sessions-test"): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...LOCAL_DYNAMODB_CONFIG, endpoint });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: "sessionId", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "sessionId", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return {
    endpoint,
    tableName,
    client,
    stop: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
