import { Client } from "pg";
import { createCleanupHandler, type CleanupHandlerArgs } from "../app/cleanup";
import type { DatabaseSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { migrate, startPostgres, holdUnreachableEndpoint, withClient, type PostgresServer } from "../test-support/database";
import { postPayment, VALID_PAYMENT } from "../test-support/events";
import { RecordingMetrics, testApi, testSettings } from "../test-support/runtime";

let server: PostgresServer;
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

const logger = createLogger({ serviceName: "payments-test", metricsNamespace: "Test", logLevel: "SILENT" });
/** Lambda's context with plenty of time left. */
const LONG_RUN = { functionName: "payments-cleanup-test", getRemainingTimeInMillis: () => 60_000 };

/** A fresh, migrated database. */
async function freshDatabase(): Promise<string> {
  const name = `cleanup_${++databases}`;
  await withClient(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = server.urlFor(name);
  await migrate(url);
  return url;
}

/** Makes every later session of the `databases`-th database read-only, as a secondary is. */
async function makeReadOnly(): Promise<void> {
  await withClient(server.url, (client) => client.query(`ALTER DATABASE cleanup_${databases} SET default_transaction_read_only = on`));
}

function settings(url: string, readerUrl?: string, statementTimeoutMs = 5000): DatabaseSettings {
  return { endpoints: { kind: "url", url, readerUrl }, connectTimeoutMs: 3000, statementTimeoutMs };
}

/** Out of reach: another region's writer, or a secondary's inactive cluster endpoint. */
const unreachableUrl = holdUnreachableEndpoint(() => server);
/** A second one, so that the reader endpoint is a connection of its own (the same URL would share the writer's). */
const unreachableReaderUrl = holdUnreachableEndpoint(() => server);

function cleanup(url: string, args: Partial<CleanupHandlerArgs> = {}) {
  const metrics = new RecordingMetrics();
  const handler = createCleanupHandler({ database: settings(url), logger, metrics, ...args });
  return { handler, metrics };
}

/** Keys `prefix-1` … `prefix-n` of merchant-a, expired (`expiresIn` < 0) or not, completed or in progress. */
async function insertKeys(url: string, prefix: string, n: number, keys: { expiresIn: string; status?: "completed" | "in_progress" }): Promise<void> {
  const status = keys.status ?? "completed";
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, response_status, response_body, created_at, expires_at)
       SELECT 'merchant-a', $1 || '-' || i, repeat('0', 64), $2,
              CASE WHEN $2 = 'completed' THEN 201 END, CASE WHEN $2 = 'completed' THEN '{}'::jsonb END,
              now() + $3::interval - interval '24 hours', now() + $3::interval
       FROM generate_series(1, $4::int) AS i`,
      [prefix, status, keys.expiresIn, n],
    ),
  );
}

/** From the third DELETE statement on the keys table, the server runs `plpgsql` first (a fault of a test's choosing). */
async function afterTwoDeletes(url: string, plpgsql: string): Promise<void> {
  await withClient(url, (client) =>
    client.query(`
      CREATE SEQUENCE deletes;
      CREATE FUNCTION fault_after_two() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('deletes') > 2 THEN ${plpgsql} END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER fault BEFORE DELETE ON idempotency_keys FOR EACH STATEMENT EXECUTE FUNCTION fault_after_two();`),
  );
}

/** `n` expired keys a millisecond apart, as real ones are (each expires 24 h after its request), and fresh planner statistics. */
async function insertSpreadKeys(url: string, n: number): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(
      `INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, response_status, response_body, created_at, expires_at)
       SELECT 'merchant-a', 'spread-' || i, repeat('0', 64), 'completed', 201, '{}'::jsonb,
              now() - interval '25 hours' + i * interval '1 millisecond', now() - interval '1 hour' + i * interval '1 millisecond'
       FROM generate_series(1, $1::int) AS i`,
      [n],
    );
    await client.query("ANALYZE idempotency_keys");
  });
}

/** Scans of the keys table's expiry index and the entries they read, once the cleanup's backend has reported them (at its exit). */
async function expiryIndexReads(url: string, atLeastScans = 0): Promise<{ scans: number; entries: number }> {
  const read = () =>
    withClient(url, async (client) => {
      const { rows } = await client.query<{ scans: string; entries: string }>(
        "SELECT idx_scan AS scans, idx_tup_read AS entries FROM pg_stat_user_indexes WHERE indexrelname = 'idempotency_keys_expires_at_idx'",
      );
      return { scans: Number(rows[0]!.scans), entries: Number(rows[0]!.entries) };
    });
  let reads = await read();
  for (let i = 0; i < 100 && reads.scans < atLeastScans; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    reads = await read();
  }
  return reads;
}

async function keysLeft(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ idempotency_key: string }>("SELECT idempotency_key FROM idempotency_keys ORDER BY idempotency_key");
    return rows.map((r) => r.idempotency_key);
  });
}

describe("the idempotency key cleanup", () => {
  it("deletes expired keys in several batches; keeps unexpired ones, completed or in progress, and one a request is reclaiming", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 4, { expiresIn: "-1 minute" });
    await insertKeys(url, "expired-in-progress", 1, { expiresIn: "-1 hour", status: "in_progress" });
    await insertKeys(url, "reclaimed", 1, { expiresIn: "-1 hour" });
    await insertKeys(url, "live", 2, { expiresIn: "1 hour" });
    await insertKeys(url, "live-in-progress", 1, { expiresIn: "23 hours", status: "in_progress" });

    // A request holds the expired key it is about to reclaim (the API deletes and re-inserts it in one transaction).
    const request = new Client({ connectionString: url });
    await request.connect();
    try {
      await request.query("BEGIN");
      await request.query("SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'reclaimed-1' FOR UPDATE");
      const { handler, metrics } = cleanup(url, { batchSize: 2 });
      expect(await handler({}, LONG_RUN)).toEqual({ deleted: 5, batches: 3, complete: true, backlogAgeSeconds: 0 });
      expect(metrics.counts).toEqual({ IdempotencyKeysDeleted: 5 });
    } finally {
      await request.query("ROLLBACK");
      await request.end();
    }
    expect(await keysLeft(url)).toEqual(["live-1", "live-2", "live-in-progress-1", "reclaimed-1"]);
  });

  it("keeps a key within its window: the same request is still replayed after the cleanup ran", async () => {
    const url = await freshDatabase();
    const api = testApi(testSettings(url));
    try {
      const first = await api.handler(postPayment(VALID_PAYMENT, "kept-1"));
      expect(first.statusCode).toBe(201);
      const { handler } = cleanup(url);
      expect(await handler({}, LONG_RUN)).toEqual({ deleted: 0, batches: 1, complete: true, backlogAgeSeconds: 0 });
      const replay = await api.handler(postPayment(VALID_PAYMENT, "kept-1"));
      expect(replay.statusCode).toBe(201);
      expect(replay.headers).toMatchObject({ "Idempotency-Replayed": "true" });
      expect(JSON.parse(replay.body)).toEqual(JSON.parse(first.body));
    } finally {
      await api.close();
    }
  });

  it("does nothing on a read-only database (the DR secondary before a failover) and answers skipped, without an error", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 3, { expiresIn: "-1 minute" });
    await makeReadOnly();
    const { handler, metrics } = cleanup(url);
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 0, batches: 0, complete: false, skipped: "read-only" });
    expect(metrics.counts).toEqual({ IdempotencyCleanupSkipped: 1 });
    expect(await keysLeft(url)).toEqual(["expired-1", "expired-2", "expired-3"]);
  });

  it("skips, without an error, when its endpoint is out of reach and this region's reader endpoint answers read-only (a secondary's inactive cluster endpoint)", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 3, { expiresIn: "-1 minute" });
    await makeReadOnly();
    const metrics = new RecordingMetrics();
    const handler = createCleanupHandler({ database: settings(unreachableUrl(), url), logger, metrics });
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 0, batches: 0, complete: false, skipped: "read-only" });
    expect(metrics.counts).toEqual({ IdempotencyCleanupSkipped: 1 });
    expect(await keysLeft(url)).toEqual(["expired-1", "expired-2", "expired-3"]);
  });

  it("fails on a statement timeout after connecting, even while the reader endpoint answers read-only (a replica of the primary does)", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 3, { expiresIn: "-1 minute" });
    const reader = await freshDatabase();
    await makeReadOnly();
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query("BEGIN");
      await admin.query("LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE");
      const metrics = new RecordingMetrics();
      const handler = createCleanupHandler({ database: settings(url, reader, 200), logger, metrics });
      await expect(handler({}, LONG_RUN)).rejects.toThrow(/^Database unavailable \(/);
      expect(metrics.counts).toEqual({});
    } finally {
      await admin.query("ROLLBACK");
      await admin.end();
    }
    expect(await keysLeft(url)).toHaveLength(3);
  });

  it("fails when its endpoint is out of reach and the reader endpoint is writable or out of reach too: that is an outage, not a secondary", async () => {
    const url = await freshDatabase();
    for (const readerUrl of [url, unreachableUrl()]) {
      const handler = createCleanupHandler({ database: settings(unreachableUrl(), readerUrl), logger, metrics: new RecordingMetrics() });
      await expect(handler({}, LONG_RUN)).rejects.toThrow(/^Database unavailable \(/);
    }
  });

  it("fails when a live writer refuses it (its credentials, too many connections), even while the reader answers read-only (the primary's replica always does): no silent skip hour after hour", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 3, { expiresIn: "-1 minute" });
    const reader = await freshDatabase();
    await makeReadOnly();
    await withClient(server.url, (client) => client.query("DROP ROLE IF EXISTS cleanup_limited; CREATE ROLE cleanup_limited LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 0"));
    const wrongPassword = new URL(url);
    wrongPassword.password = "wrong";
    const noConnectionLeft = new URL(url);
    noConnectionLeft.username = "cleanup_limited";
    noConnectionLeft.password = "limited-pw";
    for (const [writer, code] of [[wrongPassword, "28P01"], [noConnectionLeft, "53300"]] as const) {
      const metrics = new RecordingMetrics();
      const handler = createCleanupHandler({ database: settings(writer.toString(), reader), logger, metrics });
      await expect(handler({}, LONG_RUN)).rejects.toThrow(`Database unavailable (${code})`);
      expect(metrics.counts).toEqual({});
    }
    expect(await keysLeft(url)).toHaveLength(3);
  });

  it("fails when both its endpoint and this region's reader endpoint are out of reach (the cluster is down): no silent skip", async () => {
    const metrics = new RecordingMetrics();
    const handler = createCleanupHandler({ database: settings(unreachableUrl(), unreachableReaderUrl()), logger, metrics });
    await expect(handler({}, LONG_RUN)).rejects.toThrow(/^Database unavailable \(/);
    expect(metrics.counts).toEqual({});
  });

  it("deletes in batches of 1000 by default: a backlog is never one long DELETE racing the statement timeout", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 1001, { expiresIn: "-1 minute" });
    const { handler } = cleanup(url);
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 1001, batches: 2, complete: true, backlogAgeSeconds: 0 });
    expect(await keysLeft(url)).toEqual([]);
  });

  it("closes its connection after each run: an hourly function holds no database connection between runs", async () => {
    const url = await freshDatabase();
    const name = new URL(url).pathname.slice(1);
    const { handler } = cleanup(url);
    await handler({}, LONG_RUN);
    await handler({}, LONG_RUN);
    const openConnections = () =>
      withClient(server.url, async (client) =>
        (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'payments-%'", [name])).rows[0]!.n,
      );
    // A closed connection's backend leaves pg_stat_activity a moment after the client has gone.
    let open = await openConnections();
    for (let i = 0; i < 50 && open > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      open = await openConnections();
    }
    expect(open).toBe(0);
  });

  it("ends a run the database was demoted under (a switchover) as skipped, counting the batches committed before, without an error", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 5, { expiresIn: "-1 minute" });
    // From the third DELETE on, the server refuses writes as a demoted writer does (SQLSTATE 25006).
    await afterTwoDeletes(url, "RAISE EXCEPTION 'cannot execute DELETE in a read-only transaction' USING ERRCODE = 'read_only_sql_transaction';");
    const { handler, metrics } = cleanup(url, { batchSize: 2 });
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 4, batches: 2, complete: false, skipped: "read-only" });
    expect(metrics.counts).toEqual({ IdempotencyCleanupSkipped: 1, IdempotencyKeysDeleted: 4 });
    expect(await keysLeft(url)).toHaveLength(1);
  });

  it("ends a run whose session the switchover cut (the demoted writer restarts) as skipped when this region's reader answers read-only, counting what was deleted", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 5, { expiresIn: "-1 minute" });
    const reader = await freshDatabase();
    await makeReadOnly();
    // From the third DELETE on, the server ends the session, as a writer restarting for a switchover does (57P01).
    await afterTwoDeletes(url, "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1);");
    const metrics = new RecordingMetrics();
    const handler = createCleanupHandler({ database: settings(url, reader), logger, metrics, batchSize: 2 });
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 4, batches: 2, complete: false, skipped: "read-only" });
    expect(metrics.counts).toEqual({ IdempotencyCleanupSkipped: 1, IdempotencyKeysDeleted: 4 });
  });

  it("a run that fails after some batches still counts what they deleted (committed), and logs it beside the error", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 5, { expiresIn: "-1 minute" });
    // From the third DELETE on, each statement runs past the 300 ms statement timeout.
    await afterTwoDeletes(url, "PERFORM pg_sleep(2);");
    const metrics = new RecordingMetrics();
    const error = jest.spyOn(logger, "error");
    const handler = createCleanupHandler({ database: settings(url, undefined, 300), logger, metrics, batchSize: 2 });
    const thrown = await handler({}, LONG_RUN).then(() => undefined, (e: Error) => e);
    // What the runtime logs of it: name, code and message, no frames, no cause (the pg error and its detail).
    expect(thrown).toMatchObject({ name: "DatabaseUnavailableError", message: "Database unavailable (57014)", stack: "DatabaseUnavailableError: Database unavailable (57014)" });
    expect(Object.getOwnPropertyNames(thrown).sort()).toEqual(["message", "name", "stack"]);
    expect(metrics.counts).toEqual({ IdempotencyKeysDeleted: 4 });
    expect(error).toHaveBeenCalledWith("Idempotency key cleanup failed", { deleted: 4, batches: 2, error: { name: "DatabaseUnavailableError", message: "Database unavailable (57014)" } });
    expect(await keysLeft(url)).toHaveLength(1);
    error.mockRestore();
  });

  it("starts each batch where the last one ended: while an old snapshot is open, a backlog's index entries are read about once, not again by every batch", async () => {
    const url = await freshDatabase();
    const keys = 20_000;
    await insertSpreadKeys(url, keys);
    // A long report or a backup: the entries of the rows each batch deletes stay in the index until it ends.
    const snapshot = new Client({ connectionString: url });
    await snapshot.connect();
    try {
      await snapshot.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await snapshot.query("SELECT count(*) FROM idempotency_keys");
      const before = await expiryIndexReads(url);
      const { handler } = cleanup(url, { batchSize: 500 });
      expect(await handler({}, LONG_RUN)).toEqual({ deleted: keys, batches: keys / 500 + 1, complete: true, backlogAgeSeconds: 0 });
      const after = await expiryIndexReads(url, before.scans + keys / 500 + 1);
      // Every batch went through the index; from the start each time, they would read ≈ 20 times the backlog.
      expect(after.scans - before.scans).toBeGreaterThanOrEqual(keys / 500 + 1);
      expect(after.entries - before.entries).toBeLessThan(2 * keys);
    } finally {
      await snapshot.query("ROLLBACK");
      await snapshot.end();
    }
  });

  it("resumes each batch exactly where the last ended whatever the session's DateStyle and TimeZone (a cursor printed as 'IST' must not be read back as Israel's)", async () => {
    const url = await freshDatabase();
    for (const hours of [10, 9, 8, 7, 1]) await insertKeys(url, `expired-${hours}h`, 1, { expiresIn: `-${hours} hours -0.123457 seconds` });
    await withClient(server.url, (client) => client.query(`ALTER DATABASE cleanup_${databases} SET DateStyle = 'SQL, DMY'; ALTER DATABASE cleanup_${databases} SET TimeZone = 'Asia/Kolkata'`));
    const { handler } = cleanup(url, { batchSize: 2 });
    expect(await handler({}, LONG_RUN)).toEqual({ deleted: 5, batches: 3, complete: true, backlogAgeSeconds: 0 });
    expect(await keysLeft(url)).toEqual([]);
  });

  it("publishes how far behind it is, under the function's name: when its time ran out, how long ago the next key it would have deleted expired; 0 once caught up; nothing when skipped", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "oldest", 2, { expiresIn: "-5 hours" });
    await insertKeys(url, "old", 1, { expiresIn: "-3 hours" });
    await insertKeys(url, "recent", 2, { expiresIn: "-1 minute" });
    // One 600 ms batch fits in the budget (see below): the two oldest go; the next to delete expired 3 hours ago (not 5: that is the last deleted).
    let clock = 0;
    const cutShort = cleanup(url, { batchSize: 2, now: () => (clock += 600) - 600 });
    const first = await cutShort.handler({}, { ...LONG_RUN, getRemainingTimeInMillis: () => 17_000 + 1000 });
    const [reading] = cutShort.metrics.gauges;
    expect(reading).toEqual({ name: "IdempotencyKeyBacklogAge", value: expect.any(Number), dimensions: { FunctionName: "payments-cleanup-test" } });
    expect(reading!.value).toBeGreaterThanOrEqual(3 * 3600);
    expect(reading!.value).toBeLessThan(3 * 3600 + 60);
    expect(first).toEqual({ deleted: 2, batches: 1, complete: false, backlogAgeSeconds: reading!.value });
    expect(await keysLeft(url)).toHaveLength(3);

    const caughtUp = cleanup(url);
    expect(await caughtUp.handler({}, LONG_RUN)).toEqual({ deleted: 3, batches: 1, complete: true, backlogAgeSeconds: 0 });
    expect(caughtUp.metrics.gauges).toEqual([{ name: "IdempotencyKeyBacklogAge", value: 0, dimensions: { FunctionName: "payments-cleanup-test" } }]);

    await makeReadOnly();
    const skipped = cleanup(url);
    expect(await skipped.handler({}, LONG_RUN)).toMatchObject({ skipped: "read-only" });
    expect(skipped.metrics.gauges).toEqual([]);
  });

  // The alarm reads the backlog's age: a run whose time ran out just as it emptied the backlog (a full last
  // batch, nothing after it) must publish 0, not a reading without a value.
  it("publishes a backlog of age 0 when its time ran out with nothing left to delete", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 2, { expiresIn: "-1 hour" });
    let clock = 0;
    const { handler, metrics } = cleanup(url, { batchSize: 2, now: () => (clock += 600) - 600 });
    expect(await handler({}, { ...LONG_RUN, getRemainingTimeInMillis: () => 17_000 + 1000 })).toEqual({ deleted: 2, batches: 1, complete: false, backlogAgeSeconds: 0 });
    expect(metrics.gauges).toEqual([{ name: "IdempotencyKeyBacklogAge", value: 0, dimensions: { FunctionName: "payments-cleanup-test" } }]);
  });

  it("stops when its time budget is used, leaving a connect, a batch and the backlog's lookup of margin before the Lambda timeout, and says it is not complete", async () => {
    const url = await freshDatabase();
    await insertKeys(url, "expired", 5, { expiresIn: "-1 minute" });
    // Margin: connect 3 s + 2 × (statement 5 s + the client's 1 s grace) + 2 s. One second beyond it: one 600 ms batch fits, not two.
    let clock = 0;
    const { handler, metrics } = cleanup(url, { batchSize: 2, now: () => (clock += 600) - 600 });
    expect(await handler({}, { ...LONG_RUN, getRemainingTimeInMillis: () => 17_000 + 1000 })).toEqual({ deleted: 2, batches: 1, complete: false, backlogAgeSeconds: expect.any(Number) });
    expect(metrics.counts).toEqual({ IdempotencyKeysDeleted: 2 });
    expect(await keysLeft(url)).toHaveLength(3);
  });
});
