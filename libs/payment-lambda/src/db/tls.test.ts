import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { createLogger } from "../observability/logger";
import { makeCertificates } from "../test-support/certificates";
import { createDatabase } from "./database";
import { DatabaseUnavailableError } from "./errors";
import { caSecureContext } from "./tls";

const logger = createLogger({ serviceName: "payments-test", metricsNamespace: "Test", logLevel: "SILENT" });
const SECRET = { username: "payments_app", password: "s3cret-pw", dbname: "payments" };

/**
 * PostgreSQL's side of a TLS connect: answers the SSLRequest with `S`, completes the handshake
 * with `localhost`'s certificate, counts the startup message that then arrives over TLS, and hangs up.
 */
async function tlsPostgres(credentials: { key: Buffer; cert: Buffer }): Promise<{ server: Server; port: number; startups: () => number; close(): Promise<void> }> {
  const secureContext = tls.createSecureContext(credentials);
  const sockets = new Set<Socket>();
  let startups = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("data", () => {
      socket.write("S");
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secure.on("error", () => undefined);
      secure.once("data", () => {
        startups++;
        secure.destroy();
      });
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    port: (server.address() as { port: number }).port,
    startups: () => startups,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("TLS to the database (AWS endpoints)", () => {
  let dir: string;
  let certificates: ReturnType<typeof makeCertificates>;
  let postgres: Awaited<ReturnType<typeof tlsPostgres>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "db-tls-"));
    certificates = makeCertificates(dir);
    postgres = await tlsPostgres(certificates);
  });
  afterAll(async () => {
    await postgres?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  const database = (host: string, caFile: string) =>
    createDatabase(
      { endpoints: { kind: "aws", secretId: "db-secret", writerHost: host, readerHost: host }, connectTimeoutMs: 2000, statementTimeoutMs: 1000 },
      { logger, caFile, credentials: { get: async () => ({ ...SECRET, port: postgres.port }), invalidate: () => undefined } },
    );
  const select = (client: { query(text: string): Promise<unknown> }) => client.query("SELECT 1");

  it("parses the CA bundle once per container, not at each connect: every connection shares one TLS context", async () => {
    const contexts = jest.spyOn(tls, "createSecureContext");
    const db = database("localhost", certificates.caFile);
    const before = postgres.startups();
    try {
      // New connections, as the primary's /health makes to the writer on each check: each one verified, none builds a context.
      for (let i = 0; i < 3; i++) await expect(db.writer.use(select, { fresh: true })).rejects.toThrow(DatabaseUnavailableError);
      expect(postgres.startups() - before).toBe(3);
      expect(contexts).toHaveBeenCalledTimes(1);
      expect(caSecureContext(certificates.caFile)).toBe(caSecureContext(certificates.caFile));
    } finally {
      await db.close();
    }
  });

  it("still verifies the server: a certificate of another CA, or not naming the host, gets no startup message", async () => {
    const before = postgres.startups();
    const otherCa = database("localhost", certificates.otherCaFile);
    const wrongName = database("127.0.0.1", certificates.caFile);
    try {
      await expect(otherCa.writer.use(select)).rejects.toThrow("Database unavailable (UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
      await expect(wrongName.writer.use(select)).rejects.toThrow("Database unavailable (ERR_TLS_CERT_ALTNAME_INVALID)");
      expect(postgres.startups()).toBe(before);
    } finally {
      await Promise.all([otherCa.close(), wrongName.close()]);
    }
  });
});
