import { execFile } from "node:child_process";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { migrationsHash } from "../migrations/files";
import { MIGRATIONS_DIR, startPostgres, type PostgresServer } from "../test-support/database";
import { getHealth, postPayment, VALID_PAYMENT } from "../test-support/events";

// The real build script, into a scratch folder inside the workspace (so the bundles resolve the
// external @aws-sdk/* from its node_modules, as the Lambda runtime provides them).
const WORKSPACE = resolve(__dirname, "../../../..");
const OUT = join("dist", "test-bundles", `payment-lambda-${process.pid}`);
const outDir = join(WORKSPACE, OUT);
let buildOutput: string;
let server: PostgresServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const [built, started] = await Promise.all([
    promisify(execFile)(process.execPath, ["libs/payment-lambda/scripts/build.mjs", OUT], { cwd: WORKSPACE }),
    startPostgres(),
  ]);
  buildOutput = built.stdout;
  server = started;
}, 120_000);
afterAll(async () => {
  process.env = savedEnv;
  await server?.stop();
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
    for (const fn of ["api", "migrate"]) {
      const js = await readFile(join(outDir, fn, "index.js"), "utf8");
      expect(js).not.toContain("BEGIN CERTIFICATE");
      const pem = await readFile(join(outDir, fn, "rds-ca.pem"), "utf8");
      expect(pem.match(/-----BEGIN CERTIFICATE-----/g)!.length).toBeGreaterThan(50);
    }
    const api = await readFile(join(outDir, "api", "index.js"), "utf8");
    expect(api).toMatch(/import\("@aws-sdk\/lib-dynamodb"\)/);
    expect(api).not.toMatch(/class DynamoDBClient\b/);
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

  it("ships the migrations verbatim with the migrate function (same hash as the source)", async () => {
    expect(await readdir(join(outDir, "migrate", "migrations"))).toEqual(["001_create_payments.sql", "002_create_idempotency_keys.sql"]);
    expect(migrationsHash(join(outDir, "migrate", "migrations"))).toBe(migrationsHash(MIGRATIONS_DIR));
  });
});

describe("the bundles, run as Lambda runs them", () => {
  it("migrate applies the migrations; api serves the fixture event (DATABASE_URL: no AWS)", async () => {
    const env = { DATABASE_URL: server.url, REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" };
    const migrate = loadBundle<{ handler: (event: unknown) => Promise<unknown> }>("migrate", env);
    expect(await migrate.handler({ migrationsHash: migrationsHash(MIGRATIONS_DIR) })).toEqual({ applied: ["001_create_payments", "002_create_idempotency_keys"], current: "002" });

    const api = loadBundle<{ handler: (event: unknown, context?: unknown) => Promise<{ statusCode: number; body: string }> }>("api", env);
    const created = await api.handler(postPayment(VALID_PAYMENT, "bundle-1"), { awsRequestId: "lambda-request-1", functionName: "payments-api" });
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ amount: 1050, currency: "EUR" });
    expect((await api.handler(getHealth())).statusCode).toBe(200);
  });
});
