import type { Logger } from "@aws-lambda-powertools/logger";
import type { DatabaseSettings } from "../config/settings";
import { APP_ROLE, configureAppRole } from "../db/app-role";
import type { CredentialsProvider } from "../db/credentials";
import { createDatabase, type Database } from "../db/database";
import { DatabaseUnavailableError, failureReason, isUnreachableServer } from "../db/errors";
import { hashMigrations, readMigrations } from "../migrations/files";
import { WRITER_WAIT_MS } from "../migrations/contract";
import { applyMigrations, type MigrationResult } from "../migrations/runner";
import { runtimeError } from "../observability/thrown-error";

/** Arguments of {@link createMigrateHandler}. */
export interface MigrateHandlerArgs {
  database: DatabaseSettings;
  /** Where the `NNN_name.sql` files are (in the bundle: `migrations/` next to index.js). */
  migrationsDir: string;
  logger: Logger;
  /** The master user's credentials (the schema's owner): @default the secret DB_SECRET_ID names. */
  credentials?: CredentialsProvider;
  caFile?: string;
  /** How long to wait for a writer that no server answers for yet. @default WRITER_WAIT_MS */
  writerWaitMs?: number;
}

/** The pause between two tries to reach the writer. */
const WRITER_RETRY_MS = 2_000;

/** The deploy-time invocation's input. */
export interface MigrateEvent {
  /** The hash the stack computed from the migrations it deploys. */
  migrationsHash?: string;
  /**
   * The app role's password, which the role gets after the migrations (with its grants put
   * back): the stack writes it into the app secret only after this run succeeded, so the
   * functions never hold a password the database does not. Unset: the role is left as it is.
   * Never logged.
   */
  appPassword?: string;
}

/**
 * The migrate function: applies pending migrations through the writer, gives the app role the
 * password of its input (when it has one), and answers `{ applied, current }`. It
 * throws on failure, so the deploy-time invocation fails the deploy — also when the stack's hash
 * is not the bundle's (a stale build would skip migrations).
 * The connection is closed after each run: the function runs once per deploy.
 */
export function createMigrateHandler(args: MigrateHandlerArgs): (event?: MigrateEvent | null) => Promise<MigrationResult> {
  // The deploy shows the message; the function's log keeps nothing the database quoted of its rows.
  const migrate = async (event?: MigrateEvent | null): Promise<MigrationResult> => {
    const migrations = readMigrations(args.migrationsDir);
    const expected = event?.migrationsHash;
    if (expected !== undefined && expected !== hashMigrations(migrations)) {
      throw new Error("The bundled migrations are not the ones the deploy hashed: rebuild payment-lambda and deploy again");
    }
    const db = createDatabase(args.database, { logger: args.logger, credentials: args.credentials, caFile: args.caFile });
    try {
      const result = await waitForWriter(db, args.logger, args.writerWaitMs ?? WRITER_WAIT_MS)
        .then(() => db.writer.use((client) => applyMigrations(client, migrations)))
        .catch((error: unknown) => {
          // The deploy shows only this message: say what the database said (e.g. read-only: not the writer).
          // Duck-typed: a socket error (an unresolved name) may come from another realm than Error.
          const cause = error instanceof Error ? (error.cause as { message?: unknown } | undefined)?.message : undefined;
          if (typeof cause !== "string") throw error;
          throw new Error(`${(error as Error).message}: ${cause}`, { cause: error });
        });
      args.logger.info("Migrations done", { applied: result.applied, current: result.current });
      const password = event?.appPassword;
      if (password !== undefined) {
        if (typeof password !== "string") throw new Error("appPassword of the invocation's input must be a string");
        const reset = await db.writer.use((client) => configureAppRole(client, password));
        if (reset.endedSessions.length > 0) args.logger.warn("Ended app role sessions holding an uncommitted change to a role", { role: APP_ROLE, pids: reset.endedSessions });
        args.logger.info("App role reset to its grants, password set", { role: APP_ROLE });
      }
      return result;
    } finally {
      await db.close();
    }
  };
  return (event) => migrate(event).catch((error: unknown) => Promise.reject(runtimeError(error)));
}

/**
 * Connects to the writer (the connection is kept for the run), trying again every
 * WRITER_RETRY_MS while no server answers at its name, for `waitMs` at most. A server that
 * answers and refuses (credentials, read-only) fails at once.
 */
async function waitForWriter(db: Database, logger: Logger, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await db.writer.use((client) => client.query("SELECT 1"));
      return;
    } catch (error) {
      if (!isUnreachableServer(error) || Date.now() + WRITER_RETRY_MS > deadline) throw error;
      logger.info("The writer does not answer yet; trying again", { reason: error instanceof DatabaseUnavailableError ? error.reason : failureReason(error), retryInMs: WRITER_RETRY_MS });
      await new Promise((resolve) => setTimeout(resolve, WRITER_RETRY_MS));
    }
  }
}
