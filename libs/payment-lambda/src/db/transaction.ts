import type { ClientBase } from "pg";
import { isTransientDatabaseError } from "./errors";

/**
 * Runs `work` between BEGIN and COMMIT. `setup` (trusted SQL without parameters, e.g. `SET
 * LOCAL …`) goes in the same round trip as BEGIN: one simple-protocol query, one fewer wait on
 * what may be a cross-region writer endpoint. On failure, rolls back — unless the failure is
 * transient: then the connection is about to be discarded, and closing it rolls back
 * server-side without waiting on a connection that may not answer.
 */
export async function inTransaction<T>(client: ClientBase, work: () => Promise<T>, setup?: string): Promise<T> {
  try {
    await client.query(setup ? `BEGIN; ${setup}` : "BEGIN");
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!isTransientDatabaseError(error)) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
