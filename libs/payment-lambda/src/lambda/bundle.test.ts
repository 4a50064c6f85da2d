import { execFile } from "node:child_process";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { newApiKey, usageItemId } from "@payments-dr/api-keys";
import type { APIGatewayAuthorizerResult } from "aws-lambda";
import { migrationsHash } from "../migrations/files";
import { PROBE_PUBLISH_BUDGET_MS } from "../probe/contract";
import { createAuroraLikeMaster, CURRENT_MIGRATION_VERSION, MIGRATIONS_DIR, SHIPPED_MIGRATIONS, startPostgres, type AuroraLikeMaster, type PostgresServer } from "../test-support/database";
import { LOCAL_DYNAMODB_CONFIG, startDynalite, type LocalDynamo } from "../test-support/dynalite";
import { authorizerEvent, getHealth, postPayment, VALID_PAYMENT } from "../test-support/events";

// The real build script, into a scratch folder inside the workspace (so the bundles resolve the
// external @aws-sdk/* from its node_modules, as the Lambda runtime provides them).
const WORKSPACE = resolve(__dirname, "../../../..");
const OUT = join("dist", "test-bundles", `payment-lambda-${process.pid}`);
const outDir = join(WORKSPACE, OUT);
let buildOutput: string;
let server: PostgresServer;
/** The migrate function connects as the master user on AWS, who is not a superuser: so it does here. */
let master: AuroraLikeMaster;
let dynamo: LocalDynamo;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const [built, started, local] = await Promise.all([
    promisify(execFile)(process.execPath, ["libs/payment-lambda/scripts/build.mjs", OUT], { cwd: WORKSPACE }),
    startPostgres(),
    startDynalite(),
  ]);
  buildOutput = built.stdout;
  server = started;
  dynamo = local;
  master = await createAuroraLikeMaster(server);
}, 120_000);
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([server?.stop(), dynamo?.stop()]);
  await rm(outDir, { recursive: true, force: true });
});

/** Loads a bundle the way Lambda does: a fresh module, with its environment set first. */
function loadBundle<T>(fn: string, env: Record<string, string>): T {
  Object.assign(process.env, env);
  let loaded: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(join(outDir, fn, "index.js")) as T;
  });
  return loaded!;
}

/**
 * Invokes a bundle's handler in a fresh Node process, as the Lambda runtime does: its own
 * environment, and real dynamic imports of the AWS SDK (which jest's module sandbox cannot run).
 */
async function invokeInNode<T>(fn: string, env: Record<string, string>, events: unknown[]): Promise<({ result: T } | { error: string })[]> {
  const script = `
    const { handler } = require(process.argv[1]);
    (async () => {
      const answers = [];
      for (const event of JSON.parse(process.argv[2])) {
        try {
          answers.push({ result: await handler(event) });
        } catch (error) {
          answers.push({ error: error.message });
        }
      }
      process.stdout.write(JSON.stringify(answers));
      process.exit(0); // the container's connections would keep the process alive
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, join(outDir, fn, "index.js"), JSON.stringify(events)], {
    cwd: WORKSPACE,
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return JSON.parse(stdout) as ({ result: T } | { error: string })[];
}

describe("the build", () => {
  it("writes api/index.js within its 250 KB budget, its source map outside the function's package", async () => {
    const api = await readFile(join(outDir, "api", "index.js"), "utf8");
    expect(Buffer.byteLength(api)).toBeLessThanOrEqual(250 * 1024);
    expect(api).not.toContain("sourceMappingURL");
    expect((await stat(join(outDir, "sourcemaps", "api", "index.js.map"))).isFile()).toBe(true);
    expect((await readdir(join(outDir, "api"))).sort()).toEqual(["index.js", "index.js.LEGAL.txt", "rds-ca.pem"]);
    expect(buildOutput).toMatch(/api\/index\.js: \d+\.\d KB/);
  });

  it("keeps @aws-sdk/* and the RDS CA bundle out of the JS; ships rds-ca.pem next to each bundle", async () => {
    for (const fn of ["api", "migrate", "cleanup"]) {
      const js = await readFile(join(outDir, fn, "index.js"), "utf8");
      expect(js).not.toContain("BEGIN CERTIFICATE");
      const pem = await readFile(join(outDir, fn, "rds-ca.pem"), "utf8");
      expect(pem.match(/-----BEGIN CERTIFICATE-----/g)!.length).toBeGreaterThan(50);
    }
    const api = await readFile(join(outDir, "api", "index.js"), "utf8");
    expect(api).toMatch(/import\("@aws-sdk\/lib-dynamodb"\)/);
    expect(api).not.toMatch(/class DynamoDBClient\b/);
  });

  it("leaves pg's Pool and native bindings' wrapper out of the database functions: only its Client is used", async () => {
    for (const fn of ["api", "migrate", "cleanup"]) {
      const js = await readFile(join(outDir, fn, "index.js"), "utf8");
      expect(js).toContain("SCRAM-SHA-256");
      expect(js).not.toContain("Cannot use a pool after calling end on the pool");
      expect(js).not.toContain("pg-native");
    }
  });

  it("loads without the AWS SDK and without undici: both wait for the first request that needs them", async () => {
    // pg's Cloudflare probe builds a `Response` at import on a Node without `navigator`, which
    // loads undici; the SDK clients are imported on first use. Either at import time would
    // show up in every cold start (docs/benchmarks.md).
    const probe = `
      const before = new Set(process.moduleLoadList);
      require(process.argv[1]);
      const loaded = process.moduleLoadList.filter((m) => !before.has(m) && m.includes("undici"));
      const sdk = Object.keys(require.cache).filter((file) => file.includes("@aws-sdk"));
      process.stdout.write(JSON.stringify({ loaded, sdk }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", probe, join(outDir, "api", "index.js")], {
      cwd: WORKSPACE,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: "postgres://probe@127.0.0.1:9/unused", REGION_ROLE: "primary", SESSIONS_TABLE: "sessions" },
    });
    expect(JSON.parse(stdout)).toEqual({ loaded: [], sdk: [] });
  });

  it("writes authorizer/index.js without a database: no pg, no rds-ca.pem, its source map outside the package", async () => {
    const authorizer = await readFile(join(outDir, "authorizer", "index.js"), "utf8");
    const api = await readFile(join(outDir, "api", "index.js"), "utf8");
    expect((await readdir(join(outDir, "authorizer"))).filter((file) => file !== "index.js.LEGAL.txt")).toEqual(["index.js"]);
    expect(authorizer).not.toContain("sourceMappingURL");
    expect(authorizer).not.toContain("SCRAM-SHA-256");
    expect(api).toContain("SCRAM-SHA-256");
    expect(authorizer).not.toMatch(/class DynamoDBClient\b/);
    expect((await stat(join(outDir, "sourcemaps", "authorizer", "index.js.map"))).isFile()).toBe(true);
    expect(buildOutput).toMatch(/authorizer\/index\.js: \d+\.\d KB/);
  });

  it("writes probe/index.js without a database and without the SDK in it: no pg, no rds-ca.pem, CloudWatch's client external", async () => {
    const probe = await readFile(join(outDir, "probe", "index.js"), "utf8");
    expect((await readdir(join(outDir, "probe"))).filter((file) => file !== "index.js.LEGAL.txt")).toEqual(["index.js"]);
    expect(probe).not.toContain("SCRAM-SHA-256");
    expect(probe).toContain("@aws-sdk/client-cloudwatch");
    expect(probe).not.toMatch(/class CloudWatchClient\b/);
    expect(buildOutput).toMatch(/probe\/index\.js: \d+\.\d KB/);
  });

  it("refuses to start the authorizer without API_KEYS_TABLE, naming it", async () => {
    const failed = await promisify(execFile)(process.execPath, [join(outDir, "authorizer", "index.js")], {
      cwd: WORKSPACE,
      env: { PATH: process.env.PATH ?? "" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining("API_KEYS_TABLE is required by the authorizer") });
  });

  it("ships the migrations verbatim with the migrate function (same hash as the source)", async () => {
    expect(await readdir(join(outDir, "migrate", "migrations"))).toEqual(SHIPPED_MIGRATIONS.map((name) => `${name}.sql`));
    expect(migrationsHash(join(outDir, "migrate", "migrations"))).toBe(migrationsHash(MIGRATIONS_DIR));
  });
});

describe("the bundles, run as Lambda runs them", () => {
  it("migrate applies the migrations; api serves the fixture event; cleanup runs (DATABASE_URL: no AWS)", async () => {
    // As the master user, in the database it owns (the api and cleanup connect as the app role on AWS: here as the master too).
    const env = { DATABASE_URL: master.url, REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" };
    const migrate = loadBundle<{ handler: (event: unknown) => Promise<unknown> }>("migrate", env);
    expect(await migrate.handler({ migrationsHash: migrationsHash(MIGRATIONS_DIR) })).toEqual({ applied: SHIPPED_MIGRATIONS, current: CURRENT_MIGRATION_VERSION });

    const api = loadBundle<{ handler: (event: unknown, context?: unknown) => Promise<{ statusCode: number; body: string }> }>("api", env);
    const created = await api.handler(postPayment(VALID_PAYMENT, "bundle-1"), { awsRequestId: "lambda-request-1", functionName: "payments-api" });
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ amount: 1050, currency: "EUR" });
    expect((await api.handler(getHealth())).statusCode).toBe(200);

    const cleanup = loadBundle<{ handler: (event: unknown, context: unknown) => Promise<unknown> }>("cleanup", env);
    expect(await cleanup.handler({}, { functionName: "payments-cleanup", getRemainingTimeInMillis: () => 60_000 })).toEqual({ deleted: 0, batches: 1, complete: true, backlogAgeSeconds: 0 });
  });

  it("authorizer and api chained as API Gateway chains them: the authorizer allows a stored key, its context makes the api create the payment for that merchant and record the key's use", async () => {
    const { apiKey, record } = newApiKey({ merchantId: "merchant-bundle", usageKey: "usage-bundle-0123456789abcdef" });
    await dynamo.documents.send(new PutCommand({ TableName: dynamo.apiKeysTable, Item: record }));
    // Lambda's environment: the function's own variables plus the region and credentials it runs with.
    const env = {
      AWS_REGION: LOCAL_DYNAMODB_CONFIG.region as string,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
      API_KEYS_TABLE: dynamo.apiKeysTable,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    };
    const unknownKey = newApiKey({ merchantId: "merchant-bundle" }).apiKey;
    const [refused, allowed] = await invokeInNode<APIGatewayAuthorizerResult>("authorizer", env, [
      authorizerEvent({ authorization: `Bearer ${unknownKey}` }),
      authorizerEvent({ authorization: `Bearer ${apiKey}` }),
    ]);
    expect(refused).toEqual({ error: "Unauthorized" });
    expect(allowed).toMatchObject({ result: { principalId: "merchant-bundle", context: { merchantId: "merchant-bundle", keyId: record.keyId }, usageIdentifierKey: "usage-bundle-0123456789abcdef" } });

    const context = (allowed as { result: APIGatewayAuthorizerResult }).result.context!;
    const caller = { merchantId: String(context.merchantId), keyId: String(context.keyId) };
    const [created] = await invokeInNode<{ statusCode: number; body: string }>("api", { ...env, DATABASE_URL: master.url, REGION_ROLE: "primary" }, [
      postPayment(VALID_PAYMENT, "bundle-authorized", { caller }),
    ]);
    expect(created).toMatchObject({ result: { statusCode: 201 } });
    expect(JSON.parse((created as { result: { body: string } }).result.body)).toMatchObject({ merchantId: "merchant-bundle" });
    // The use went to the key's usage item of the function's region (AWS_REGION), not to the key's item.
    const usage = await dynamo.documents.send(new GetCommand({ TableName: dynamo.apiKeysTable, Key: { keyId: usageItemId(env.AWS_REGION, record.keyId) } }));
    expect(usage.Item?.lastUsedAt).toEqual(expect.any(String));
    const key = await dynamo.documents.send(new GetCommand({ TableName: dynamo.apiKeysTable, Key: { keyId: record.keyId } }));
    expect(key.Item?.lastUsedAt).toBeUndefined();
  });

  it("probe publishes each probe of the target's /health to CloudWatch: PutMetricData, 0 for a 503, one-second resolution", async () => {
    const listen = async (listener: RequestListener) => {
      const server = createServer(listener);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const health = await listen((_request, response) => response.writeHead(503, { "content-type": "application/problem+json" }).end('{"type":"tag:payments-dr,2025:problems/region-unavailable","status":503,"role":"primary"}'));
    const calls: { target: string | undefined; body: { Namespace: string; MetricData: Record<string, unknown>[] } }[] = [];
    // CloudWatch's AWS JSON 1.0 protocol, as the SDK of this workspace speaks it (the Lambda runtime brings its own).
    const cloudWatch = await listen((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        calls.push({ target: request.headers["x-amz-target"] as string | undefined, body: JSON.parse(body) });
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
      });
    });
    try {
      const script = `
        const { handler } = require(process.argv[1]);
        const started = Date.now();
        handler({}, { getRemainingTimeInMillis: () => Number(process.argv[2]) - (Date.now() - started) })
          .then((run) => { process.stdout.write(JSON.stringify(run)); process.exit(0); }, (error) => { console.error(error); process.exit(1); });`;
      // Room for two probes a second apart: the second starts when its timeout and the publication budget still fit.
      const remainingMs = 1000 + 500 + PROBE_PUBLISH_BUDGET_MS + 400;
      const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, join(outDir, "probe", "index.js"), String(remainingMs)], {
        cwd: WORKSPACE,
        env: {
          PATH: process.env.PATH ?? "",
          PROBE_TARGET_URL: `${health.url}/prod/health`,
          PROBE_TARGET: "primary",
          PROBE_INTERVAL_MS: "1000",
          PROBE_CONNECT_TIMEOUT_MS: "250",
          PROBE_ANSWER_TIMEOUT_MS: "250",
          AWS_REGION: "us-east-2",
          AWS_ACCESS_KEY_ID: "local",
          AWS_SECRET_ACCESS_KEY: "local",
          AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
          POWERTOOLS_LOG_LEVEL: "SILENT",
        },
      });
      expect(JSON.parse(stdout)).toEqual({ probes: 2, healthy: 0, published: 2 });
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.target).toBe("GraniteServiceVersion20100801.PutMetricData");
        expect(call.body).toMatchObject({
          Namespace: "PaymentsDr/Probe",
          MetricData: [{ MetricName: "ApiHealthy", Dimensions: [{ Name: "Target", Value: "primary" }], Value: 0, StorageResolution: 1 }],
        });
      }
    } finally {
      health.server.close();
      cloudWatch.server.close();
    }
  });
});
