import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { startPostgres, type PostgresServer } from "@payments-dr/testing";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { applyMigrations } from "./migrations";
import { workspaceRequire } from "./paths";

/** Arguments of {@link startBackingServices}. */
export interface BackingOptions {
  /** The caller's environment: DATABASE_URL, DYNAMODB_ENDPOINT, SESSIONS_TABLE, REGION_ROLE, DB_*_TIMEOUT_MS, POWERTOOLS_*. */
  env: NodeJS.ProcessEnv;
  /** "local": an in-process dynalite with the sessions table. @default sessions from the environment, else off */
  sessions?: "local";
  /** One line per decision (database, migrations, sessions). */
  log(line: string): void;
}

/** What the function runs against. */
export interface BackingServices {
  /** The function's whole environment, as Lambda would set it from the stack's configuration. */
  readonly functionEnv: Record<string, string>;
  /** The throwaway PostgreSQL, when one was started (no DATABASE_URL). */
  readonly postgres?: PostgresServer;
  /** Stops what was started here (PostgreSQL, dynalite). Safe to call twice. */
  stop(): Promise<void>;
}

/** The local sessions table, shaped like the stack's (partition key sessionId). */
export const LOCAL_SESSIONS_TABLE = "payments-dr-sessions-local";
/** Static fake credentials for a local DynamoDB endpoint, which checks none: a local run never signs with real ones. */
const LOCAL_AWS = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };

/** The caller's variables the function may see: its contract (libs/payment-lambda README), nothing else. */
const PASSED_THROUGH = /^(REGION_ROLE|DB_CONNECT_TIMEOUT_MS|DB_STATEMENT_TIMEOUT_MS|POWERTOOLS_\w+|TZ)$/;

/**
 * The Lambda runtime's own variables that the handler's libraries read. The SDK's warning about
 * Node < 22 is about this machine's Node, not the function's nodejs22.x: said once by the adapter
 * instead of once per container.
 */
const LAMBDA_RUNTIME_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "payments-api",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

function passedThrough(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => PASSED_THROUGH.test(entry[0]) && entry[1] !== undefined));
}

interface Dynalite {
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite in memory, in this process, on a free loopback port, with the sessions table created. */
async function startDynalite(): Promise<Dynalite> {
  // dynalite ships no types: its factory returns an http.Server.
  const dynalite = workspaceRequire("dynalite") as (options: { createTableMs: number }) => Server;
  const { CreateTableCommand, DynamoDBClient } = workspaceRequire("@aws-sdk/client-dynamodb") as typeof DynamoDB;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({ endpoint, region: LOCAL_AWS.AWS_REGION, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_SESSIONS_TABLE,
        KeySchema: [{ AttributeName: "sessionId", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "sessionId", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}

/**
 * The database and sessions for a local run, and the function's environment:
 * - database: DATABASE_URL, else a throwaway PostgreSQL (tools/testing); the migrations are
 *   applied either way (by the built migrate function; a second run is a no-op);
 * - sessions: `--sessions local` → dynalite; DYNAMODB_ENDPOINT + SESSIONS_TABLE → those; else off;
 * - REGION_ROLE defaults to primary.
 */
export async function startBackingServices(options: BackingOptions): Promise<BackingServices> {
  const { env, log } = options;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
  };
  try {
    let postgres: PostgresServer | undefined;
    let databaseUrl = env.DATABASE_URL?.trim();
    if (databaseUrl) log("database: DATABASE_URL");
    else {
      const server = await startPostgres();
      stops.push(() => server.stop());
      postgres = server;
      databaseUrl = server.url;
      log(`database: throwaway PostgreSQL ${postgres.version} on 127.0.0.1:${postgres.port} (removed on exit)`);
    }
    const migrated = await applyMigrations(databaseUrl);
    log(`migrations: ${migrated.applied.length > 0 ? `applied ${migrated.applied.join(", ")}` : "up to date"} (current ${migrated.current})`);

    const functionEnv: Record<string, string> = { REGION_ROLE: "primary", ...LAMBDA_RUNTIME_ENV, ...passedThrough(env), DATABASE_URL: databaseUrl };
    if (options.sessions === "local") {
      const dynalite = await startDynalite();
      stops.push(dynalite.stop);
      Object.assign(functionEnv, LOCAL_AWS, { DYNAMODB_ENDPOINT: dynalite.endpoint, SESSIONS_TABLE: LOCAL_SESSIONS_TABLE });
      log(`sessions: local dynalite at ${dynalite.endpoint}, table ${LOCAL_SESSIONS_TABLE}`);
    } else if (env.DYNAMODB_ENDPOINT && env.SESSIONS_TABLE) {
      Object.assign(functionEnv, LOCAL_AWS, { DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT, SESSIONS_TABLE: env.SESSIONS_TABLE });
      log(`sessions: table ${env.SESSIONS_TABLE} at ${env.DYNAMODB_ENDPOINT}`);
    } else {
      log("sessions: off (set DYNAMODB_ENDPOINT and SESSIONS_TABLE, or pass --sessions local); GETs read PostgreSQL");
    }
    log(`region role: ${functionEnv.REGION_ROLE}`);
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) log(`note: running on Node ${process.version}; the function's runtime in AWS is nodejs22.x`);
    return { functionEnv, postgres, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
