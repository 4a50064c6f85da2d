import { randomBytes } from "node:crypto";
import { newApiKey } from "@payments-dr/api-keys";
import { startPostgres, type PostgresServer } from "@payments-dr/testing";
import { DEFAULT_MERCHANT } from "./cli-args";
import { LOCAL_API_KEYS_TABLE, LOCAL_AWS_ENV, LOCAL_SESSIONS_TABLE, startLocalDynamoDb, type LocalDynamoDb } from "./local-dynamodb";
import { applyMigrations } from "./migrations";

/** Arguments of {@link startBackingServices}. */
export interface BackingOptions {
  /** The caller's environment: DATABASE_URL, DYNAMODB_ENDPOINT, SESSIONS_TABLE, REGION_ROLE, DB_*_TIMEOUT_MS, POWERTOOLS_*. */
  env: NodeJS.ProcessEnv;
  /** "local": the sessions table in the in-process dynalite. @default sessions from the environment, else off */
  sessions?: "local";
  /** The merchant of the API key created at start-up. @default "merchant-42" */
  merchant?: string;
  /** One line per decision (database, migrations, keys, sessions). */
  log(line: string): void;
}

/** The API key created at start-up: valid while this run lasts (its table is in memory). */
export interface LocalApiKey {
  /** `pdr_<keyId>_<secret>`: what a client sends as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  readonly keyId: string;
  readonly merchantId: string;
  /** Its merchant's usage key, the one key of the local usage plan (API Gateway requires the authorizer to name it). */
  readonly usageKey: string;
}

/** What the functions run against. */
export interface BackingServices {
  /** The api function's whole environment, as Lambda would set it from the stack's configuration. */
  readonly functionEnv: Record<string, string>;
  /** The `/health` function's: the api's database settings, no DynamoDB (as the stack sets it). */
  readonly healthEnv: Record<string, string>;
  /** The authorizer's whole environment: the keys table, its endpoint, POWERTOOLS_*. */
  readonly authorizerEnv: Record<string, string>;
  readonly apiKey: LocalApiKey;
  /** The in-process dynalite with the keys table (and the sessions table with `--sessions local`). */
  readonly dynamoDb: LocalDynamoDb;
  /** The throwaway PostgreSQL, when one was started (no DATABASE_URL). */
  readonly postgres?: PostgresServer;
  /** Stops what was started here (PostgreSQL, dynalite). Safe to call twice. */
  stop(): Promise<void>;
}

/** The caller's variables the function may see: its contract (libs/payment-lambda README), nothing else. */
const PASSED_THROUGH = /^(REGION_ROLE|DB_CONNECT_TIMEOUT_MS|DB_STATEMENT_TIMEOUT_MS|POWERTOOLS_\w+|TZ)$/;
/** The authorizer's contract reads only these of the caller's variables. */
const AUTHORIZER_PASSED_THROUGH = /^(POWERTOOLS_\w+|TZ)$/;

/**
 * The Lambda runtime's own variables that the handler's libraries read. The SDK's warning about
 * Node < 22 is about this machine's Node, not the function's nodejs22.x: said once by the adapter
 * instead of once per container.
 */
function lambdaRuntimeEnv(functionName: string, memoryMb: number): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

function passedThrough(env: NodeJS.ProcessEnv, names: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => names.test(entry[0]) && entry[1] !== undefined));
}

/**
 * The database, DynamoDB and API key for a local run, and the functions' environments:
 * - database: DATABASE_URL, else a throwaway PostgreSQL (tools/testing); the migrations are
 *   applied either way (by the built migrate function; a second run is a no-op);
 * - API keys: always an in-process dynalite with the keys table, and one new key for `merchant`
 *   (newApiKey, with a usage key, the one key of the local usage plan); the authorizer reads it there, the
 *   api function records its lastUsedAt there;
 * - sessions: `--sessions local` → a sessions table in that dynalite; DYNAMODB_ENDPOINT +
 *   SESSIONS_TABLE → those, and then the api function (one DynamoDB endpoint) records no lastUsedAt;
 *   else off;
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

    const dynamoDb = await startLocalDynamoDb({ sessions: options.sessions === "local" });
    stops.push(dynamoDb.stop);
    const usageKey = `local-usage-${randomBytes(16).toString("hex")}`;
    const { apiKey, record } = newApiKey({ merchantId: options.merchant ?? DEFAULT_MERCHANT, label: "local-api", usageKey });
    await dynamoDb.putApiKey(record);
    const keysEnv = { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: dynamoDb.endpoint, API_KEYS_TABLE: LOCAL_API_KEYS_TABLE };
    log(`api keys: local dynalite at ${dynamoDb.endpoint}, table ${LOCAL_API_KEYS_TABLE}; key ${record.keyId} for merchant ${record.merchantId}`);

    const databaseEnv = { REGION_ROLE: "primary", ...passedThrough(env, PASSED_THROUGH), DATABASE_URL: databaseUrl };
    // The service names the stack gives each function (libs/serverless-api), unless the caller sets POWERTOOLS_SERVICE_NAME.
    const functionEnv: Record<string, string> = { ...lambdaRuntimeEnv("payments-api", 1024), POWERTOOLS_SERVICE_NAME: "payments-api", ...databaseEnv };
    const healthEnv = { ...lambdaRuntimeEnv("payments-health", 1024), POWERTOOLS_SERVICE_NAME: "payments-health", ...databaseEnv };
    if (options.sessions === "local") {
      Object.assign(functionEnv, keysEnv, { SESSIONS_TABLE: LOCAL_SESSIONS_TABLE });
      log(`sessions: local dynalite, table ${LOCAL_SESSIONS_TABLE}`);
    } else if (env.DYNAMODB_ENDPOINT && env.SESSIONS_TABLE) {
      Object.assign(functionEnv, LOCAL_AWS_ENV, { DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT, SESSIONS_TABLE: env.SESSIONS_TABLE });
      log(`sessions: table ${env.SESSIONS_TABLE} at ${env.DYNAMODB_ENDPOINT}; the api function has one DynamoDB endpoint, so it records no lastUsedAt`);
    } else {
      Object.assign(functionEnv, keysEnv);
      log("sessions: off (set DYNAMODB_ENDPOINT and SESSIONS_TABLE, or pass --sessions local); GETs read PostgreSQL");
    }
    const authorizerEnv = { ...lambdaRuntimeEnv("payments-authorizer", 256), POWERTOOLS_SERVICE_NAME: "payments-authorizer", ...passedThrough(env, AUTHORIZER_PASSED_THROUGH), ...keysEnv };
    log(`region role: ${functionEnv.REGION_ROLE}`);
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) log(`note: running on Node ${process.version}; the function's runtime in AWS is nodejs22.x`);
    return { functionEnv, healthEnv, authorizerEnv, apiKey: { apiKey, keyId: record.keyId, merchantId: record.merchantId, usageKey }, dynamoDb, postgres, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
