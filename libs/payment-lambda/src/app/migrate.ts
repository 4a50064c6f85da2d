import type { Logger } from "@aws-lambda-powertools/logger";
import type { DatabaseSettings } from "../config/settings";
import { configureRoles, FUNCTION_ROLES, type FunctionRoleKey } from "../db/function-roles";
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
  /** The health role's password, as {@link appPassword} (the health secret, /health's functions). */
  healthPassword?: string;
  /**
   * Leave the app role its grant on the heartbeat row: the stack's /health may still connect as
   * the app role (a stack deployed before the health role, whose /health function takes the health
   * secret only after this run). @default false
   */
  keepAppHeartbeat?: boolean;
}

/** The input's key that carries each function role's password. */
const PASSWORD_KEYS = { app: "appPassword", health: "healthPassword" } as const satisfies Record<FunctionRoleKey, keyof MigrateEvent>;

/** The passwords of the input, by role: each one a string. */
function rolePasswords(event: MigrateEvent | null | undefined): Partial<Record<FunctionRoleKey, string>> {
  const passwords: Partial<Record<FunctionRoleKey, string>> = {};
  for (const [role, key] of Object.entries(PASSWORD_KEYS) as [FunctionRoleKey, keyof MigrateEvent][]) {
    const password: unknown = event?.[key];
    if (password === undefined) continue;
    if (typeof password !== "string") throw new Error(`${key} of the invocation's input must be a string`);
    passwords[role] = password;
  }
  return passwords;
}

/**
 * The migrate function: applies pending migrations through the writer, gives each function role
 * the password of its input (when it has one), and answers `{ applied, current }`. It
 * throws on failure, so the deploy-time invocation fails the deploy — also when the stack's hash
 * is not the bundle's (a stale build would skip migrations).
 * The connection is closed after each run: the function runs once per deploy.
 */
export function createMigrateHandler(args: MigrateHandlerArgs): (event?: MigrateEvent | null) => Promise<MigrationResult> {
  // The deploy shows the message; the function's log keeps nothing the database quoted of its rows.
  const migrate = async (event?: MigrateEvent | null): Promise<MigrationResult> => {
    const migrations = readMigrations(args.migrationsDir);
    const passwords = rolePasswords(event);
    const keepAppHeartbeat = event?.keepAppHeartbeat ?? false;
    if (typeof keepAppHeartbeat !== "boolean") throw new Error("keepAppHeartbeat of the invocation's input must be a boolean");
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
      const roles = (Object.keys(passwords) as FunctionRoleKey[]).map((key) => FUNCTION_ROLES[key].name);
      if (roles.length > 0) {
        const reset = await db.writer.use((client) => configureRoles(client, passwords, { keepAppHeartbeat }));
        if (reset.endedSessions.length > 0) args.logger.warn("Ended function role sessions holding an uncommitted change to a role", { roles, pids: reset.endedSessions });
        args.logger.info("Function roles reset to their grants, passwords set", { roles });
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
