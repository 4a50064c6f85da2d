import { createServer, connect, type AddressInfo, type Server } from "node:net";
import { Client } from "pg";
import { countRows, migrate, pausingAfter, startPostgres, urlOnPort, withClient, type PostgresServer } from "../test-support/database";
import { postPayment, VALID_PAYMENT } from "../test-support/events";
import { paymentOf, problemOf, testApi, testSettings, type TestApi } from "../test-support/runtime";
import { inTransaction } from "../db/transaction";
import { REPLAY_HEADER } from "../handlers/create-payment";
import { deleteExpiredKeys } from "./expired-keys";
import type { Payment } from "./payment";
import { createPayment, type CreateOutcome, type IdempotentCreate } from "./repository";
import { requestHash } from "./request-hash";

let server: PostgresServer;
let api: TestApi;

beforeAll(async () => {
  server = await startPostgres({ settings: { max_connections: 120 } });
  await migrate(server.url);
  api = testApi(testSettings(server.url));
});
afterAll(async () => {
  await api?.close();
  await server?.stop();
});

function paymentsWithKey(key: string): Promise<number> {
  return withClient(server.url, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM payments p JOIN idempotency_keys k ON k.payment_id = p.id WHERE k.idempotency_key = $1",
      [key],
    );
    return rows[0]!.n;
  });
}

describe("Idempotency-Key", () => {
  it("50 concurrent identical POSTs, each from its own container, create exactly one payment", async () => {
    const containers = Array.from({ length: 50 }, () => testApi(testSettings(server.url)));
    try {
      // Open every connection first, so the requests race on the key, not on connecting.
      await Promise.all(containers.map((c) => c.runtime.db.writer.use((client) => client.query("SELECT 1"))));
      const before = await countRows(server.url);
      const responses = await Promise.all(containers.map((c) => c.handler(postPayment(VALID_PAYMENT, "race-key"))));

      const originals = responses.filter((r) => r.statusCode === 201 && !r.headers?.[REPLAY_HEADER]);
      expect(originals).toHaveLength(1);
      const id = paymentOf(originals[0]!).id;
      for (const response of responses.filter((r) => r !== originals[0])) {
        if (response.statusCode === 201) {
          expect(response.headers?.[REPLAY_HEADER]).toBe("true");
          expect(paymentOf(response).id).toBe(id);
        } else {
          expect(response.statusCode).toBe(409);
          expect(response.headers?.["Retry-After"]).toBe("1");
        }
      }
      const after = await countRows(server.url);
      expect(after.payments - before.payments).toBe(1);
      expect(await paymentsWithKey("race-key")).toBe(1);
    } finally {
      await Promise.all(containers.map((c) => c.close()));
    }
  });

  it("replays the original response for the same request, however the JSON is spelled", async () => {
    const first = await api.handler(postPayment(VALID_PAYMENT, "replay-key"));
    const reordered = `{ "description": "Two coffees", "currency": "EUR", "reference": "order-1001", "amount": 1.05e3 }`;
    const again = await api.handler(postPayment(reordered, "replay-key"));
    expect(first.statusCode).toBe(201);
    expect(first.headers?.[REPLAY_HEADER]).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(again.headers?.[REPLAY_HEADER]).toBe("true");
    expect(again.headers?.Location).toBe(first.headers?.Location);
    expect(paymentOf(again)).toEqual(paymentOf(first));
    // Byte for byte, though the stored copy is jsonb (which keeps no key order).
    expect(again.body).toBe(first.body);
    expect(api.metrics.counts.IdempotentReplay).toBeGreaterThanOrEqual(1);
    expect(await paymentsWithKey("replay-key")).toBe(1);
  });

  it("refuses the same key with a different body: 422, nothing written", async () => {
    await api.handler(postPayment(VALID_PAYMENT, "reuse-key"));
    const before = await countRows(server.url);
    const response = await api.handler(postPayment({ ...VALID_PAYMENT, amount: 999 }, "reuse-key"));
    expect(response.statusCode).toBe(422);
    expect(response.headers?.["Content-Type"]).toBe("application/problem+json");
    expect(problemOf(response)).toMatchObject({ status: 422, errors: [{ field: "Idempotency-Key" }] });
    expect(await countRows(server.url)).toEqual(before);
  });

  it.each([
    ["description", { description: "Three coffees" }],
    ["reference", { reference: "order-1002" }],
    ["currency", { currency: "USD" }],
  ])("refuses the same key when only the %s differs: 422, nothing written", async (field, change) => {
    const key = `reuse-${field}`;
    await api.handler(postPayment(VALID_PAYMENT, key));
    const before = await countRows(server.url);
    const response = await api.handler(postPayment({ ...VALID_PAYMENT, ...change }, key));
    expect(response.statusCode).toBe(422);
    expect(await countRows(server.url)).toEqual(before);
  });

  it("scopes keys by merchant (of the caller's API key): another merchant's same key is another payment", async () => {
    const a = await api.handler(postPayment(VALID_PAYMENT, "shared-key"));
    const b = await api.handler(postPayment(VALID_PAYMENT, "shared-key", { caller: { merchantId: "merchant-43", keyId: "fedcba9876543210" } }));
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers?.[REPLAY_HEADER]).toBeUndefined();
    expect(paymentOf(a).id).not.toBe(paymentOf(b).id);
    expect([paymentOf(a).merchantId, paymentOf(b).merchantId]).toEqual(["merchant-42", "merchant-43"]);
  });

  it("replays a merchant's retry of its own payment when another merchant used the same key first (the retry's read is scoped too, not only the claim)", async () => {
    const other = { merchantId: "merchant-43", keyId: "fedcba9876543210" };
    await api.handler(postPayment(VALID_PAYMENT, "order-1001"));
    const first = await api.handler(postPayment(VALID_PAYMENT, "order-1001", { caller: other }));
    const retry = await api.handler(postPayment(VALID_PAYMENT, "order-1001", { caller: other }));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers?.[REPLAY_HEADER]).toBe("true");
    expect(paymentOf(retry)).toEqual(paymentOf(first));
  });

  /** A first request that claimed `key` and has not committed yet: its own session, left in its transaction. */
  async function keyInFlight(key: string): Promise<Client> {
    const holder = new Client({ connectionString: server.url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query(
      "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, expires_at) VALUES ('merchant-42', $1, repeat('0', 64), 'in_progress', now() + interval '24 hours')",
      [key],
    );
    return holder;
  }

  it("answers 409 + Retry-After while the first request with the key is still in flight, then serves it", async () => {
    const quick = testApi(testSettings(server.url), { payments: { keyLockTimeoutMs: 200 } });
    const holder = await keyInFlight("in-flight-key");
    try {
      const before = await countRows(server.url);
      const response = await quick.handler(postPayment(VALID_PAYMENT, "in-flight-key"));
      expect(response.statusCode).toBe(409);
      expect(response.headers?.["Retry-After"]).toBe("1");
      expect(problemOf(response)).toMatchObject({ type: expect.stringMatching(/request-in-progress$/), errors: [{ field: "Idempotency-Key", message: "is in use by a request still in progress" }] });
      expect(await countRows(server.url)).toEqual(before);

      // The first request fails and rolls back: the retry now goes through.
      await holder.query("ROLLBACK");
      const retry = await quick.handler(postPayment(VALID_PAYMENT, "in-flight-key"));
      expect(retry.statusCode).toBe(201);
    } finally {
      await holder.end();
      await quick.close();
    }
  });

  it("answers 409, not the statement timeout's 503, for a key in flight when the statement timeout is shorter than the key's wait (the wait ends before it)", async () => {
    const short = testApi(testSettings(server.url, { statementTimeoutMs: 800 }));
    const holder = await keyInFlight("short-timeout-key");
    try {
      const response = await short.handler(postPayment(VALID_PAYMENT, "short-timeout-key"));
      expect(response.statusCode).toBe(409);
      expect(response.headers?.["Retry-After"]).toBe("1");
    } finally {
      await holder.end();
      await short.close();
    }
  });

  it("answers 409 + Retry-After, not a replay, for a key committed in progress (a flow that commits the key before the work): nothing written, no response made up", async () => {
    const hash = requestHash({ ...VALID_PAYMENT, currency: "EUR", merchantId: "merchant-42" });
    await withClient(server.url, (client) =>
      client.query(
        "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, expires_at) VALUES ('merchant-42', 'committed-in-progress', $1, 'in_progress', now() + interval '24 hours')",
        [hash],
      ),
    );
    const before = await countRows(server.url);
    const response = await api.handler(postPayment(VALID_PAYMENT, "committed-in-progress"));
    expect(response.statusCode).toBe(409);
    expect(response.headers?.["Retry-After"]).toBe("1");
    expect(response.headers?.[REPLAY_HEADER]).toBeUndefined();
    expect(problemOf(response)).toMatchObject({ type: expect.stringMatching(/request-in-progress$/), errors: [{ field: "Idempotency-Key" }] });
    expect(await countRows(server.url)).toEqual(before);
  });

  it("answers 409, not a replay, for a key still in progress though a response is already recorded on it: only a completed key is replayed", async () => {
    const hash = requestHash({ ...VALID_PAYMENT, currency: "EUR", merchantId: "merchant-42" });
    await withClient(server.url, (client) =>
      client.query(
        `INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, response_status, response_body, expires_at)
         VALUES ('merchant-42', 'in-progress-with-response', $1, 'in_progress', 201, '{"id":"8d4c3f0e-5a1b-4c2d-9e8f-0a1b2c3d4e5f"}', now() + interval '24 hours')`,
        [hash],
      ),
    );
    const response = await api.handler(postPayment(VALID_PAYMENT, "in-progress-with-response"));
    expect(response.statusCode).toBe(409);
    expect(response.headers?.[REPLAY_HEADER]).toBeUndefined();
  });

  it("waits for a lock on the payments table as long as the statement timeout allows (a migration's brief lock → 201): the short lock timeout is the key's alone", async () => {
    const quick = testApi(testSettings(server.url), { payments: { keyLockTimeoutMs: 100 } });
    const holder = new Client({ connectionString: server.url });
    await holder.connect();
    try {
      await quick.runtime.db.writer.use((client) => client.query("SELECT 1"));
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE payments IN SHARE MODE");
      const response = quick.handler(postPayment(VALID_PAYMENT, "payments-locked-key"));
      // Three times the key's lock timeout: the payment's insert waits on the table meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("ROLLBACK");
      expect((await response).statusCode).toBe(201);
    } finally {
      await holder.end();
      await quick.close();
    }
  });

  it("a session holding the whole keys table (a migration, VACUUM FULL) is not a key in flight: 503 after the statement timeout, not 409", async () => {
    const quick = testApi(testSettings(server.url, { statementTimeoutMs: 400 }), { payments: { keyLockTimeoutMs: 100 } });
    const holder = new Client({ connectionString: server.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE idempotency_keys IN SHARE MODE");
      const before = await countRows(server.url);
      const response = await quick.handler(postPayment(VALID_PAYMENT, "table-locked-key"));
      expect(response.statusCode).toBe(503);
      expect(problemOf(response).type).toMatch(/service-unavailable$/);
      expect(quick.metrics.counts.DatabaseUnavailable).toBe(1);
      await holder.query("ROLLBACK");
      expect(await countRows(server.url)).toEqual(before);
      expect((await quick.handler(postPayment(VALID_PAYMENT, "table-locked-key"))).statusCode).toBe(201);
    } finally {
      await holder.end();
      await quick.close();
    }
  });

  it("an expired key whose row another transaction holds (a re-claim, the cleanup) answers 409 and keeps the connection", async () => {
    const quick = testApi(testSettings(server.url), { payments: { keyLockTimeoutMs: 100 } });
    const holder = new Client({ connectionString: server.url });
    await holder.connect();
    try {
      expect((await quick.handler(postPayment(VALID_PAYMENT, "held-expired-key"))).statusCode).toBe(201);
      await withClient(server.url, (client) =>
        client.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' WHERE idempotency_key = 'held-expired-key'"),
      );
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'held-expired-key' FOR UPDATE");
      const response = await quick.handler(postPayment(VALID_PAYMENT, "held-expired-key"));
      expect(response.statusCode).toBe(409);
      expect(response.headers?.["Retry-After"]).toBe("1");
      expect(quick.runtime.db.writer.isOpen).toBe(true);
      await holder.query("ROLLBACK");
      expect((await quick.handler(postPayment(VALID_PAYMENT, "held-expired-key"))).statusCode).toBe(201);
      expect(await paymentsWithKey("held-expired-key")).toBe(1);
    } finally {
      await holder.end();
      await quick.close();
    }
  });

  it("treats an expired key as new", async () => {
    const first = await api.handler(postPayment(VALID_PAYMENT, "old-key"));
    await withClient(server.url, (client) =>
      client.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' WHERE idempotency_key = 'old-key'"),
    );
    const second = await api.handler(postPayment({ ...VALID_PAYMENT, amount: 5 }, "old-key"));
    expect(second.statusCode).toBe(201);
    expect(second.headers?.[REPLAY_HEADER]).toBeUndefined();
    expect(paymentOf(second).id).not.toBe(paymentOf(first).id);
  });

  it("holds a key until its expires_at: a retry a minute before it replays, no second payment", async () => {
    const first = await api.handler(postPayment(VALID_PAYMENT, "late-retry"));
    await withClient(server.url, (client) =>
      client.query("UPDATE idempotency_keys SET created_at = now() - interval '23 hours 59 minutes', expires_at = now() + interval '1 minute' WHERE idempotency_key = 'late-retry'"),
    );
    const retry = await api.handler(postPayment(VALID_PAYMENT, "late-retry"));
    expect(retry.headers?.[REPLAY_HEADER]).toBe("true");
    expect(paymentOf(retry).id).toBe(paymentOf(first).id);
  });

  it("keeps every key for at least 24 hours", async () => {
    await api.handler(postPayment(VALID_PAYMENT, "ttl-key"));
    const hours = await withClient(server.url, async (client) => {
      const { rows } = await client.query<{ h: number }>("SELECT extract(epoch FROM expires_at - created_at)::float8 / 3600 AS h FROM idempotency_keys WHERE idempotency_key = 'ttl-key'");
      return rows[0]!.h;
    });
    expect(hours).toBeGreaterThanOrEqual(24);
  });
});

/** A TCP proxy to `port` that holds each chunk from the server for `delayMs`: every round trip costs at least that. */
async function slowProxy(port: number, delayMs: number): Promise<Server> {
  const proxy = createServer((socket) => {
    const upstream = connect(port, "127.0.0.1");
    socket.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => setTimeout(() => socket.write(chunk), delayMs));
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return proxy;
}

describe("the payment transaction on the wire", () => {
  it("takes three round trips for a new key (BEGIN with the claim, the reset with the payment, the completion with COMMIT)", async () => {
    const delayMs = 200;
    const proxy = await slowProxy(server.port, delayMs);
    const slow = testApi(testSettings(urlOnPort(server, (proxy.address() as AddressInfo).port)));
    try {
      await slow.runtime.db.writer.use((client) => client.query("SELECT 1"));
      const started = performance.now();
      const created = await slow.handler(postPayment(VALID_PAYMENT, "three-round-trips"));
      const elapsed = performance.now() - started;
      expect(created.statusCode).toBe(201);
      // Three round trips, plus this machine's own time (two delays of slack for a loaded CI); six would be 6 × delay.
      expect(elapsed).toBeGreaterThanOrEqual(3 * delayMs);
      expect(elapsed).toBeLessThan(5 * delayMs);
      expect(await paymentsWithKey("three-round-trips")).toBe(1);
    } finally {
      await slow.close();
      proxy.close();
    }
  });

  it("never runs the work outside the transaction, even when the setup sent behind BEGIN fails to parse", async () => {
    await withClient(server.url, async (client) => {
      const pipelined = new Client({ connectionString: server.url, pipeline: true });
      await pipelined.connect();
      try {
        const insert = () => pipelined.query("INSERT INTO payments (merchant_id, amount, currency, status) VALUES ('merchant-setup', 1, 'EUR', 'created')");
        await expect(inTransaction(pipelined, insert, ["SET LOCAL lock_timeout = -Infinity"])).rejects.toThrow(/syntax error/);
        const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE merchant_id = 'merchant-setup'");
        expect(rows[0]!.n).toBe(0);
      } finally {
        await pipelined.end();
      }
    });
  });

  it("commits nothing when the key's completion, sent with COMMIT, fails", async () => {
    await withClient(server.url, (client) =>
      client.query(`
        CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'completion refused'; END $$;
        CREATE TRIGGER refuse_completion BEFORE UPDATE ON idempotency_keys FOR EACH ROW WHEN (NEW.idempotency_key = 'completion-fails') EXECUTE FUNCTION refuse_completion();`),
    );
    try {
      const before = await countRows(server.url);
      const failed = await api.handler(postPayment(VALID_PAYMENT, "completion-fails"));
      expect(failed.statusCode).toBe(500);
      expect(await countRows(server.url)).toEqual(before);
      // The container's connection is still good: the next payment goes through.
      expect((await api.handler(postPayment(VALID_PAYMENT, "after-completion-failed"))).statusCode).toBe(201);
    } finally {
      await withClient(server.url, (client) => client.query("DROP TRIGGER refuse_completion ON idempotency_keys; DROP FUNCTION refuse_completion()"));
    }
  });
});

// The races these guard against fall between two statements of one transaction: each test pauses
// the transaction after a named statement's answer (pausingAfter) while another session changes
// the key, as a concurrent request or the expiry cleanup can.
describe("createPayment when the key changes between its statements", () => {
  let client: Client;
  let other: Client;
  beforeEach(async () => {
    // Pipelining, as the functions' connection (db/database.ts).
    client = new Client({ connectionString: server.url, pipeline: true });
    other = new Client({ connectionString: server.url, pipeline: true });
    await Promise.all([client.connect(), other.connect()]);
  });
  afterEach(() => Promise.all([client.end(), other.end()]));

  function createOf(merchantId: string, idempotencyKey: string): IdempotentCreate {
    const request = { merchantId, amount: 1050, currency: "EUR" as const, reference: "order-1001" };
    return { request, idempotencyKey, requestHash: requestHash(request) };
  }

  /** A key as if claimed 25 hours ago: expired an hour ago. */
  const expire = (input: IdempotentCreate) =>
    other.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' WHERE merchant_id = $1 AND idempotency_key = $2", [
      input.request.merchantId,
      input.idempotencyKey,
    ]);

  /** The key's row, and the ids of its merchant's payments. */
  async function stored(input: IdempotentCreate) {
    const key = await other.query<{ status: string; payment_id: string | null; request_hash: string; expired: boolean }>(
      "SELECT status, payment_id, request_hash, expires_at <= now() AS expired FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2",
      [input.request.merchantId, input.idempotencyKey],
    );
    const payments = await other.query<{ id: string }>("SELECT id FROM payments WHERE merchant_id = $1 ORDER BY created_at", [input.request.merchantId]);
    return { key: key.rows[0], paymentIds: payments.rows.map((p) => p.id) };
  }

  const created = (outcome: CreateOutcome) => {
    if (outcome.kind !== "created") throw new Error(`expected created, got ${outcome.kind}`);
    return outcome.payment;
  };

  it("claims the key again when it vanishes between the claim and the read (the cleanup deleted it, expired): a new payment, the key names it", async () => {
    const input = createOf("merchant-vanished", "vanished-key");
    const first = created(await createPayment(other, input));
    await expire(input);
    let claims = 0;
    const paused = pausingAfter(client, async (statement, answer) => {
      if (statement.name !== "claim-key") return;
      claims++;
      // The claim found the expired key (inserted nothing); the cleanup deletes it before the read.
      if (claims === 1 && answer.rowCount === 0) expect((await deleteExpiredKeys(other, { batchSize: 1000, deadline: Date.now() + 5000 })).deleted).toBeGreaterThanOrEqual(1);
    });

    const second = created(await createPayment(paused, input));
    expect(claims).toBe(2);
    expect(second.id).not.toBe(first.id);
    expect(await stored(input)).toEqual({ key: { status: "completed", payment_id: second.id, request_hash: input.requestHash, expired: false }, paymentIds: [first.id, second.id] });
  });

  it("deletes an expired key only while it is still expired: one re-claimed by another request between the read and the delete is replayed, not deleted and paid twice", async () => {
    const input = createOf("merchant-reclaimed", "reclaimed-key");
    const first = created(await createPayment(other, input));
    await expire(input);
    let reclaimed: Payment | undefined;
    const paused = pausingAfter(client, async (statement, answer) => {
      // This transaction has read the key as expired; another request with it deletes it and claims it afresh, committed.
      if (statement.name === "read-key" && answer.rows[0]?.expired && !reclaimed) reclaimed = created(await createPayment(other, input));
    });

    const outcome = await createPayment(paused, input);
    expect(reclaimed).toBeDefined();
    expect(outcome).toMatchObject({ kind: "replayed", payment: { id: reclaimed!.id } });
    expect(await stored(input)).toEqual({ key: { status: "completed", payment_id: reclaimed!.id, request_hash: input.requestHash, expired: false }, paymentIds: [first.id, reclaimed!.id] });
  });

  it("gives up after 3 claims when the key vanishes before each read and comes back after it: in progress (409), nothing written, no endless loop", async () => {
    const input = createOf("merchant-flapping", "flapping-key");
    const first = created(await createPayment(other, input));
    const row = [input.request.merchantId, input.idempotencyKey];
    let claims = 0;
    const paused = pausingAfter(client, async (statement, answer) => {
      // Enough flapping for any bound up to 5 claims; past it, the claim goes through.
      if (claims > 5) return;
      if (statement.name === "claim-key") {
        claims++;
        if (answer.rowCount === 0) await other.query("DELETE FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2", row);
      }
      // Another request claims it before this one claims again (its own, committed in progress).
      if (statement.name === "read-key" && answer.rows.length === 0) {
        await other.query("INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, expires_at) VALUES ($1, $2, repeat('f', 64), 'in_progress', now() + interval '24 hours')", row);
      }
    });

    expect(await createPayment(paused, input)).toEqual({ kind: "in-progress" });
    expect(claims).toBe(3);
    expect(await stored(input)).toEqual({ key: { status: "in_progress", payment_id: null, request_hash: "f".repeat(64), expired: false }, paymentIds: [first.id] });
  });
});
