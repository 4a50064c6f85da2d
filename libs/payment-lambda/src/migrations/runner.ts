import type { ClientBase, QueryConfig } from "pg";
import { CLIENT_QUERY_GRACE_MS } from "../config/contract";
import { codeOf, SQLSTATE_LOCK_NOT_AVAILABLE } from "../db/errors";
import { inTransaction } from "../db/transaction";
import { MIGRATION_LOCK_WAIT_MS, MIGRATION_STATEMENT_TIMEOUT_MS } from "./contract";
import type { Migration } from "./files";

/** What a migration run did. */
export interface MigrationResult {
  /** Versions applied by this run, in order ("NNN_name"). */
  applied: string[];
  /** The highest applied version after the run, or null for an empty schema. */
  current: string | null;
}

/**
 * Serialises the runs that find no lock table yet and create it (pg_advisory_xact_lock): a first
 * deploy's, and once the first run on a database migrated before the lock table existed.
 */
export const HISTORY_BOOTSTRAP_LOCK_KEY = 7_310_402_917;
/**
 * The schema of the migrations' lock: its creator's (the schema's owner) alone, no USAGE for
 * anyone else. A role without USAGE cannot even name what is in it, so it cannot lock it by any
 * statement. A table the app role can name is not enough: a statement it only prepares
 * (`PREPARE … AS INSERT INTO schema_migrations …`) locks its target table ROW EXCLUSIVE at parse
 * time, until its transaction ends, with no privilege on it (checked only at EXECUTE).
 */
export const MIGRATIONS_LOCK_SCHEMA = "payments_migrations";
const LOCK_RELATION = `${MIGRATIONS_LOCK_SCHEMA}.lock`;
/**
 * The migrations' lock, taken by each run's transaction: self-conflicting, so runs queue on it.
 * Only a role with USAGE on its schema can take it: the schema's owner. The app role, which may
 * take any advisory lock, and name (so lock) the tables of the public schema, cannot hold a deploy up with it.
 */
const MIGRATIONS_LOCK = `LOCK TABLE ${LOCK_RELATION} IN SHARE ROW EXCLUSIVE MODE`;

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    text        PRIMARY KEY,
  name       text        NOT NULL,
  checksum   char(64)    NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

const MIGRATION_LOCK_TIMEOUT_MS = 5_000;

/** A query with the migration budget, server side and client side. */
function run(client: ClientBase, text: string, values?: unknown[]) {
  return client.query({ text, values, query_timeout: MIGRATION_STATEMENT_TIMEOUT_MS + CLIENT_QUERY_GRACE_MS } as QueryConfig);
}

interface AppliedRow {
  version: string;
  checksum: string;
}

/** The transaction's id: a migration that ends the transaction it runs in (COMMIT, ROLLBACK) leaves another one. */
async function transactionId(client: ClientBase): Promise<string> {
  return String(((await run(client, "SELECT txid_current() AS id")).rows[0] as { id: string | number }).id);
}

/** Options of {@link applyMigrations}. */
export interface MigrationOptions {
  /** How long a run waits for the migrations' lock (another run holds it). @default MIGRATION_LOCK_WAIT_MS */
  lockWaitMs?: number;
}

/** The sessions that hold the migrations' lock, as an operator can find and end them. */
async function lockHolders(client: ClientBase): Promise<string> {
  // Every granted lock on the lock table that MIGRATIONS_LOCK waits for (all but ACCESS SHARE and ROW SHARE), and the bootstrap's.
  const { rows } = await client.query<{ pid: number; usename: string | null; application_name: string; since: string | null }>(
    `SELECT DISTINCT a.pid, a.usename, a.application_name, a.xact_start::text AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted
        -- Relation and advisory locks are per database: another database's of the same cluster blocks no one here.
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.locktype = 'relation' AND l.relation = to_regclass($2) AND l.mode NOT IN ('AccessShareLock', 'RowShareLock'))
          OR (l.locktype = 'advisory' AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1))`,
    [HISTORY_BOOTSTRAP_LOCK_KEY, LOCK_RELATION],
  );
  if (rows.length === 0) return "a session that has ended since";
  return rows.map((r) => `pid ${r.pid} (user ${r.usename ?? "?"}, application "${r.application_name}", in its transaction since ${r.since ?? "?"})`).join(", ");
}

/** Takes the migrations' lock in the client's open transaction, once a run has created its table. */
export function takeMigrationsLock(client: ClientBase) {
  return run(client, MIGRATIONS_LOCK);
}

async function lockAndReadHistory(client: ClientBase, lockWaitMs: number): Promise<Map<string, string>> {
  await run(client, `SET LOCAL statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
  // Concurrent runners queue here until the one ahead commits, for lockWaitMs at most.
  await run(client, `SET LOCAL lock_timeout = ${lockWaitMs}`);
  // Which lock the run waits on, for the error if the wait runs out.
  let lock = `table ${LOCK_RELATION}`;
  try {
    // Two first runs would race to create the tables: they take turns. No app role exists yet (the
    // migrations create it), except once in a database migrated before the lock table existed.
    if ((await run(client, "SELECT to_regclass($1) IS NULL AS missing", [LOCK_RELATION])).rows[0].missing) {
      lock = `the first run's advisory lock ${HISTORY_BOOTSTRAP_LOCK_KEY}, taken until ${LOCK_RELATION} exists`;
      await run(client, "SELECT pg_advisory_xact_lock($1)", [HISTORY_BOOTSTRAP_LOCK_KEY]);
      lock = `table ${LOCK_RELATION}`;
      // A new schema grants no USAGE to PUBLIC.
      await run(client, `CREATE SCHEMA IF NOT EXISTS ${MIGRATIONS_LOCK_SCHEMA}`);
      await run(client, `CREATE TABLE IF NOT EXISTS ${LOCK_RELATION} ()`);
      await run(client, CREATE_HISTORY);
    }
    await run(client, MIGRATIONS_LOCK);
  } catch (error) {
    if (codeOf(error) !== SQLSTATE_LOCK_NOT_AVAILABLE) throw error;
    throw new MigrationLockBusy(lock, lockWaitMs);
  }
  await run(client, `SET LOCAL lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
  const { rows } = await run(client, "SELECT version, checksum FROM schema_migrations");
  return new Map((rows as AppliedRow[]).map((row) => [row.version, row.checksum]));
}

/**
 * Applies the pending migrations in order, each in its own transaction that first takes the
 * migrations' lock and re-reads the history — so concurrent runners apply each migration once, and
 * a second run is a no-op. Errors, before anything is applied: an applied migration whose file
 * is gone (renamed or deleted), or whose SQL changed. Migration files must not contain
 * BEGIN/COMMIT/ROLLBACK: one that ends its transaction fails the run and is not recorded.
 */
export async function applyMigrations(client: ClientBase, migrations: Migration[], options: MigrationOptions = {}): Promise<MigrationResult> {
  const lockWaitMs = options.lockWaitMs ?? MIGRATION_LOCK_WAIT_MS;
  if (lockWaitMs >= MIGRATION_STATEMENT_TIMEOUT_MS) throw new Error(`lockWaitMs ${lockWaitMs} must be below the statement timeout (${MIGRATION_STATEMENT_TIMEOUT_MS} ms), which would fire first`);
  try {
    return await applyUnderLock(client, migrations, lockWaitMs);
  } catch (error) {
    // Named once the waiting transaction has rolled back: who holds the lock (another deploy's run, or a stray session).
    if (error instanceof MigrationLockBusy) throw new Error(`${error.message}: held by ${await lockHolders(client)}. Let it finish, or end it (SELECT pg_terminate_backend(<pid>)), then deploy again`);
    throw error;
  }
}

/** The lock wait ran out. */
class MigrationLockBusy extends Error {
  constructor(lock: string, waitedMs: number) {
    super(`The migrations' lock (${lock}) was not free after ${waitedMs / 1000} s`);
  }
}

/**
 * The indexes a query cannot use: a `CREATE INDEX CONCURRENTLY` that failed (a timeout, a dropped
 * session, a duplicate under UNIQUE), or one still being built. Either way the index's name is
 * taken, so a migration's `CREATE INDEX IF NOT EXISTS` of that name would skip it and be recorded
 * as applied, leaving the table without the index for good.
 */
async function invalidIndexes(client: ClientBase): Promise<string[]> {
  const { rows } = await run(
    client,
    `SELECT i.indexrelid::regclass::text AS name, p.pid
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_progress_create_index p ON p.index_relid = i.indexrelid
      WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
  );
  return (rows as { name: string; pid: number | null }[]).map(({ name, pid }) => (pid === null ? `${name} (invalid: a build that failed)` : `${name} (still being built by pid ${pid})`));
}

async function applyUnderLock(client: ClientBase, migrations: Migration[], lockWaitMs: number): Promise<MigrationResult> {
  const files = new Set(migrations.map((m) => m.version));
  const { history, invalid } = await inTransaction(client, async () => ({ history: await lockAndReadHistory(client, lockWaitMs), invalid: await invalidIndexes(client) }));
  const gone = [...history.keys()].filter((version) => !files.has(version)).sort();
  if (gone.length > 0) {
    throw new Error(`Applied migrations have no file any more (renamed or deleted): ${gone.join(", ")}. An applied migration is never renamed or removed: restore it, and change the schema with a new one`);
  }
  // Only a run with something to apply is refused: a deploy that migrates nothing (a code fix in an outage) goes ahead.
  if (invalid.length > 0 && migrations.some((m) => !history.has(m.version))) {
    throw new Error(
      `Unusable indexes, which a pending migration's CREATE INDEX IF NOT EXISTS would skip: ${invalid.join(", ")}. Let a build finish; drop a failed one (DROP INDEX CONCURRENTLY <name>) and build it again, then deploy again. Nothing was applied`,
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    await inTransaction(client, async () => {
      const history = await lockAndReadHistory(client, lockWaitMs);
      const checksum = history.get(migration.version);
      if (checksum !== undefined) {
        if (checksum.trim() !== migration.checksum) throw new Error(`Migration ${migration.version}_${migration.name} changed after it was applied`);
        return;
      }
      const before = await transactionId(client);
      await run(client, migration.sql);
      if ((await transactionId(client)) !== before) {
        throw new Error(`Migration ${migration.version}_${migration.name} ends the transaction it runs in (a COMMIT, ROLLBACK or BEGIN in the file): what came before it may be committed; remove them, each file runs as one transaction`);
      }
      await run(client, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [migration.version, migration.name, migration.checksum]);
      applied.push(`${migration.version}_${migration.name}`);
    });
  }
  const versions = [...(await inTransaction(client, () => lockAndReadHistory(client, lockWaitMs))).keys()].sort();
  return { applied, current: versions.at(-1) ?? null };
}
