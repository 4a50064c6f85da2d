import type { ClientBase, QueryResult, QueryResultRow } from "pg";
import { codeOf, StaleConnectionError } from "./errors";

/** A statement with parameters, named so that pg prepares it once per connection. */
export interface PreparedStatement {
  /** One name per SQL text: pg refuses a second text under a name it has prepared. */
  name: string;
  text: string;
  values: unknown[];
}

/** What a statement prepared on this connection answers once a migration changed what it was prepared against. */
const STALE_AFTER_PREPARE = new Set([
  "42804", // datatype_mismatch: a parameter keeps the type of the column it fed when prepared
  "42883", // undefined_function: e.g. no operator between a changed column's type and a parameter's
]);
/** pg's list of prepared statements and the server's disagree: whenever they come. */
const MISMATCHED_STATEMENT = new Set([
  "26000", // invalid_sql_statement_name: the server lacks a statement pg believes it prepared
  "42P05", // duplicate_prepared_statement: the reverse
]);

/**
 * True when a prepared statement cannot run on this connection any more: a migration changed its
 * result columns (0A000, raised while revalidating the cached plan) or, once this connection had
 * prepared it (`preparedHere`), a parameter's column type; or pg's list of prepared statements
 * and the server's disagree. A 42804 or 42883 while the statement is first parsed is its own SQL's error.
 */
export function isStalePreparedStatement(error: unknown, preparedHere: boolean): boolean {
  const code = codeOf(error);
  if (code === "0A000") {
    // The routine, not the message (which the server's lc_messages may translate), when pg has it.
    const routine = (error as { routine?: unknown }).routine;
    return routine === "RevalidateCachedQuery" || (routine === undefined && /cached plan must not change result type/.test(String((error as Error).message)));
  }
  if (code === undefined) return false;
  return MISMATCHED_STATEMENT.has(code) || (preparedHere && STALE_AFTER_PREPARE.has(code));
}

/**
 * Whether the server holds `name` prepared on this client's connection: pg records a statement
 * once the server has parsed it (ParseComplete), whether its execution then succeeded or not, and
 * sends only Bind and Execute from then on. The record is pg's own (`connection.parsedStatements`,
 * pg 8; a test checks it against a real server).
 */
export function isPreparedOn(client: ClientBase, name: string): boolean {
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  return parsed?.[name] !== undefined;
}

/**
 * Runs `statement` prepared: PostgreSQL parses and plans it on its first run on a connection
 * only. A stale statement fails on its connection until the connection is replaced, so it is
 * thrown as a StaleConnectionError: the Connection discards the connection and runs the work
 * once more on a new one, which prepares the statement afresh. Only statements run through here
 * count as stale: the same SQLSTATEs from a migration's own SQL are its errors.
 */
export async function queryPrepared<R extends QueryResultRow = QueryResultRow>(client: ClientBase, statement: PreparedStatement): Promise<QueryResult<R>> {
  const preparedBefore = isPreparedOn(client, statement.name);
  try {
    return await client.query<R>(statement);
  } catch (error) {
    if (isStalePreparedStatement(error, preparedBefore)) throw new StaleConnectionError(codeOf(error)!, { cause: error });
    throw error;
  }
}
