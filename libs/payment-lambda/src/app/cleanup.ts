import type { Logger } from "@aws-lambda-powertools/logger";
import { CLEANUP_BACKLOG_METRIC } from "../config/contract";
import type { DatabaseSettings } from "../config/settings";
import type { CredentialsProvider } from "../db/credentials";
import type { Connection } from "../db/connection";
import { CLIENT_QUERY_GRACE_MS } from "../config/contract";
import { createDatabase, type Database } from "../db/database";
import { codeOf, DatabaseUnavailableError, isSpentConnection } from "../db/errors";
import { loggableError } from "../observability/logger";
import { runtimeError } from "../observability/thrown-error";
import { probeDatabase } from "../health/health-check";
import type { MetricsSink } from "../observability/metrics";
import { deleteExpiredKeys, type ExpiredKeysCleanup } from "../payments/expired-keys";

/** Arguments of {@link createCleanupHandler}. */
export interface CleanupHandlerArgs {
  database: DatabaseSettings;
  logger: Logger;
  metrics: MetricsSink;
  /** @default 1000 */
  batchSize?: number;
  credentials?: CredentialsProvider;
  caFile?: string;
  /** @default Date.now */
  now?: () => number;
}

/** What the function answers: a run, or a skip on a database that cannot be written here (with what a run cut short by a switchover had deleted). */
export type CleanupResult = Omit<ExpiredKeysCleanup, "readOnly"> | (Pick<ExpiredKeysCleanup, "deleted" | "batches"> & { complete: false; skipped: "read-only" });

/** The part of the Lambda context the handler reads. */
export interface CleanupContext {
  functionName: string;
  getRemainingTimeInMillis(): number;
}

const DEFAULT_BATCH_SIZE = 1000;
/** Beyond a connect and two statements (each with the client's grace): logging, closing, flushing metrics. */
const SAFETY_MARGIN_MS = 2000;

/**
 * The cleanup function: deletes expired idempotency keys through this region's writer, in short
 * batches, and stops while a connect plus two more statements (a last batch, the backlog's
 * lookup) still fit in the invocation. On a read-only database (the DR region's secondary before
 * a failover) it deletes nothing and answers `skipped: "read-only"` without an error: that is the normal state of the DR region.
 * A switchover during a run ends it the same way, with the batches committed before counted,
 * whether the demoted writer answers read-only or ends the session (it restarts). So does a
 * DB_WRITER_HOST that cannot be connected to while this region's reader endpoint (DB_READER_HOST)
 * answers read-only: the cluster endpoint of a secondary is inactive. A server that refuses the
 * connection (credentials, too many connections) is not that. Any other failure is an
 * error, and what its batches deleted before it is still counted. The connections are closed
 * after each run: the function runs once an hour.
 */
export function createCleanupHandler(args: CleanupHandlerArgs): (event: unknown, context: CleanupContext) => Promise<CleanupResult> {
  const batchSize = args.batchSize ?? DEFAULT_BATCH_SIZE;
  const now = args.now ?? Date.now;
  const { connectTimeoutMs, statementTimeoutMs } = args.database;
  // A connect, the last batch and the backlog's lookup after it, each statement with the client's grace.
  const marginMs = connectTimeoutMs + 2 * (statementTimeoutMs + CLIENT_QUERY_GRACE_MS) + SAFETY_MARGIN_MS;

  return async (_event, context) => {
    const deadline = now() + context.getRemainingTimeInMillis() - marginMs;
    const db = createDatabase(args.database, { logger: args.logger, credentials: args.credentials, caFile: args.caFile });
    const progress = { deleted: 0, batches: 0 };
    try {
      const result = await run(db, deadline, progress);
      report(result, context);
      return result;
    } catch (error) {
      // The batches committed before the failure are deleted: count them, and say so beside the error.
      args.logger.error("Idempotency key cleanup failed", { ...progress, error: loggableError(error) });
      if (progress.deleted > 0) args.metrics.count("IdempotencyKeysDeleted", progress.deleted);
      throw runtimeError(error);
    } finally {
      await db.close();
      args.metrics.flush();
    }
  };

  async function run(db: Database, deadline: number, progress: { deleted: number; batches: number }): Promise<CleanupResult> {
    try {
      await db.writer.use(async () => undefined);
    } catch (error) {
      // Cannot connect: a secondary's cluster endpoint is inactive. This region's reader endpoint
      // answering read-only says this cluster is not the writer here (or, in the primary region,
      // that its writer is down, which the API's alarms report): skip. Otherwise an error, and
      // always when a live server refused this function (the primary's reader, a replica, answers
      // read-only all the time: a skip would hide it hour after hour).
      if (!(error instanceof DatabaseUnavailableError) || refusedByServer(error) || db.reader === db.writer || !(await answersReadOnly(db.reader))) throw error;
      return { deleted: 0, batches: 0, complete: false, skipped: "read-only" };
    }
    const onBatch = (count: number) => {
      progress.deleted += count;
      progress.batches += 1;
    };
    try {
      return await db.writer.use(async (client): Promise<CleanupResult> => {
        const { readOnly, ...run } = await deleteExpiredKeys(client, { batchSize, deadline, now, onBatch });
        // Not the writer here (or no longer, after a switchover): the next run on the writer's side deletes the rest.
        return readOnly ? { deleted: run.deleted, batches: run.batches, complete: false, skipped: "read-only" } : run;
      });
    } catch (error) {
      // A switchover restarts the demoted writer: the session ends (57P01, a reset) instead of answering
      // read-only. Judged as at connect time: this region's reader answering read-only says the writer
      // moved. A statement timeout or any other answer stays an error.
      const lost = error instanceof DatabaseUnavailableError && isSpentConnection(error.cause ?? error);
      if (!lost || db.reader === db.writer || !(await answersReadOnly(db.reader))) throw error;
      return { ...progress, complete: false, skipped: "read-only" };
    }
  }

  function report(result: CleanupResult, context: CleanupContext): void {
    if ("skipped" in result) {
      args.logger.info("Idempotency key cleanup skipped: the database is read-only here", { skipped: result.skipped, deleted: result.deleted, batches: result.batches });
      args.metrics.count("IdempotencyCleanupSkipped");
      if (result.deleted > 0) args.metrics.count("IdempotencyKeysDeleted", result.deleted);
      return;
    }
    args.logger.info("Idempotency key cleanup done", { deleted: result.deleted, batches: result.batches, complete: result.complete, backlogAgeSeconds: result.backlogAgeSeconds });
    args.metrics.count("IdempotencyKeysDeleted", result.deleted);
    // Every run that could delete (0 once caught up): a skipped region publishes none, and its alarm treats that as fine.
    args.metrics.gaugeSeconds(CLEANUP_BACKLOG_METRIC.name, result.backlogAgeSeconds, { [CLEANUP_BACKLOG_METRIC.functionDimension]: context.functionName });
  }
}

/** A server answered the connect with a refusal of this function's own: its credentials (class 28), too many connections (class 53). */
function refusedByServer(error: DatabaseUnavailableError): boolean {
  const code = codeOf(error.cause);
  return code !== undefined && (code.startsWith("28") || code.startsWith("53"));
}

/** True when the connection's endpoint answers, and cannot be written. */
async function answersReadOnly(connection: Connection): Promise<boolean> {
  try {
    return !(await probeDatabase(connection)).writable;
  } catch {
    return false;
  }
}
