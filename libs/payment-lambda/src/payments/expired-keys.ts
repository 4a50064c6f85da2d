import type { ClientBase } from "pg";
import { codeOf, SQLSTATE_READ_ONLY } from "../db/errors";

/** What one cleanup run did. */
export interface ExpiredKeysCleanup {
  /** Rows deleted. */
  deleted: number;
  /** DELETE statements run (each its own transaction). */
  batches: number;
  /** True when the last batch came back short: no expired key was left that could be deleted. */
  complete: boolean;
  /** The database refused writes (SQLSTATE 25006): a secondary, or a writer demoted during the run; the batches counted were committed before. */
  readOnly?: boolean;
}

/** Arguments of {@link deleteExpiredKeys}. */
export interface DeleteExpiredKeysOptions {
  /** Rows per DELETE: each batch's locks and WAL stay small. */
  batchSize: number;
  /** No batch starts at or after this time (ms since the epoch). */
  deadline: number;
  /** @default Date.now */
  now?: () => number;
  /** Told after each committed batch: what a run that fails later has deleted all the same. */
  onBatch?(deleted: number): void;
}

/**
 * One batch: the oldest expired keys, by the primary key. `FOR UPDATE SKIP LOCKED` passes over a
 * key that a request is claiming or reclaiming right now (the API deletes an expired key and
 * inserts it afresh in its own transaction), so the cleanup never waits on a payment and a
 * payment never waits on more than one batch. `expires_at < now()` is stricter than the API's
 * `<=`: a key the API would still replay is never deleted. The primary key (not `ctid`) names
 * the rows: it stays correct if the plan changes, and a row updated between the subquery and
 * the delete cannot be mistaken for another.
 */
const DELETE_BATCH = `
  DELETE FROM idempotency_keys
  WHERE (merchant_id, idempotency_key) IN (
    SELECT merchant_id, idempotency_key FROM idempotency_keys
    WHERE expires_at < now()
    ORDER BY expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  )`;

/**
 * Deletes expired idempotency keys in batches of `batchSize`, each an autocommitted statement
 * (its own short transaction), until a batch deletes fewer rows than asked or the deadline passes,
 * or the database refuses writes (`readOnly`): an Aurora secondary, from the first batch on, or a
 * writer a switchover demoted during the run. No separate check first: the first DELETE answers
 * SQLSTATE 25006 on a read-only database before it deletes anything.
 */
export async function deleteExpiredKeys(client: ClientBase, options: DeleteExpiredKeysOptions): Promise<ExpiredKeysCleanup> {
  const now = options.now ?? Date.now;
  let deleted = 0;
  let batches = 0;
  while (now() < options.deadline) {
    let count: number;
    try {
      count = (await client.query(DELETE_BATCH, [options.batchSize])).rowCount ?? 0;
    } catch (error) {
      if (codeOf(error) === SQLSTATE_READ_ONLY) return { deleted, batches, complete: false, readOnly: true };
      throw error;
    }
    deleted += count;
    batches += 1;
    options.onBatch?.(count);
    if (count < options.batchSize) return { deleted, batches, complete: true };
  }
  return { deleted, batches, complete: false };
}
