import { createServer } from "node:net";
import { WRITER_WAIT_MS } from "../migrations/contract";
import { MIGRATIONS_DIR } from "../test-support/database";
import { createLogger } from "../observability/logger";
import { createMigrateHandler } from "./migrate";

/** A local port that refuses connections (ECONNREFUSED: no server answers there, so the function waits for one). */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the migrate function's wait for the writer", () => {
  afterEach(() => jest.useRealTimers());

  // Pitfall: DatabaseMigration refuses a timeout below MIGRATE_RUN_BUDGET_MS, which counts WRITER_WAIT_MS;
  // a handler that waited longer by default than that would outlast the budget the stack checked.
  it("waits WRITER_WAIT_MS by default, the wait MIGRATE_RUN_BUDGET_MS counts", async () => {
    const url = `postgres://u:p@127.0.0.1:${await refusingPort()}/payments`;
    const logger = createLogger({ serviceName: "payments-migrate-test", metricsNamespace: "Test", logLevel: "SILENT" });
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    const started = Date.now();
    const handler = createMigrateHandler({ database: { endpoints: { kind: "url", url }, connectTimeoutMs: 3000, statementTimeoutMs: 5000 }, migrationsDir: MIGRATIONS_DIR, logger });
    let settled = false;
    const outcome = handler().then(
      () => "resolved",
      (error: Error) => error.message,
    );
    void outcome.finally(() => (settled = true));
    // Each try is refused at once (real I/O); the pauses between them are fake time.
    for (let i = 0; i < 2000 && !settled; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await jest.advanceTimersByTimeAsync(100);
    }
    expect(await outcome).toMatch(/ECONNREFUSED/);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(WRITER_WAIT_MS - 2_500);
    expect(waited).toBeLessThanOrEqual(WRITER_WAIT_MS + 1_000);
  });
});
