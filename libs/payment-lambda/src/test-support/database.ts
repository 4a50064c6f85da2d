import { join } from "node:path";
import { Client } from "pg";
import { readMigrations } from "../migrations/files";
import { applyMigrations } from "../migrations/runner";
export { freePort, startPostgres, type PostgresServer } from "@payments-dr/testing";

/** The source migrations. */
export const MIGRATIONS_DIR = join(__dirname, "..", "..", "migrations");

/** Runs `work` on a fresh client to `url`, then closes it. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies the source migrations to the database at `url`. */
export function migrate(url: string): Promise<unknown> {
  return withClient(url, (client) => applyMigrations(client, readMigrations(MIGRATIONS_DIR)));
}

/** What is in the tables: every test of "nothing written" compares these. */
export interface RowCounts {
  payments: number;
  keys: number;
  completedKeys: number;
}

export function countRows(url: string): Promise<RowCounts> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ payments: number; keys: number; completed: number }>(
      `SELECT (SELECT count(*)::int FROM payments) AS payments,
              (SELECT count(*)::int FROM idempotency_keys) AS keys,
              (SELECT count(*)::int FROM idempotency_keys WHERE status = 'completed') AS completed`,
    );
    const row = rows[0]!;
    return { payments: row.payments, keys: row.keys, completedKeys: row.completed };
  });
}
