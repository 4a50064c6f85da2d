import { startPostgres, type PostgresServer } from "@payments-dr/testing";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Client } from "pg";
import { InitError } from "./container";
import { send } from "./http-client";
import { applyMigrations } from "./migrations";
import { API_BUNDLE, LOCAL_API_DIST, MIGRATE_BUNDLE, WORKER_SCRIPT } from "./paths";
import { startLocalApi, type LocalApi } from "./server";

const SERVE_SCRIPT = join(LOCAL_API_DIST, "serve.js");
const CONTAINERS = 3;
const PAYMENT = { amount: 1050, currency: "EUR", merchantId: "merchant-42", reference: "order-1001", description: "Two coffees" };

let postgres: PostgresServer;
let api: LocalApi;

const functionEnv = (url: string): Record<string, string> => ({ DATABASE_URL: url, REGION_ROLE: "primary", POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" });

beforeAll(async () => {
  const missing = [API_BUNDLE, MIGRATE_BUNDLE, WORKER_SCRIPT, SERVE_SCRIPT].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`Not built: ${missing.join(", ")}. Run \`npx nx run local-api:test\`, which builds payment-lambda and local-api first.`);
  postgres = await startPostgres();
  await applyMigrations(postgres.url);
  api = await startLocalApi({ port: 0, concurrency: CONTAINERS, env: functionEnv(postgres.url) });
});

afterAll(async () => {
  await api?.close();
  await postgres?.stop();
});

function postPayment(key: string, body: unknown = PAYMENT) {
  return send(`${api.url}/payments`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body) });
}

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

describe("the local API, running the built api bundle over real HTTP", () => {
  it("builds events the handler accepts: POST creates, GET /payments/{id} reads it back, a retry replays", async () => {
    const created = await postPayment("local-api-1");
    expect(created.status).toBe(201);
    expect(created.headers["content-type"]).toBe("application/json");
    const payment = JSON.parse(created.body);
    expect(payment).toMatchObject({ ...PAYMENT, status: "created" });
    expect(created.headers.location).toBe(`/payments/${payment.id}`);
    expect(created.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);

    const read = await send(`${api.url}${created.headers.location}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual(payment);

    const replayed = await postPayment("local-api-1");
    expect(replayed.status).toBe(201);
    expect(replayed.headers["idempotency-replayed"]).toBe("true");
    expect(JSON.parse(replayed.body)).toEqual(payment);
    expect((await send(`${api.url}/health`)).body).toBe('{"status":"ok","role":"primary"}');
  });

  it("passes the API Gateway request id through to the handler's problem responses", async () => {
    const refused = await postPayment("local-api-2", { ...PAYMENT, amount: -1 });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ requestId: refused.headers["x-amzn-requestid"], errors: [{ field: "amount" }] });
  });

  it("answers 404 problem+json for a path the API does not have, and 405 with Allow for another method", async () => {
    const missing = await send(`${api.url}/refunds/1`);
    expect(missing.status).toBe(404);
    expect(missing.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(missing.body)).toMatchObject({ status: 404, title: "Not found" });
    const wrongMethod = await send(`${api.url}/payments`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("POST");
  });

  it("produces no base64 either way: a binary upload reaches the handler as text and its 415 comes back as JSON text", async () => {
    const upload = await send(`${api.url}/payments`, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream", "Idempotency-Key": "local-api-3" },
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
      expect(api.stats()).toMatchObject({ containers: CONTAINERS, busy: CONTAINERS, queued: 1 });
      expect(await waitingOnLock()).toBe(CONTAINERS);
      await locker.query("COMMIT");
      expect((await Promise.all(requests)).map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    } finally {
      await locker.end();
    }
    // One connection per container, each opened by its own instance of the bundle.
    expect(await scalar("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'payments-writer'")).toBe(CONTAINERS);
    expect(api.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it("refuses to start a function whose environment is invalid, naming the variable", async () => {
    const { REGION_ROLE: _unset, ...withoutRole } = functionEnv(postgres.url);
    await expect(startLocalApi({ port: 0, env: withoutRole })).rejects.toThrow(InitError);
    await expect(startLocalApi({ port: 0, env: withoutRole })).rejects.toThrow(/REGION_ROLE must be/);
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

describe("serve.js", () => {
  it("without DATABASE_URL starts a throwaway PostgreSQL, migrates it, serves, and stops it on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "SILENT" };
    delete env.DATABASE_URL;
    delete env.SESSIONS_TABLE;
    const child = spawn(process.execPath, [SERVE_SCRIPT, "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(async () => /payments API on/.test(output) || child.exitCode !== null, 20_000);
      const url = /payments API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const pgPort = Number(/throwaway PostgreSQL \S+ on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      expect(url).toBeDefined();
      expect(output).toMatch(/migrations: applied 001_create_payments, 002_create_idempotency_keys/);
      expect(output).toMatch(/sessions: off \(set DYNAMODB_ENDPOINT and SESSIONS_TABLE, or pass --sessions local\)/);
      const created = await send(`${url}/payments`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": "serve-1" }, body: JSON.stringify(PAYMENT) });
      expect(created.status).toBe(201);
      expect(await listening(pgPort)).toBe(true);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
      expect(await listening(pgPort)).toBe(false);
    } finally {
      // Not SIGKILL: the server must get to stop its PostgreSQL even when an expectation failed.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    }
  }, 30_000);
});
