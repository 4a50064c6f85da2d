import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

// dynalite ships no types: its factory returns an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** Static fake credentials for local stand-ins of AWS (dynalite checks none): nothing local may sign with real ones. */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** A table keyed by one string attribute, on demand, as the stacks create theirs. */
export interface LocalTable {
  name: string;
  /** The partition key (type S); no sort key. */
  hashKey: string;
}

/** A running dynalite. */
export interface LocalDynamoDbServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Stops the server. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * dynalite (DynamoDB's API, in memory, in this process) on a free loopback port, with `tables`
 * created and active: table operations take no simulated time.
 */
export async function startDynalite(tables: readonly LocalTable[]): Promise<LocalDynamoDbServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: FAKE_AWS_CREDENTIALS });
  try {
    for (const { name, hashKey } of tables) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
