// What the stack that deploys the migrate function must agree with it on (libs/serverless-api's
// DatabaseMigration reads it through this library's index): plain values, no pg.
import { CLIENT_QUERY_GRACE_MS, DATABASE_BUDGET_MS } from "../config/contract";

/**
 * Migrations get their own budget, not the API's 5 s: DDL on a large table takes longer. The
 * lock wait is short so that a migration never queues the API's traffic behind it for long.
 */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 120_000;
/**
 * How long a run waits for the migrations' lock: below the statement timeout, which would
 * otherwise fire first and say only "statement timeout" instead of who holds the lock.
 */
export const MIGRATION_LOCK_WAIT_MS = 110_000;
/**
 * How long the function waits for a writer that does not answer yet: on a first deploy it runs
 * as soon as the writer instance is available, and the global writer endpoint's name may not
 * resolve, or its instance accept connections, for a little longer. Then it fails the deploy.
 */
export const WRITER_WAIT_MS = 60_000;

/**
 * The longest a run takes when it waits out each of its budgets once: the wait for the writer
 * and its last connect, the lock wait, one statement and the client's grace past it (294 s).
 * The function's timeout must leave MIGRATE_SETUP_MARGIN_MS beyond it, or Lambda kills the run
 * and the deploy says "Task timed out" instead of the database's own words. Several slow
 * migrations in one run need a longer timeout (up to Lambda's 900 s).
 */
export const MIGRATE_RUN_BUDGET_MS = WRITER_WAIT_MS + DATABASE_BUDGET_MS.connectTimeoutMs + MIGRATION_LOCK_WAIT_MS + MIGRATION_STATEMENT_TIMEOUT_MS + CLIENT_QUERY_GRACE_MS;
/**
 * What a run needs besides those budgets: a cold start, the secrets, the writer probe's own
 * statement, the app role's reset (a dozen short statements, up to 2 s for each session it ends),
 * the close.
 */
export const MIGRATE_SETUP_MARGIN_MS = 30_000;
