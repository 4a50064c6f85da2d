import type { ClientBase } from "pg";
import { isTransientDatabaseError } from "./errors";

/**
 * Runs `work` between BEGIN and COMMIT. On failure, rolls back — unless the failure is
 * transient: then the connection is about to be discarded, and closing it rolls back
 * server-side without waiting on a connection that may not answer.
 */
export async function inTransaction<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!isTransientDatabaseError(error)) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
