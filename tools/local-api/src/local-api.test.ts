import { usageItemId } from "@payments-dr/api-keys";
import { FAKE_AWS_CREDENTIALS, startPostgres, type PostgresServer } from "@payments-dr/testing";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { startBackingServices, type BackingServices } from "./backing";
import { InitError } from "./container";
import { send } from "./http-client";
import { API_BUNDLE, AUTHORIZER_BUNDLE, LOCAL_API_DIST, MIGRATE_BUNDLE, WORKER_SCRIPT } from "./paths";
import { LOCAL_API_KEYS_TABLE, LOCAL_AWS_ENV, LOCAL_SESSIONS_TABLE } from "./local-dynamodb";
import { MAX_REQUEST_BYTES, startLocalApi, type LocalApi } from "./server";

const SERVE_SCRIPT = join(LOCAL_API_DIST, "serve.js");
const CONTAINERS = 3;
const MERCHANT = "merchant-local-7";
const PAYMENT = { amount: 1050, currency: "EUR", reference: "order-1001", description: "Two coffees" };
const WRONG_KEY = "pdr_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

let postgres: PostgresServer;
let backing: BackingServices;
let api: LocalApi;
let scratch: string;

beforeAll(async () => {
  const missing = [API_BUNDLE, AUTHORIZER_BUNDLE, MIGRATE_BUNDLE, WORKER_SCRIPT, SERVE_SCRIPT].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`Not built: ${missing.join(", ")}. Run \`npx nx run local-api:test\`, which builds payment-lambda and local-api first.`);
  // The test's own DynamoDB client (backing's) would warn about this machine's Node.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  postgres = await startPostgres();
  // As serve.js does: migrations, the in-process dynalite with the keys table, one key for MERCHANT.
  backing = await startBackingServices({
    env: { DATABASE_URL: postgres.url, POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
    merchant: MERCHANT,
    log: () => undefined,
  });
  api = await startLocalApi({
    port: 0,
    concurrency: CONTAINERS,
    env: backing.functionEnv,
    authorizer: { env: backing.authorizerEnv, usageKeys: new Set([backing.apiKey.usageKey]) },
    health: { env: backing.healthEnv },
  });
  scratch = await mkdtemp(join(tmpdir(), "local-api-test-"));
});

afterAll(async () => {
  await api?.close();
  await backing?.stop();
  await postgres?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

function postPayment(idempotencyKey: string, body: unknown = PAYMENT, headers: Record<string, string> = bearer(backing.apiKey.apiKey), url = api.url) {
  return send(`${url}/payments`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey, ...headers }, body: JSON.stringify(body) });
}

/** Invocations so far: [api function, authorizer]. */
const invocations = (of: LocalApi = api) => [of.stats().served, of.authorizerStats().served];

async function scalar(sql: string): Promise<number> {
  const client = new Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(sql)).rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function expectUnauthorized(answer: { status: number; headers: Record<string, unknown>; body: string }): void {
  expect(answer.status).toBe(401);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  expect(answer.headers["www-authenticate"]).toBe("Bearer");
  expect(JSON.parse(answer.body)).toEqual({
    type: "tag:payments-dr,2025:problems/unauthorized",
    title: "Unauthorized",
    status: 401,
    detail: "Send a valid API key as Authorization: Bearer <key>.",
    requestId: answer.headers["x-amzn-requestid"],
  });
}

/** A stand-in bundle: `source` is the body of `exports.handler = async (event, context) => { … }`. */
async function fakeBundle(name: string, source: string): Promise<string> {
  const file = join(scratch, `${name}.js`);
  await writeFile(file, `exports.handler = async (event, context) => { ${source} };\n`);
  return file;
}

/** The stack's DEFAULT_4XX / DEFAULT_5XX problem (no `status` member: the stack's template has none). */
function expectDefaultProblem(answer: { status: number; headers: Record<string, unknown>; body: string }, status: number, slug: string, errorType: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers).toMatchObject({ "content-type": "application/problem+json", "cache-control": "no-store", "x-amzn-errortype": errorType });
  expect(JSON.parse(answer.body)).toEqual({ type: `tag:payments-dr,2025:problems/${slug}`, title: expect.any(String), detail: expect.any(String), requestId: answer.headers["x-amzn-requestid"] });
}

describe("the local API, running the built api and authorizer bundles over real HTTP", () => {
  it("answers a payments request without a key with the gateway's 401 problem+json, invoking neither the authorizer nor the function", async () => {
    const before = invocations();
    expectUnauthorized(await postPayment("no-key", PAYMENT, {}));
    expectUnauthorized(await send(`${api.url}/payments/4b0a6d56-1f1e-4a4c-9a53-0b7f2b0a5c11`));
    expectUnauthorized(await postPayment("empty-key", PAYMENT, { Authorization: "" }));
    expect(invocations()).toEqual(before);
  });

  it("answers a wrong key with the same 401: the authorizer refused it, the function never ran", async () => {
    const before = invocations();
    expectUnauthorized(await postPayment("wrong-key", PAYMENT, bearer(WRONG_KEY)));
    expectUnauthorized(await postPayment("not-bearer", PAYMENT, { Authorization: `Basic ${backing.apiKey.apiKey}` }));
    expect(invocations()).toEqual([before[0], before[1]! + 2]);
  });

  it("with the key: POST creates the key's merchant's payment, GET reads it back, a retry replays; the authorizer runs once within its TTL", async () => {
    const before = invocations();
    const created = await postPayment("local-api-1");
    expect(created.status).toBe(201);
    expect(created.headers["content-type"]).toBe("application/json");
    const payment = JSON.parse(created.body);
    expect(payment).toMatchObject({ ...PAYMENT, merchantId: MERCHANT, status: "created" });
    expect(created.headers.location).toBe(`/payments/${payment.id}`);
    expect(created.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);

    const read = await send(`${api.url}${created.headers.location}`, { headers: bearer(backing.apiKey.apiKey) });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual(payment);

    const replayed = await postPayment("local-api-1");
    expect(replayed.status).toBe(201);
    expect(replayed.headers["idempotency-replayed"]).toBe("true");
    expect(JSON.parse(replayed.body)).toEqual(payment);
    // Three function invocations, one authorizer invocation: the GET and the retry used the cached allow.
    expect(invocations()).toEqual([before[0]! + 3, before[1]! + 1]);
    // The api function recorded the key's use in the keys table: in its usage item of this region.
    expect((await backing.dynamoDb.getApiKey(usageItemId(LOCAL_AWS_ENV.AWS_REGION, backing.apiKey.keyId)))?.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("refuses a body merchantId with the function's 400, even with a valid key", async () => {
    const refused = await postPayment("local-api-merchant", { ...PAYMENT, merchantId: "merchant-other" });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ errors: [{ field: "merchantId", message: "is not allowed: the merchant comes from the API key" }] });
  });

  it("serves /health without a key and without the authorizer, on a function of its own", async () => {
    const before = [...invocations(), api.healthStats().served];
    const health = await send(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toBe('{"status":"ok","role":"primary"}');
    expect([...invocations(), api.healthStats().served]).toEqual([before[0], before[1], before[2]! + 1]);
  });

  it("passes the API Gateway request id through to the handler's problem responses", async () => {
    const refused = await postPayment("local-api-2", { ...PAYMENT, amount: -1 });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ requestId: refused.headers["x-amzn-requestid"], errors: [{ field: "amount" }] });
  });

  it("answers a path or method the API does not declare as API Gateway does, invoking neither the authorizer nor the function: the stack's 404 naming the routes; with an Authorization header, its DEFAULT_4XX 403", async () => {
    const before = invocations();
    const undeclared: [string, string][] = [["GET", "/refunds/1"], ["DELETE", "/payments"], ["GET", "/payments"], ["POST", "/health"], ["GET", "/payments/1/refunds"]];
    for (const [method, path] of undeclared) {
      const anonymous = await send(`${api.url}${path}`, { method });
      expect(anonymous.status).toBe(404);
      expect(anonymous.headers).toMatchObject({ "content-type": "application/problem+json", "x-amzn-errortype": "MissingAuthenticationTokenException" });
      expect(JSON.parse(anonymous.body)).toMatchObject({ type: "tag:payments-dr,2025:problems/not-found", status: 404, detail: expect.stringContaining("POST /payments"), requestId: anonymous.headers["x-amzn-requestid"] });
      expectDefaultProblem(await send(`${api.url}${path}`, { method, headers: bearer(backing.apiKey.apiKey) }), 403, "request-rejected", "IncompleteSignatureException");
    }
    expect(invocations()).toEqual(before);
  });

  it("answers a body over API Gateway's 10 MB with the gateway's 413 (the stack's DEFAULT_4XX), invoking nothing", async () => {
    const before = invocations();
    const answer = await postPayment("too-large", "x".repeat(MAX_REQUEST_BYTES));
    expectDefaultProblem(answer, 413, "request-rejected", "RequestTooLargeException");
    expect(invocations()).toEqual(before);
  });

  it("produces no base64 either way: a binary upload reaches the handler as text and its 415 comes back as JSON text", async () => {
    const upload = await send(`${api.url}/payments`, {
      method: "POST",
      headers: { ...bearer(backing.apiKey.apiKey), "Content-Type": "application/octet-stream", "Idempotency-Key": "local-api-3" },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]),
    });
    expect(upload.status).toBe(415);
    expect(upload.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(upload.body)).toMatchObject({ status: 415 });
  });

  it(`${CONTAINERS} containers serve ${CONTAINERS} requests in parallel, one at a time each; request ${CONTAINERS + 1} waits for a free one`, async () => {
    const locker = new Client({ connectionString: postgres.url });
    await locker.connect();
    const waitingOnLock = () => scalar("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'payments-writer' AND wait_event_type = 'Lock'");
    try {
      // Every payment INSERT now blocks (within the handler's 5 s statement_timeout) until COMMIT.
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE payments IN EXCLUSIVE MODE");
      const requests = Array.from({ length: CONTAINERS + 1 }, (_, i) => postPayment(`parallel-${i}`));
      await waitFor(async () => (await waitingOnLock()) === CONTAINERS && api.stats().queued === 1, 3000);
      expect(api.stats()).toMatchObject({ containers: CONTAINERS, threads: Math.min(CONTAINERS, availableParallelism()), busy: CONTAINERS, queued: 1 });
      expect(await waitingOnLock()).toBe(CONTAINERS);
      // /health is another function: it answers at once, not after the payments ahead of it.
      expect((await send(`${api.url}/health`)).status).toBe(200);
      expect(api.stats()).toMatchObject({ busy: CONTAINERS, queued: 1 });
      await locker.query("COMMIT");
      expect((await Promise.all(requests)).map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    } finally {
      await locker.end();
    }
    // One connection per container (the /health function's too), each opened by its own instance of the bundle.
    expect(await scalar("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'payments-writer'")).toBe(CONTAINERS + api.healthStats().containers);
    expect(api.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it("refuses to start a function whose environment is invalid, naming the variable", async () => {
    const { REGION_ROLE: _unset, ...withoutRole } = backing.functionEnv;
    const authorizer = { env: backing.authorizerEnv };
    await expect(startLocalApi({ port: 0, env: withoutRole, authorizer })).rejects.toThrow(InitError);
    await expect(startLocalApi({ port: 0, env: withoutRole, authorizer })).rejects.toThrow(/REGION_ROLE must be/);
    const { API_KEYS_TABLE: _none, ...authorizerWithoutTable } = backing.authorizerEnv;
    await expect(startLocalApi({ port: 0, env: backing.functionEnv, authorizer: { env: authorizerWithoutTable } })).rejects.toThrow(/API_KEYS_TABLE/);
  });
});

describe("the local API when the function fails or the port is taken", () => {
  it("answers a function that throws, or takes its container down, with the gateway's 502 (DEFAULT_5XX), logging why", async () => {
    const failing = await fakeBundle("failing-health", `
      if (event.queryStringParameters?.fail === "throw") throw new TypeError("no such payment table");
      if (event.queryStringParameters?.fail === "exit") process.exit(4);
      return { statusCode: 200, body: "ok" };`);
    const lines: string[] = [];
    const local = await startLocalApi({ port: 0, env: {}, handlerModule: failing, authorizer: { env: backing.authorizerEnv }, log: (line) => lines.push(line) });
    try {
      const threw = await send(`${local.url}/health?fail=throw`);
      expectDefaultProblem(threw, 502, "internal-error", "InternalServerErrorException");
      expect(lines).toContain(`${threw.headers["x-amzn-requestid"]}: handler threw TypeError: no such payment table`);
      const crashed = await send(`${local.url}/health?fail=exit`);
      expectDefaultProblem(crashed, 502, "internal-error", "InternalServerErrorException");
      expect(lines.find((line) => line.startsWith(`${crashed.headers["x-amzn-requestid"]}: container crashed (`))).toBeDefined();
      // The next request gets a new container.
      expect((await send(`${local.url}/health`)).body).toBe("ok");
    } finally {
      await local.close();
    }
  });

  it("refuses to start on a port in use, with the listen error (serve's --port on a taken port)", async () => {
    await expect(startLocalApi({ port: api.port, env: backing.functionEnv, authorizer: { env: backing.authorizerEnv } })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("startBackingServices", () => {
  const quiet = { log: () => undefined };

  it("with --sessions local gives the function the sessions table in the local dynalite, as well as the keys table", async () => {
    const lines: string[] = [];
    const local = await startBackingServices({ env: { DATABASE_URL: postgres.url }, sessions: "local", log: (line) => lines.push(line) });
    try {
      expect(local.functionEnv).toMatchObject({ SESSIONS_TABLE: LOCAL_SESSIONS_TABLE, API_KEYS_TABLE: LOCAL_API_KEYS_TABLE, DYNAMODB_ENDPOINT: local.dynamoDb.endpoint });
      expect(lines).toContain(`sessions: local dynalite, table ${LOCAL_SESSIONS_TABLE}`);
      const client = new DynamoDBClient({ endpoint: local.dynamoDb.endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: FAKE_AWS_CREDENTIALS });
      try {
        expect((await client.send(new DescribeTableCommand({ TableName: LOCAL_SESSIONS_TABLE }))).Table?.KeySchema).toEqual([{ AttributeName: "sessionId", KeyType: "HASH" }]);
      } finally {
        client.destroy();
      }
    } finally {
      await local.stop();
    }
  });

  it("with DYNAMODB_ENDPOINT and SESSIONS_TABLE gives the function that endpoint and table, and no keys table (one endpoint: no lastUsedAt)", async () => {
    const env = { DATABASE_URL: postgres.url, DYNAMODB_ENDPOINT: "http://127.0.0.1:8000", SESSIONS_TABLE: "my-sessions", AWS_PROFILE: "prod", REGION_ROLE: "dr" };
    const local = await startBackingServices({ env, ...quiet });
    try {
      expect(local.functionEnv).toMatchObject({ DYNAMODB_ENDPOINT: "http://127.0.0.1:8000", SESSIONS_TABLE: "my-sessions", REGION_ROLE: "dr", ...LOCAL_AWS_ENV });
      expect(local.functionEnv).not.toHaveProperty("API_KEYS_TABLE");
      expect(local.functionEnv).not.toHaveProperty("AWS_PROFILE");
      // The authorizer still reads the local keys table.
      expect(local.authorizerEnv).toMatchObject({ API_KEYS_TABLE: LOCAL_API_KEYS_TABLE, DYNAMODB_ENDPOINT: local.dynamoDb.endpoint });
    } finally {
      await local.stop();
    }
  });

  it("fails with the migrate function's error when the database refuses it", async () => {
    // A refused password fails at once; a closed port the migrate function would retry for its whole wait for the writer (60 s).
    const wrongPassword = postgres.url.replace(postgres.password, "not-the-password");
    await expect(startBackingServices({ env: { DATABASE_URL: wrongPassword }, ...quiet })).rejects.toThrow(/^The migrate function failed: \w+: .*password authentication failed/);
  });
});

describe("the local API when the authorizer cannot allow", () => {
  it("answers the gateway's 503 problem+json with Retry-After when the authorizer fails (keys table unreachable), and caches nothing", async () => {
    const lines: string[] = [];
    const keysDown = { ...backing.authorizerEnv, DYNAMODB_ENDPOINT: "http://127.0.0.1:9" };
    const unreachable = await startLocalApi({ port: 0, env: backing.functionEnv, authorizer: { env: keysDown }, log: (line) => lines.push(line) });
    try {
      for (const key of ["down-1", "down-2"]) {
        const answer = await postPayment(key, PAYMENT, bearer(backing.apiKey.apiKey), unreachable.url);
        expect(answer.status).toBe(503);
        expect(answer.headers).toMatchObject({ "content-type": "application/problem+json", "retry-after": "2" });
        expect(JSON.parse(answer.body)).toMatchObject({ type: "tag:payments-dr,2025:problems/service-unavailable", status: 503, requestId: answer.headers["x-amzn-requestid"] });
        // The authorizer's own failure, not a timeout (a host stuck on its log lines answers 503 too).
        expect(lines.find((line) => line.startsWith(`${answer.headers["x-amzn-requestid"]}: `))).toMatch(/: the authorizer threw /);
      }
      expect(invocations(unreachable)).toEqual([0, 2]);
    } finally {
      await unreachable.close();
    }
  });

  it("answers the gateway's 403 problem+json when the allow's policy does not cover the method; with TTL 0 every request invokes the authorizer", async () => {
    const healthOnly = await fakeBundle(
      "health-only",
      `return { principalId: "${MERCHANT}", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: event.methodArn.replace(/\\/[A-Z]+\\/payments.*$/, "/GET/health") }] }, context: { merchantId: "${MERCHANT}", keyId: "0123456789abcdef" } };`,
    );
    const denying = await startLocalApi({ port: 0, env: backing.functionEnv, authorizer: { env: backing.authorizerEnv, handlerModule: healthOnly, cacheTtlS: 0 } });
    try {
      for (const key of ["denied-1", "denied-2"]) {
        const answer = await postPayment(key, PAYMENT, bearer("anything"), denying.url);
        expect(answer.status).toBe(403);
        expect(answer.headers["content-type"]).toBe("application/problem+json");
        expect(JSON.parse(answer.body)).toMatchObject({ type: "tag:payments-dr,2025:problems/forbidden", status: 403, title: "Forbidden" });
      }
      expect(invocations(denying)).toEqual([0, 2]);
    } finally {
      await denying.close();
    }
  });
});

describe("the local API's function timeout and concurrency", () => {
  /** GET /health?sleepMs=N: waits N ms, then answers the budget the function was given. */
  const slowHealth = () => fakeBundle("slow-health", `
    const sleepMs = Number(event.queryStringParameters?.sleepMs ?? 0);
    const budgetMs = context.getRemainingTimeInMillis();
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    return { statusCode: 200, body: JSON.stringify({ budgetMs }) };`);
  const start = async (options: { timeoutMs?: number; maxQueue?: number }) =>
    startLocalApi({ port: 0, env: {}, handlerModule: await slowHealth(), authorizer: { env: backing.authorizerEnv }, ...options });

  it("gives the function the stack's 10 s timeout (apiTimeoutSeconds' default), not API Gateway's 29 s", async () => {
    const local = await start({});
    try {
      const answer = await send(`${local.url}/health`);
      expect(answer.status).toBe(200);
      const { budgetMs } = JSON.parse(answer.body);
      expect(budgetMs).toBeGreaterThan(9000);
      expect(budgetMs).toBeLessThanOrEqual(10_000);
    } finally {
      await local.close();
    }
  });

  it("answers a function that runs past its timeout with the gateway's 502 (a function error: the stack's DEFAULT_5XX), then serves again", async () => {
    const local = await start({ timeoutMs: 300 });
    try {
      expectDefaultProblem(await send(`${local.url}/health?sleepMs=2000`), 502, "internal-error", "InternalServerErrorException");
      expect((await send(`${local.url}/health`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it("answers a request the full queue refuses with the gateway's 429 THROTTLED problem and Retry-After", async () => {
    const local = await start({ maxQueue: 0 });
    try {
      const busy = send(`${local.url}/health?sleepMs=1000`);
      await waitFor(async () => local.healthStats().busy === 1, 3000);
      const throttled = await send(`${local.url}/health`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers).toMatchObject({ "content-type": "application/problem+json", "retry-after": "1" });
      expect(JSON.parse(throttled.body)).toEqual({
        type: "tag:payments-dr,2025:problems/too-many-requests",
        title: "Too many requests",
        status: 429,
        detail: "Slow down, then retry.",
        requestId: throttled.headers["x-amzn-requestid"],
      });
      expect((await busy).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * serve.js without DATABASE_URL (so with its own throwaway PostgreSQL), in a child process whose
 * stdout and stderr collect in `output()`. `stop` sends SIGTERM and resolves with its exit code;
 * not SIGKILL: the server must get to stop its PostgreSQL even when an expectation failed.
 */
function startServe(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [SERVE_SCRIPT, "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    output: () => output,
    running,
    stop: async () => {
      if (running()) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** The port of the throwaway PostgreSQL that serve.js reported it started. */
const throwawayPort = (output: string) => Number(/throwaway PostgreSQL \S+ on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

describe("serve.js", () => {
  it("--help prints the usage line and exits 0, starting nothing", () => {
    const result = spawnSync(process.execPath, [SERVE_SCRIPT, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: serve \[--port N .*--timeout-seconds S/);
    expect(result.stderr).toBe("");
  });

  it("refuses a bad option with exit 2 and the option's rule, starting nothing", () => {
    const result = spawnSync(process.execPath, [SERVE_SCRIPT, "--concurrency", "65"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("[local-api] --concurrency must be a whole number from 1 to 64\n");
  });

  it("exits 1 naming the failure when it cannot start (a DATABASE_URL whose password is refused)", () => {
    const env = { ...process.env, DATABASE_URL: postgres.url.replace(postgres.password, "not-the-password") };
    const result = spawnSync(process.execPath, [SERVE_SCRIPT, "--port", "0"], { encoding: "utf8", env, timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^\[local-api\] Error: The migrate function failed: .*password authentication failed/m);
  });

  it("on SIGTERM during start-up, finishes starting, then stops its throwaway PostgreSQL and exits 0 without serving", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "SILENT" };
    delete env.DATABASE_URL;
    const serve = startServe(env);
    try {
      await waitFor(async () => /throwaway PostgreSQL \S+ on 127\.0\.0\.1:\d+/.test(serve.output()) || !serve.running(), 20_000);
      const pgPort = throwawayPort(serve.output());
      expect(await serve.stop()).toBe(0);
      expect(serve.output()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
      expect(serve.output()).not.toMatch(/payments API on/);
      expect(await listening(pgPort)).toBe(false);
    } finally {
      await serve.stop();
    }
  }, 30_000);

  it("without DATABASE_URL starts a throwaway PostgreSQL, migrates it, creates and prints a key, serves, and stops it on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "SILENT" };
    delete env.DATABASE_URL;
    delete env.SESSIONS_TABLE;
    delete env.DYNAMODB_ENDPOINT;
    const serve = startServe(env);
    try {
      await waitFor(async () => /payments API on/.test(serve.output()) || !serve.running(), 20_000);
      const output = serve.output();
      expect(output).toMatch(/one request at a time each, 10 s function timeout\)/);
      const url = /payments API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const pgPort = throwawayPort(output);
      expect(url).toBeDefined();
      expect(output).toMatch(/migrations: applied 001_create_payments, 002_create_idempotency_keys, 003_create_app_role, 004_create_health_heartbeat/);
      expect(output).toMatch(/api keys: local dynalite at http:\/\/127\.0\.0\.1:\d+, table payments-dr-api-keys-local; key [0-9a-f]{16} for merchant merchant-42/);
      expect(output).toMatch(/sessions: off \(set DYNAMODB_ENDPOINT and SESSIONS_TABLE, or pass --sessions local\)/);
      // The key is printed once, and the curl examples send it.
      const keys = output.match(/pdr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g) ?? [];
      expect(keys).toHaveLength(1);
      expect(output).toContain('-H "Authorization: Bearer $PDR_API_KEY"');
      const post = (headers: Record<string, string>) =>
        send(`${url}/payments`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": "serve-1", ...headers }, body: JSON.stringify(PAYMENT) });
      expect((await post({})).status).toBe(401);
      const created = await post(bearer(keys[0]!));
      expect(created.status).toBe(201);
      expect(JSON.parse(created.body).merchantId).toBe("merchant-42");
      expect(await listening(pgPort)).toBe(true);

      expect(await serve.stop()).toBe(0);
      expect(serve.output()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
      expect(await listening(pgPort)).toBe(false);
    } finally {
      await serve.stop();
    }
  }, 30_000);
});
