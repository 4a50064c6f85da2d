import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { DatabaseSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { startPostgres, type PostgresServer } from "../test-support/database";
import { Connection } from "./connection";
import { parseDbSecret, secretsManagerCredentials, type DbSecret } from "./credentials";
import { clientConfig, createDatabase } from "./database";
import { DatabaseUnavailableError, isSpentConnection, isTransientDatabaseError, StaleConnectionError } from "./errors";

const logger = createLogger({ serviceName: "payments-test", metricsNamespace: "Test", logLevel: "SILENT" });
const AWS: DatabaseSettings = {
  endpoints: { kind: "aws", secretId: "db-secret", writerHost: "writer.global.example", readerHost: "cluster.us-east-2.example" },
  connectTimeoutMs: 3000,
  statementTimeoutMs: 5000,
};
const SECRET: DbSecret = { username: "payments_admin", password: "s3cret-pw", port: 5432, dbname: "payments" };

describe("clientConfig", () => {
  it("writes through the global writer, reads through the region's cluster, over verified TLS, with the timeouts per connection", () => {
    const trust = createSecureContext();
    const writer = clientConfig(AWS, "writer", SECRET, trust);
    expect(writer).toEqual({
      host: "writer.global.example",
      port: 5432,
      user: "payments_admin",
      password: "s3cret-pw",
      database: "payments",
      ssl: { secureContext: trust, rejectUnauthorized: true },
      connectionTimeoutMillis: 3000,
      statement_timeout: 5000,
      query_timeout: 6000,
      idle_in_transaction_session_timeout: 10_000,
      keepAlive: true,
      options: "-c client_connection_check_interval=1000",
      application_name: "payments-writer",
      pipeline: true,
    });
    expect(clientConfig(AWS, "reader", SECRET, trust)).toMatchObject({ host: "cluster.us-east-2.example", application_name: "payments-reader" });
  });

  it("uses DATABASE_URL as is: no TLS, no secret", () => {
    const config = clientConfig({ ...AWS, endpoints: { kind: "url", url: "postgres://u:p@127.0.0.1/db" } }, "writer");
    expect(config).toMatchObject({ connectionString: "postgres://u:p@127.0.0.1/db", statement_timeout: 5000 });
    expect(config.ssl).toBeUndefined();
  });
});

describe("DB secret", () => {
  it("parses Secrets Manager's RDS shape and ignores its host (endpoints come from the environment)", () => {
    expect(parseDbSecret(JSON.stringify({ ...SECRET, engine: "postgres", host: "ignored", port: "5433" }))).toEqual({ ...SECRET, port: 5433 });
  });

  it("names what is missing, never the password", () => {
    expect(() => parseDbSecret(JSON.stringify({ password: "s3cret-pw" }))).toThrow(/lacks valid username, dbname/);
    expect(() => parseDbSecret(JSON.stringify({ password: "s3cret-pw" }))).not.toThrow(/s3cret/);
    expect(() => parseDbSecret("s3cret-pw")).toThrow(/^The DB secret is not JSON$/);
  });

  // A plaintext secret holding the password alone (quoted), a number, null, an array, or a binary secret (no SecretString).
  it("says so when the secret is JSON but not an object, or has no string, naming no value", () => {
    for (const secretString of ['"s3cret-pw"', "5432", "null", '["s3cret-pw"]']) {
      expect(() => parseDbSecret(secretString)).toThrow(/^The DB secret is not a JSON object$/);
    }
    expect(() => parseDbSecret(undefined)).toThrow(/^The DB secret is not JSON$/);
  });

  it("is fetched once, refetched after invalidate, and a failed fetch is not cached", async () => {
    const send = jest.fn<Promise<string | undefined>, [string]>().mockRejectedValueOnce(new Error("throttled")).mockResolvedValue(JSON.stringify(SECRET));
    const credentials = secretsManagerCredentials("db-secret", send);
    await expect(credentials.get()).rejects.toThrow("throttled");
    expect(await credentials.get()).toEqual(SECRET);
    await credentials.get();
    expect(send).toHaveBeenCalledTimes(2);
    credentials.invalidate();
    await credentials.get();
    expect(send).toHaveBeenCalledTimes(3);
    expect(send.mock.calls[0]).toEqual(["db-secret"]);
  });
});

describe("errors", () => {
  it.each([
    ["25006", true],
    ["57014", true],
    ["57P01", true],
    ["08006", true],
    ["53300", true],
    ["57P05", true],
    ["ECONNREFUSED", true],
    ["EPIPE", true],
    // A connect whose SYN got no answer; a writer endpoint whose name does not resolve (mid-failover).
    ["ETIMEDOUT", true],
    ["ENOTFOUND", true],
    ["23505", false],
    ["42601", false],
  ])("SQLSTATE/errno %s transient: %s", (code, transient) => {
    expect(isTransientDatabaseError(Object.assign(new Error("x"), { code }))).toBe(transient);
  });

  it("treats node-postgres' own connection failures as transient", () => {
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isTransientDatabaseError(new Error("Query read timeout"))).toBe(true);
    expect(isTransientDatabaseError(new TypeError("cannot read properties of undefined"))).toBe(false);
  });

  // A spent connection is worth one more try on a new one; a database that is down, read-only,
  // slow or locked is not (the retry would only double the wait for the same 503).
  it.each([
    ["57P01 admin shutdown (switchover, reboot, pg_terminate_backend)", Object.assign(new Error("x"), { code: "57P01" }), true],
    ["08006 connection failure", Object.assign(new Error("x"), { code: "08006" }), true],
    ["ECONNRESET", Object.assign(new Error("x"), { code: "ECONNRESET" }), true],
    ["closed under a query", new Error("Connection terminated unexpectedly"), true],
    ["a stale prepared statement", new StaleConnectionError("0A000"), true],
    ["25006 read-only", Object.assign(new Error("x"), { code: "25006" }), false],
    ["57014 statement timeout", Object.assign(new Error("x"), { code: "57014" }), false],
    ["55P03 lock timeout", Object.assign(new Error("x"), { code: "55P03" }), false],
    ["ECONNREFUSED", Object.assign(new Error("x"), { code: "ECONNREFUSED" }), false],
    ["lost and then used", new Error("Client has encountered a connection error and is not queryable"), true],
    ["closed by us (an interrupted request)", new Error("Connection terminated"), false],
    ["closed by us, then used", new Error("Client was closed and is not queryable"), false],
    ["interrupted", new DatabaseUnavailableError("interrupted"), false],
  ])("spent connection: %s → %s", (_, error, spent) => {
    expect(isSpentConnection(error)).toBe(spent);
  });
});

describe("against a real server", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it("refetches rotated credentials once after an authentication failure", async () => {
    const secrets = [{ password: "old-password" }, { password: server.password }];
    let fetched = 0;
    let invalidated = 0;
    const connection = new Connection({
      name: "writer",
      config: async () => ({ host: "127.0.0.1", port: server.port, user: server.user, database: server.database, password: secrets[Math.min(fetched++, 1)]!.password }),
      onAuthenticationFailure: () => invalidated++,
      logger,
    });
    try {
      expect(await connection.use(async (client) => (await client.query("SELECT 1 AS one")).rows)).toEqual([{ one: 1 }]);
      expect([fetched, invalidated]).toEqual([2, 1]);
    } finally {
      await connection.close();
    }
  });

  it("interrupted while connecting, a use never runs its work: the request that asked has answered already", async () => {
    let credentialsArrive: () => void = () => undefined;
    const slowSecret = new Promise<void>((resolve) => (credentialsArrive = resolve));
    const connection = new Connection({
      name: "writer",
      config: async () => {
        await slowSecret;
        return { host: "127.0.0.1", port: server.port, user: server.user, database: server.database, password: server.password };
      },
      logger,
    });
    const work = jest.fn(async () => "ran");
    try {
      const pending = connection.use(work);
      connection.interrupt("deadline");
      credentialsArrive();
      await expect(pending).rejects.toThrow(DatabaseUnavailableError);
      expect(work).not.toHaveBeenCalled();
      // The connection it opened serves the next request.
      expect(await connection.use(async () => "next")).toBe("next");
    } finally {
      await connection.close();
    }
  });

  it("interrupted while it waits its turn, a use on a connection of its own (fresh) never runs its work either", async () => {
    const connection = new Connection({
      name: "writer",
      config: async () => ({ host: "127.0.0.1", port: server.port, user: server.user, database: server.database, password: server.password }),
      logger,
    });
    const work = jest.fn(async () => "ran");
    try {
      const first = connection.use((client) => client.query("SELECT 1"));
      const queued = connection.use(work, { fresh: true });
      connection.interrupt("deadline");
      await expect(first).rejects.toThrow(DatabaseUnavailableError);
      await expect(queued).rejects.toThrow(DatabaseUnavailableError);
      expect(work).not.toHaveBeenCalled();
      // A fresh use asked for after the interrupt runs, and closes its connection.
      expect(await connection.use(async () => "next", { fresh: true })).toBe("next");
      expect(connection.isOpen).toBe(false);
    } finally {
      await connection.close();
    }
  });

  it("AWS endpoints insist on TLS: a server without it is unavailable, not spoken to in clear", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ca-"));
    const caFile = join(dir, "rds-ca.pem");
    await writeFile(caFile, "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
    const db = createDatabase(
      { ...AWS, endpoints: { kind: "aws", secretId: "db-secret", writerHost: "127.0.0.1", readerHost: "127.0.0.1" } },
      { logger, caFile, credentials: { get: async () => ({ ...SECRET, port: server.port, username: server.user, password: server.password, dbname: "postgres" }), invalidate: () => undefined } },
    );
    try {
      expect(db.reader).toBe(db.writer);
      await expect(db.writer.use((client) => client.query("SELECT 1"))).rejects.toThrow(DatabaseUnavailableError);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("AWS endpoints (the api function's wiring): after a writer connect that timed out, the writer's next uses fail at once for the backoff; the reader's still try", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ca-"));
    const caFile = join(dir, "rds-ca.pem");
    await writeFile(caFile, "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
    // Accepts and never answers, on every loopback address: the writer at 127.0.0.1, the reader at 127.0.0.2 (one port, the secret's).
    const sockets = new Set<Socket>();
    const reached: string[] = [];
    const silent = createServer((socket) => (sockets.add(socket), reached.push(socket.localAddress ?? "")));
    await new Promise<void>((resolve) => silent.listen(0, resolve));
    const port = (silent.address() as { port: number }).port;
    const db = createDatabase(
      { ...AWS, connectTimeoutMs: 200, endpoints: { kind: "aws", secretId: "db-secret", writerHost: "127.0.0.1", readerHost: "127.0.0.2" } },
      { logger, caFile, writerUnreachableBackoffMs: 60_000, credentials: { get: async () => ({ ...SECRET, port }), invalidate: () => undefined } },
    );
    const select = (client: { query(text: string): Promise<unknown> }) => client.query("SELECT 1");
    try {
      await expect(db.writer.use(select)).rejects.toThrow(DatabaseUnavailableError);
      const started = Date.now();
      await expect(db.writer.use(select)).rejects.toThrow("Database unavailable (unreachable)");
      expect(Date.now() - started).toBeLessThan(150);
      await expect(db.reader.use(select)).rejects.toThrow(DatabaseUnavailableError);
      await expect(db.reader.use(select)).rejects.toThrow(DatabaseUnavailableError);
      expect(reached.filter((address) => address.endsWith("127.0.0.1"))).toHaveLength(1);
      expect(reached.filter((address) => address.endsWith("127.0.0.2"))).toHaveLength(2);
    } finally {
      await db.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
