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
  /**
   * How far behind the cleanup is, in seconds: how long ago the next key it would have deleted
   * expired; 0 when complete. Hour after hour well above the schedule's interval, the runs do not
   * keep up with the keys written.
   */
  backlogAgeSeconds: number;
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
 * One batch: the oldest expired keys, by the primary key, from `$2` on. `FOR UPDATE SKIP LOCKED`
 * passes over a key that a request is claiming or reclaiming right now (the API deletes an expired
 * key and inserts it afresh in its own transaction), so the cleanup never waits on a payment and a
 * payment never waits on more than one batch. `expires_at < now()` is stricter than the API's
 * `<=`: a key the API would still replay is never deleted. The primary key (not `ctid`) names the
 * rows: it stays correct if the plan changes, and a row updated between the subquery and the
 * delete cannot be mistaken for another.
 *
 * `$2` is the last batch's newest `expires_at`: each batch starts its index scan where the last
 * one ended. From the start, every batch would step again over the entries of the rows deleted
 * before it, which stay in the index while any older snapshot is open (a long report, a backup):
 * a backlog's run would slow down quadratically. A key skipped as locked, behind the cursor, is
 * left to the next run.
 */
const DELETE_BATCH = `
  WITH deleted AS (
    DELETE FROM idempotency_keys
    WHERE (merchant_id, idempotency_key) IN (
      SELECT merchant_id, idempotency_key FROM idempotency_keys
      WHERE expires_at < now() AND expires_at >= $2
      ORDER BY expires_at
      LIMIT $1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING expires_at
  )
  SELECT count(*)::int AS count, to_char(max(expires_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last
  FROM deleted`;

/** How long ago the next key to delete, from the cursor `$1` on, expired: one index lookup where the last batch ended. */
const NEXT_KEY_AGE = `
  SELECT floor(extract(epoch FROM now() - expires_at))::int AS age FROM idempotency_keys
  WHERE expires_at < now() AND expires_at >= $1
  ORDER BY expires_at
  LIMIT 1`;

/** Before the first batch's cursor: every expired key. */
const FROM_THE_START = "-infinity";

/**
 * Deletes expired idempotency keys in batches of `batchSize`, each an autocommitted statement
 * (its own short transaction), until a batch deletes fewer rows than asked or the deadline passes,
 * or the database refuses writes (`readOnly`): an Aurora secondary, from the first batch on, or a
 * writer a switchover demoted during the run. No separate check first: the first DELETE answers
 * SQLSTATE 25006 on a read-only database before it deletes anything. A run stopped by the
 * deadline measures how far behind it is with one more statement, which the deadline's margin
 * leaves room for.
 */
export async function deleteExpiredKeys(client: ClientBase, options: DeleteExpiredKeysOptions): Promise<ExpiredKeysCleanup> {
  const now = options.now ?? Date.now;
  let deleted = 0;
  let batches = 0;
  // As text (a JavaScript Date would drop the microseconds), ISO 8601 in UTC: `::text` follows the
  // session's DateStyle and TimeZone, and e.g. 'SQL' in Asia/Kolkata prints "IST", read back as Israel's +02.
  let cursor = FROM_THE_START;
  while (now() < options.deadline) {
    let count: number;
    try {
      const batch = (await client.query<{ count: number; last: string | null }>(DELETE_BATCH, [options.batchSize, cursor])).rows[0]!;
      count = batch.count;
      cursor = batch.last ?? cursor;
    } catch (error) {
      // Not the writer: nothing to measure here (the run is reported as skipped).
      if (codeOf(error) === SQLSTATE_READ_ONLY) return { deleted, batches, complete: false, backlogAgeSeconds: 0, readOnly: true };
      throw error;
    }
    deleted += count;
    batches += 1;
    options.onBatch?.(count);
    if (count < options.batchSize) return { deleted, batches, complete: true, backlogAgeSeconds: 0 };
  }
  const next = (await client.query<{ age: number }>(NEXT_KEY_AGE, [cursor])).rows[0];
  return { deleted, batches, complete: false, backlogAgeSeconds: next?.age ?? 0 };
}

