import type { ClientBase, QueryResult, QueryResultRow } from "pg";
import { codeOf, DatabaseUnavailableError } from "./errors";

/** A statement with parameters, named so that pg prepares it once per connection. */
export interface PreparedStatement {
  /** One name per SQL text: pg refuses a second text under a name it has prepared. */
  name: string;
  text: string;
  values: unknown[];
}

/** What a prepared statement answers once a migration changed what it was prepared against. */
const STALE_SQLSTATES = new Set([
  "42804", // datatype_mismatch: a parameter keeps the type of the column it fed when prepared
  "42883", // undefined_function: e.g. no operator between a changed column's type and a parameter's
  "26000", // invalid_sql_statement_name: the server lacks a statement pg believes it prepared
  "42P05", // duplicate_prepared_statement: the reverse
]);

/**
 * True when a prepared statement cannot run on this connection any more: a migration changed its
 * result columns (0A000, raised while revalidating the cached plan) or a parameter's column type,
 * or pg's list of prepared statements and the server's disagree.
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "0A000") {
    // The routine, not the message (which the server's lc_messages may translate), when pg has it.
    const routine = (error as { routine?: unknown }).routine;
    return routine === "RevalidateCachedQuery" || (routine === undefined && /cached plan must not change result type/.test(String((error as Error).message)));
  }
  return code !== undefined && STALE_SQLSTATES.has(code);
}

/**
 * Runs `statement` prepared: PostgreSQL parses and plans it on its first run on a connection
 * only. A stale statement fails on its connection until the connection is replaced, so it is
 * thrown as a DatabaseUnavailableError: the Connection discards the connection, the API answers
 * 503, and the next request prepares the statement afresh on a new connection. Only statements
 * run through here count as stale: the same SQLSTATEs from a migration's own SQL are its errors.
 */
export async function queryPrepared<R extends QueryResultRow = QueryResultRow>(client: ClientBase, statement: PreparedStatement): Promise<QueryResult<R>> {
  try {
    return await client.query<R>(statement);
  } catch (error) {
    if (isStalePreparedStatement(error)) throw new DatabaseUnavailableError(codeOf(error)!, { cause: error });
    throw error;
  }
}
