import type { ClientBase, ClientConfig } from "pg";
import { createLogger } from "../observability/logger";
import { startPostgres, type PostgresServer } from "../test-support/database";
import { ABORTED_BEFORE_START_ALLOWANCE_MS, Connection } from "./connection";
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

  it("cuts work begun after its signal aborted (the budget spent while it connected) once it has had ABORTED_BEFORE_START_ALLOWANCE_MS (pitfall: an abort listener added after the abort never fires)", async () => {
    let connectAnswers: () => void = () => undefined;
    const slowConnect = new Promise<void>((resolve) => (connectAnswers = resolve));
    const connection = new Connection({
      name: "writer",
      config: async () => {
        await slowConnect;
        return config();
      },
      logger,
    });
    const budget = new AbortController();
    let began = 0;
    try {
      // As the primary's writer probe: on a connection of its own, connecting when the budget runs out.
      const late = connection.use(async (client) => {
        began = Date.now();
        return sleepForever(client);
      }, { signal: budget.signal, fresh: true });
      const queued = connection.use(backendOf);
      budget.abort();
      connectAnswers();
      await expect(late).rejects.toThrow(DatabaseUnavailableError);
      const ranFor = Date.now() - began;
      expect(began).toBeGreaterThan(0);
      expect(ranFor).toBeGreaterThanOrEqual(ABORTED_BEFORE_START_ALLOWANCE_MS - 50);
      expect(ranFor).toBeLessThan(ABORTED_BEFORE_START_ALLOWANCE_MS + 500);
      // Not held until the hung statement's end: the next use gets its turn at once.
      const started = Date.now();
      expect(await queued).toEqual(expect.any(Number));
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await connection.close();
    }
  });

  it("still runs work begun after its signal aborted, and keeps its answer and its connection: the allowance's timer ends with the work (a cold container's first probe)", async () => {
    const connection = new Connection({ name: "reader", config: async () => config(), logger });
    const budget = new AbortController();
    budget.abort();
    try {
      const backend = await connection.use(async (client) => {
        await client.query("SELECT pg_sleep(0.2)");
        return backendOf(client);
      }, { signal: budget.signal });
      // Past the allowance: a timer left behind would cut the kept connection now, under later work.
      await new Promise((resolve) => setTimeout(resolve, ABORTED_BEFORE_START_ALLOWANCE_MS + 300));
      expect(connection.isOpen).toBe(true);
      expect(await connection.use(backendOf)).toBe(backend);
    } finally {
      await connection.close();
    }
  });
});
