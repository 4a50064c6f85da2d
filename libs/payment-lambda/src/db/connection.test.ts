import type { ClientBase, ClientConfig } from "pg";
import { createLogger } from "../observability/logger";
import { startPostgres, type PostgresServer } from "../test-support/database";
import { Connection } from "./connection";
import { DatabaseUnavailableError } from "./errors";

const logger = createLogger({ serviceName: "payments-test", metricsNamespace: "Test", logLevel: "SILENT" });

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/** The test server's config; the server checks on its client as production's does, so a cut query's backend ends too. */
function config(): ClientConfig {
  return { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, options: "-c client_connection_check_interval=100" };
}

/** The server process behind `client`'s connection: the same one means the connection was kept. */
async function backendOf(client: ClientBase): Promise<number> {
  return (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
}

const sleepForever = (client: ClientBase) => client.query("SELECT pg_sleep(30)");

describe("Connection.use with a signal (/health's budget)", () => {
  it("cuts the work hung when the signal aborts, and the use queued behind it runs on a new backend instead of failing", async () => {
    const connection = new Connection({ name: "reader", config: async () => config(), logger });
    const budget = new AbortController();
    let hung: (pid: number) => void = () => undefined;
    const hungBackend = new Promise<number>((resolve) => (hung = resolve));
    try {
      const first = connection.use(async (client) => {
        hung(await backendOf(client));
        return sleepForever(client);
      }, { signal: budget.signal });
      const queued = connection.use(backendOf);
      const firstBackend = await hungBackend;
      const aborted = Date.now();
      budget.abort();
      await expect(first).rejects.toThrow(DatabaseUnavailableError);
      expect(Date.now() - aborted).toBeLessThan(500);
      const queuedBackend = await queued;
      expect(Date.now() - aborted).toBeLessThan(1000);
      expect(queuedBackend).not.toBe(firstBackend);
      expect(connection.isOpen).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
