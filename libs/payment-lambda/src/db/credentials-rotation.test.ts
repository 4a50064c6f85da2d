import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../observability/logger";
import { makeCertificates, postgresTlsSettings } from "../test-support/certificates";
import { startPostgres, type PostgresServer } from "../test-support/database";
import { secretsManagerCredentials, type DbSecret } from "./credentials";
import { createDatabase } from "./database";
import { DatabaseUnavailableError } from "./errors";

const logger = createLogger({ serviceName: "payments-test", metricsNamespace: "Test", logLevel: "SILENT" });

// The api function's database on AWS endpoints (verified TLS, the secret cached for the container),
// against a real server: after a rotation the server refuses the cached password.
describe("a rotated DB secret (AWS endpoints)", () => {
  let dir: string;
  let caFile: string;
  let server: PostgresServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "db-rotation-"));
    const certificates = makeCertificates(dir);
    caFile = certificates.caFile;
    server = await startPostgres({ settings: postgresTlsSettings(dir, certificates) });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The database of one container, whose secret fetches answer `passwords` in turn (the last one from then on). */
  function containerDatabase(passwords: string[]) {
    let fetches = 0;
    const secret = (password: string): DbSecret => ({ username: server.user, password, port: server.port, dbname: server.database });
    const fetchSecret = async () => JSON.stringify(secret(passwords[Math.min(fetches++, passwords.length - 1)]!));
    const db = createDatabase(
      { endpoints: { kind: "aws", secretId: "db-secret", writerHost: "localhost", readerHost: "localhost" }, connectTimeoutMs: 3000, statementTimeoutMs: 2000 },
      { logger, caFile, credentials: secretsManagerCredentials("db-secret", fetchSecret) },
    );
    return { db, fetches: () => fetches };
  }
  const select = async (client: { query(text: string): Promise<{ rows: unknown[] }> }) => (await client.query("SELECT 1 AS one")).rows;

  it("fetches the secret again after the server refuses the cached one, and serves the request", async () => {
    const { db, fetches } = containerDatabase(["before-rotation", server.password]);
    try {
      expect(await db.writer.use(select)).toEqual([{ one: 1 }]);
      expect(fetches()).toBe(2);
    } finally {
      await db.close();
    }
  });

  it("a secret still refused after fetching it again → unavailable (28P01), fetched once more only: no loop", async () => {
    const { db, fetches } = containerDatabase(["wrong-password"]);
    try {
      const failure = await db.writer.use(select).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect((failure as DatabaseUnavailableError).reason).toBe("28P01");
      expect(fetches()).toBe(2);
    } finally {
      await db.close();
    }
  });
});
