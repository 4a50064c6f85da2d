import type { ClientBase } from "pg";
import { isTransientDatabaseError } from "./errors";

/** Hands inTransaction a statement already sent but not awaited: COMMIT follows it without waiting for its answer. */
export type CommitAfter = (last: Promise<unknown>) => void;

/**
 * Runs `work` between BEGIN and COMMIT, in as few round trips as a pipelining client allows
 * (each round trip may cross regions, to the global writer endpoint):
 *
 * - BEGIN, then `setup` (trusted statements without parameters, e.g. `SET LOCAL …`), are sent
 *   without waiting for their answers: work's first statement travels right behind them. They are
 *   separate queries, not one string, so that BEGIN runs whatever `setup` holds: a `setup` that fails,
 *   even to parse, aborts the open transaction, and everything after it fails with it instead of
 *   running in autocommit. BEGIN alone fails only with the connection, and everything after it too.
 * - `work` may hand over its last statement unawaited (`commitAfter`): COMMIT goes right behind
 *   it. If that statement fails, the server answers the COMMIT with a rollback, and its error is
 *   what this throws.
 *
 * On failure, rolls back — unless the failure is transient: then the connection is about to be
 * discarded, and closing it rolls back server-side without waiting on a connection that may not answer.
 */
export async function inTransaction<T>(client: ClientBase, work: (commitAfter: CommitAfter) => Promise<T>, setup: readonly string[] = []): Promise<T> {
  let last: Promise<unknown> | undefined;
  const commitAfter: CommitAfter = (statement) => {
    // Its rejection is handled below, with COMMIT's; until then it must not count as unhandled.
    statement.catch(() => undefined);
    last = statement;
  };
  try {
    const begin = Promise.all([client.query("BEGIN"), ...setup.map((statement) => client.query(statement))]);
    const [begun, worked] = await Promise.allSettled([begin, work(commitAfter)]);
    if (begun.status === "rejected") throw begun.reason;
    if (worked.status === "rejected") throw worked.reason;
    await Promise.all([last, client.query("COMMIT")]);
    return worked.value;
  } catch (error) {
    if (!isTransientDatabaseError(error)) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
