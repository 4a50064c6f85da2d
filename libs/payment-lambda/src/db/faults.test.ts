import type { Context } from "aws-lambda";
import { connect, createServer, type Server, type Socket } from "node:net";
import { Client } from "pg";
import { countRows, migrate, startEndpoint, startPostgres, urlOnPort, withClient, type PostgresServer } from "../test-support/database";
import { getPayment, postPayment, VALID_PAYMENT } from "../test-support/events";
import { RESPONSE_MARGIN_MS } from "../app/api";
import { CLOSE_GRACE_MS } from "./connection";
import { WRITER_MAX_AGE_MS, WRITER_UNREACHABLE_BACKOFF_MS } from "./database";
import { DatabaseUnavailableError } from "./errors";
import { paymentOf, problemOf, testApi, testSettings } from "../test-support/runtime";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
  await migrate(server.url);
});
afterAll(() => server?.stop());

function expectUnavailable(response: { statusCode: number; headers?: Record<string, unknown>; body: string }): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers?.["Retry-After"]).toBe("2");
  expect(response.headers?.["Content-Type"]).toBe("application/problem+json");
  expect(problemOf(response).type).toMatch(/service-unavailable$/);
}

/** Waits until a backend of `applicationName` waits on a lock, and returns its pid. */
async function blockedBackend(admin: Client, applicationName: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    // `admin` is inside a transaction, where pg_stat_activity is a snapshot: refresh it.
    await admin.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [applicationName]);
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${applicationName} backend waiting on a lock`);
}

/** A proxy to the test server whose network can fail in the ways {@link startCuttableProxy} tells. */
interface CuttableProxy {
  url: string;
  /** Open connections are cut the way a network cuts them while a Lambda container is frozen: the client is not told, and the next bytes it sends get a reset. */
  cut(): void;
  /**
   * From now on the network drops every packet and refuses nothing (a partition, a security group
   * or route gone): open connections get no answer, not even to their FIN, and new ones are never
   * answered (the connect timeout's case, as for a SYN that gets no reply).
   */
  blackHole(): void;
  /** New connections reach the server again; those open in the black hole stay in it, as a peer's lost session would. */
  heal(): void;
  close(): Promise<void>;
}

/** A TCP proxy to the test server whose connections can be cut or black-holed: see {@link CuttableProxy}. */
async function startCuttableProxy(): Promise<CuttableProxy> {
  const open = new Set<{ client: Socket; upstream: Socket; cut: boolean; blackHoled: boolean }>();
  const unanswered = new Set<Socket>();
  let blackHoled = false;
  // Half-open allowed: a client's FIN is answered by ours only while the network carries them.
  const proxy = createServer({ allowHalfOpen: true }, (client) => {
    if (blackHoled) return void unanswered.add(client.on("error", () => undefined));
    const link = { client, upstream: connect(server.port, server.host), cut: false, blackHoled: false };
    open.add(link);
    client.on("data", (data) => (link.blackHoled ? undefined : link.cut ? (client.resetAndDestroy(), link.upstream.destroy()) : link.upstream.write(data)));
    link.upstream.on("data", (data) => link.cut || link.blackHoled || client.write(data));
    // In the black hole nothing reaches the client: not the server's answers, nor its hanging up.
    const end = () => (link.upstream.destroy(), link.blackHoled || (open.delete(link), client.destroy()));
    client.on("end", () => link.blackHoled || end());
    client.on("close", end).on("error", end);
    link.upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as { port: number }).port;
  return {
    url: urlOnPort(server, port),
    cut: () => open.forEach((link) => (link.cut = true)),
    blackHole: () => {
      blackHoled = true;
      open.forEach((link) => (link.blackHoled = true));
    },
    heal: () => (blackHoled = false),
    close: async () => {
      open.forEach((link) => (link.client.destroy(), link.upstream.destroy()));
      unanswered.forEach((socket) => socket.destroy());
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/** The backends of the API's connections of one kind (`payments-writer`, `payments-reader`). */
async function backendPids(applicationName: string): Promise<number[]> {
  return withClient(server.url, async (client) => (await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [applicationName])).rows.map((r) => r.pid));
}

/** Whether every payments-writer session has ended within `ms`. */
async function writerSessionsGoneWithin(admin: Client, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    await admin.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'payments-writer'");
    if (rows[0]!.n === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe("database faults → 503 + Retry-After, the connection discarded, and recovery", () => {
  it("server stopped → 503 on POST and GET; restarted → the next request reconnects and succeeds", async () => {
    const api = testApi(testSettings(server.url));
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, "stop-1"))).statusCode).toBe(201);
      expect(api.runtime.db.writer.isOpen).toBe(true);
      await server.pause();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "stop-2")));
      expectUnavailable(await api.handler(getPayment("0b9f4c2e-8a51-4d6f-9a43-2f5d3c1e7b60")));
      expect(api.runtime.db.writer.isOpen).toBe(false);
      expect(api.metrics.counts.DatabaseUnavailable).toBe(2);
      await server.resume();
      expect((await api.handler(postPayment(VALID_PAYMENT, "stop-2"))).statusCode).toBe(201);
    } finally {
      await server.resume();
      await api.close();
    }
  });

  it("connect timeout (a server that accepts and never answers) → 503 within the budget", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const api = testApi(testSettings(urlOnPort(server, port), { connectTimeoutMs: 300 }));
    try {
      const started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "silent-1")));
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
      await api.close();
    }
  });

  it("read-only database (SQLSTATE 25006, as on a secondary) → 503 and no write; writable again → recovers", async () => {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    const api = testApi(testSettings(server.url));
    try {
      await admin.query("ALTER DATABASE postgres SET default_transaction_read_only = on");
      const before = await countRows(server.url);
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "ro-1")));
      expect(await countRows(server.url)).toEqual(before);
      expect(api.runtime.db.writer.isOpen).toBe(false);

      await admin.query("ALTER DATABASE postgres RESET default_transaction_read_only");
      expect((await api.handler(postPayment(VALID_PAYMENT, "ro-1"))).statusCode).toBe(201);
    } finally {
      await admin.query("ALTER DATABASE postgres RESET default_transaction_read_only");
      await admin.end();
      await api.close();
    }
  });

  it("statement timeout (a lock held by another session) → 503, not mistaken for a key in flight (409), and no write", async () => {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    // The key claim's lock wait (→ 409) is shorter than the statement timeout: it must not wait on `payments`.
    const api = testApi(testSettings(server.url, { statementTimeoutMs: 300 }), { payments: { keyLockTimeoutMs: 100 } });
    try {
      const before = await countRows(server.url);
      await admin.query("BEGIN");
      await admin.query("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "timeout-1")));
      expect(Date.now() - started).toBeLessThan(2000);
      await admin.query("ROLLBACK");
      expect(await countRows(server.url)).toEqual(before);
      expect((await api.handler(postPayment(VALID_PAYMENT, "timeout-1"))).statusCode).toBe(201);
    } finally {
      await admin.end();
      await api.close();
    }
  });

  it("out of the function's time (each statement within its own timeout) → 503 before Lambda would kill it, rolled back, and the retry succeeds", async () => {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    const api = testApi(testSettings(server.url));
    // 1.6 s left: the request must answer by RESPONSE_MARGIN_MS before that, whatever its statements' timeouts (5 s).
    const context = { getRemainingTimeInMillis: () => 1600 } as unknown as Context;
    try {
      const before = await countRows(server.url);
      await admin.query("BEGIN");
      await admin.query("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "deadline-1"), context));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1600 - RESPONSE_MARGIN_MS - 50);
      expect(Date.now() - started).toBeLessThan(1600);
      expect(api.runtime.db.writer.isOpen).toBe(false);
      expect(api.metrics.counts.DatabaseUnavailable).toBe(1);
      // Its session is gone while the lock is still held (not at statement_timeout, 5 s): the key it
      // claimed is free, so a retry from another container is served, not told "in progress".
      expect(await writerSessionsGoneWithin(admin, 2500)).toBe(true);
      const other = testApi(testSettings(server.url, { statementTimeoutMs: 300 }));
      try {
        expectUnavailable(await other.handler(postPayment(VALID_PAYMENT, "deadline-1"))); // payments still locked: a 503, not a 409
      } finally {
        await other.close();
      }
      await admin.query("ROLLBACK");
      // The claimed key went with the interrupted transaction: nothing half-done, no key left in flight.
      expect(await countRows(server.url)).toEqual(before);
      expect((await api.handler(postPayment(VALID_PAYMENT, "deadline-1"), context)).statusCode).toBe(201);
    } finally {
      await admin.end();
      await api.close();
    }
  });

  it("connection killed mid-transaction (pg_terminate_backend) → 503, no partial payment, the next request succeeds on a fresh connection", async () => {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    const api = testApi(testSettings(server.url));
    try {
      const before = await countRows(server.url);
      await admin.query("BEGIN");
      await admin.query("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE");
      // The request claims its key, then waits on the payments lock: inside its transaction.
      const pending = api.handler(postPayment(VALID_PAYMENT, "killed-1"));
      const pid = await blockedBackend(admin, "payments-writer");
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      expectUnavailable(await pending);
      await admin.query("ROLLBACK");
      expect(await countRows(server.url)).toEqual(before);

      const retry = await api.handler(postPayment(VALID_PAYMENT, "killed-1"));
      expect(retry.statusCode).toBe(201);
      const pids = await withClient(server.url, async (client) => (await client.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'payments-writer'")).rows);
      expect(pids).toHaveLength(1);
      expect(pids[0].pid).not.toBe(pid);
      const after = await countRows(server.url);
      expect(after.payments - before.payments).toBe(1);
      expect(after.completedKeys - before.completedKeys).toBe(1);
    } finally {
      await admin.end();
      await api.close();
    }
  });

  // Each changes a column that the payment insert, prepared by the first payment, was planned against.
  it.each([
    {
      change: "a result column's type (0A000)",
      key: "stale-result",
      migrate: "ALTER TABLE payments ALTER COLUMN reference TYPE varchar(100)",
      restore: "ALTER TABLE payments ALTER COLUMN reference TYPE varchar(64)",
    },
    {
      change: "a parameter's column type (42804)",
      key: "stale-parameter",
      // status from text to an enum: the prepared insert still sends its status as text.
      migrate: `ALTER TABLE payments DROP CONSTRAINT payments_status_check;
        CREATE TYPE payment_status AS ENUM ('created', 'succeeded', 'failed', 'cancelled');
        ALTER TABLE payments ALTER COLUMN status TYPE payment_status USING status::payment_status`,
      restore: `ALTER TABLE payments ALTER COLUMN status TYPE text USING status::text;
        DROP TYPE payment_status;
        ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('created', 'succeeded', 'failed', 'cancelled'))`,
    },
  ])("a migration that changes $change → the request runs again on a new connection, which prepares the statement again: one payment, no 503", async ({ key, migrate: migration, restore }) => {
    const api = testApi(testSettings(server.url));
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, `${key}-1`))).statusCode).toBe(201);
      const [stale] = await backendPids("payments-writer");
      await withClient(server.url, (client) => client.query(migration));
      const before = await countRows(server.url);
      expect((await api.handler(postPayment(VALID_PAYMENT, `${key}-2`))).statusCode).toBe(201);
      const after = await countRows(server.url);
      expect(after.payments - before.payments).toBe(1);
      expect(await backendPids("payments-writer")).not.toContain(stale);
    } finally {
      await withClient(server.url, (client) => client.query(restore));
      await api.close();
    }
  });

  it("kept connections cut while the container was frozen (a switchover, a NAT's idle timeout) → each request runs again on a new connection, no 503", async () => {
    // A writer and a reader connection, as in AWS, each through a proxy of its own.
    const [writerProxy, readerProxy] = [await startCuttableProxy(), await startCuttableProxy()];
    const settings = testSettings(server.url);
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: writerProxy.url, readerUrl: readerProxy.url } } });
    const unknownId = "00000000-0000-4000-8000-000000000000";
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, "frozen-1"))).statusCode).toBe(201);
      expect((await api.handler(getPayment(unknownId))).statusCode).toBe(404);
      const [writerBefore, readerBefore] = [await backendPids("payments-writer"), await backendPids("payments-reader")];
      writerProxy.cut();
      readerProxy.cut();
      expect(api.runtime.db.writer.isOpen && api.runtime.db.reader.isOpen).toBe(true);
      const before = await countRows(server.url);
      expect((await api.handler(postPayment(VALID_PAYMENT, "frozen-2"))).statusCode).toBe(201);
      expect((await api.handler(getPayment(unknownId))).statusCode).toBe(404);
      expect((await countRows(server.url)).payments - before.payments).toBe(1);
      expect(api.metrics.counts.DatabaseUnavailable).toBeUndefined();
      expect(await backendPids("payments-writer")).not.toEqual(writerBefore);
      expect(await backendPids("payments-reader")).not.toEqual(readerBefore);
    } finally {
      await api.close();
      await writerProxy.close();
      await readerProxy.close();
    }
  });

  it("only the work that asks runs again: a spent connection fails other work (the key cleanup counts what it deleted; /health checks again next time)", async () => {
    const proxy = await startCuttableProxy();
    const api = testApi(testSettings(proxy.url));
    try {
      await api.runtime.db.writer.use((client) => client.query("SELECT 1"));
      proxy.cut();
      await expect(api.runtime.db.writer.use((client) => client.query("SELECT 1"))).rejects.toThrow(DatabaseUnavailableError);
      expect(api.runtime.db.writer.isOpen).toBe(false);
    } finally {
      await api.close();
      await proxy.close();
    }
  });

  it("an idle connection killed between invocations is replaced without a failed request", async () => {
    const api = testApi(testSettings(server.url));
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, "idle-1"))).statusCode).toBe(201);
      await withClient(server.url, (client) => client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'payments-writer'"));
      for (let i = 0; i < 50 && api.runtime.db.writer.isOpen; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(api.runtime.db.writer.isOpen).toBe(false);
      expect((await api.handler(postPayment(VALID_PAYMENT, "idle-2"))).statusCode).toBe(201);
    } finally {
      await api.close();
    }
  });

  it("a writer connection kept from before a failover forced while the old writer stayed up and writable writes there for at most its maximum age: then a new connection follows the endpoint", async () => {
    const endpoint = await startEndpoint(server, "forward");
    const settings = testSettings(server.url);
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: endpoint.url } } }, { writerMaxAgeMs: 300 });
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, "max-age-1"))).statusCode).toBe(201);
      endpoint.set("refuse");
      // Within its age the kept connection still reaches the old writer (the window this bounds)...
      expect((await api.handler(postPayment(VALID_PAYMENT, "max-age-2"))).statusCode).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 350));
      // ...past it, the request connects anew: the endpoint now names a writer out of reach.
      const before = await countRows(server.url);
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "max-age-3")));
      expect(await countRows(server.url)).toEqual(before);
    } finally {
      await api.close();
      await endpoint.close();
    }
  });

  it("a writer connection past its maximum age in a network black hole (packets dropped, nothing refused) is let go, not waited on: the request answers 503 within its connect timeout, and the container serves once the network is back", async () => {
    const proxy = await startCuttableProxy();
    // No backoff after the timed-out connect (its own test below): the request right after the heal must reach the writer.
    const api = testApi(testSettings(proxy.url, { connectTimeoutMs: 300, statementTimeoutMs: 500 }), { writerMaxAgeMs: 200, writerUnreachableBackoffMs: 0 });
    // 3 s left: a request stuck behind the old connection's goodbye would answer at its deadline, 2 s.
    const context = { getRemainingTimeInMillis: () => 3000 } as unknown as Context;
    try {
      expect((await api.handler(postPayment(VALID_PAYMENT, "black-hole-1"), context)).statusCode).toBe(201);
      proxy.blackHole();
      await new Promise((resolve) => setTimeout(resolve, 250));
      const started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "black-hole-2"), context));
      expect(Date.now() - started).toBeLessThan(1000);
      // The old connection's FIN is still unanswered (its peer is gone for good): nothing waits on it.
      proxy.heal();
      const before = await countRows(server.url);
      expect((await api.handler(postPayment(VALID_PAYMENT, "black-hole-2"), context)).statusCode).toBe(201);
      expect((await countRows(server.url)).payments - before.payments).toBe(1);
    } finally {
      await proxy.close();
      await api.close();
    }
  });

  it("closing a connection in a network black hole takes at most its goodbye's grace, not until TCP gives up (the cleanup and the migrations close theirs after each run)", async () => {
    const proxy = await startCuttableProxy();
    const api = testApi(testSettings(proxy.url));
    try {
      await api.runtime.db.writer.use((client) => client.query("SELECT 1"));
      proxy.blackHole();
      const started = Date.now();
      await api.close();
      expect(Date.now() - started).toBeLessThanOrEqual(CLOSE_GRACE_MS + 200);
      expect(api.runtime.db.writer.isOpen).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("in the DR region before the database moves (the global writer out of reach), a POST that waited out the connect timeout lets the next ones answer 503 at once, so the reads keep the function's concurrency; once the backoff has passed the container reaches a promoted writer", async () => {
    const seeded = testApi(testSettings(server.url));
    const existing = paymentOf(await seeded.handler(postPayment(VALID_PAYMENT, "dr-backoff-existing")));
    await seeded.close();
    const writer = await startEndpoint(server, "hang");
    const settings = testSettings(writer.url, { role: "dr", connectTimeoutMs: 300 });
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: writer.url, readerUrl: server.url } } }, { writerUnreachableBackoffMs: 1500 });
    try {
      let started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "dr-backoff-1")));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      started = Date.now();
      expectUnavailable(await api.handler(postPayment(VALID_PAYMENT, "dr-backoff-2")));
      expect(Date.now() - started).toBeLessThan(150);
      expect(writer.connections).toBe(1);
      expect((await api.handler(getPayment(existing.id))).statusCode).toBe(200);
      writer.set("forward");
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect((await api.handler(postPayment(VALID_PAYMENT, "dr-backoff-2"))).statusCode).toBe(201);
    } finally {
      await writer.close();
      await api.close();
    }
  });

  it("backs off the api function's writer by default (WRITER_UNREACHABLE_BACKOFF_MS); a fresh use (the primary's /health asking the global writer) still tries, and ends the backoff once it gets through; a refused connect sets no backoff", async () => {
    expect(WRITER_UNREACHABLE_BACKOFF_MS).toBe(5_000);
    const writer = await startEndpoint(server, "hang");
    const api = testApi(testSettings(writer.url, { connectTimeoutMs: 300 }));
    try {
      await expect(api.runtime.db.writer.use((client) => client.query("SELECT 1"))).rejects.toThrow(DatabaseUnavailableError);
      let started = Date.now();
      await expect(api.runtime.db.writer.use((client) => client.query("SELECT 1"))).rejects.toThrow("Database unavailable (unreachable)");
      expect(Date.now() - started).toBeLessThan(150);
      writer.set("forward");
      started = Date.now();
      expect((await api.runtime.db.writer.use((client) => client.query<{ one: number }>("SELECT 1 AS one"), { fresh: true })).rows[0]!.one).toBe(1);
      // Still within the backoff, but a fresh use has just reached the writer: it ends the backoff, and the writes that follow try again.
      expect((await api.runtime.db.writer.use((client) => client.query<{ one: number }>("SELECT 1 AS one"))).rows[0]!.one).toBe(1);
      expect(Date.now() - started).toBeLessThan(WRITER_UNREACHABLE_BACKOFF_MS);
    } finally {
      await writer.close();
      await api.close();
    }
    // Refused at once (a writer restarting): no backoff, each request tries, as before.
    const refused = testApi(testSettings(server.url));
    try {
      await server.pause();
      await expect(refused.runtime.db.writer.use((client) => client.query("SELECT 1"))).rejects.toThrow(DatabaseUnavailableError);
      await server.resume();
      expect((await refused.handler(postPayment(VALID_PAYMENT, "backoff-refused"))).statusCode).toBe(201);
    } finally {
      await server.resume();
      await refused.close();
    }
  });

  it("keeps the writer connection for a minute by default, then reconnects in the request that finds it that old", async () => {
    expect(WRITER_MAX_AGE_MS).toBe(60_000);
    const api = testApi(testSettings(server.url), { writerMaxAgeMs: 200 });
    const writerPid = () => api.runtime.db.writer.use(async (client) => (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
    try {
      const first = await writerPid();
      expect(await writerPid()).toBe(first);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await api.handler(postPayment(VALID_PAYMENT, "max-age-renewed"))).statusCode).toBe(201);
      expect(await writerPid()).not.toBe(first);
    } finally {
      await api.close();
    }
  });
});
