import type { ClientBase } from "pg";
import { DatabaseUnavailableError } from "./errors";
import { isStalePreparedStatement, queryPrepared } from "./prepared-statement";

const pgError = (code: string, message: string, routine?: string) => Object.assign(new Error(message), { code, ...(routine ? { routine } : {}) });

describe("isStalePreparedStatement", () => {
  it.each([
    ["result columns changed", pgError("0A000", "cached plan must not change result type", "RevalidateCachedQuery"), true],
    ["result columns changed, message translated by the server", pgError("0A000", "le plan en cache ne doit pas modifier le type en résultat", "RevalidateCachedQuery"), true],
    ["result columns changed, no routine from the client", pgError("0A000", "cached plan must not change result type"), true],
    ["another unsupported feature", pgError("0A000", "cannot use subquery in check constraint", "transformSubLink"), false],
    ["a parameter's column type changed", pgError("42804", 'column "status" is of type payment_status but expression is of type text'), true],
    ["an operator gone with the old type", pgError("42883", "operator does not exist: uuid = text"), true],
    ["a statement the server does not have", pgError("26000", 'prepared statement "find-payment" does not exist'), true],
    ["a statement the server already has", pgError("42P05", 'prepared statement "find-payment" already exists'), true],
    ["a unique violation", pgError("23505", "duplicate key value violates unique constraint"), false],
    ["a connection failure", new Error("Connection terminated unexpectedly"), false],
  ])("after the statement ran here: %s → %s", (_, error, stale) => {
    expect(isStalePreparedStatement(error, true)).toBe(stale);
  });

  it("on a statement's first run, a type mismatch is its own SQL's error, not a stale statement", () => {
    expect(isStalePreparedStatement(pgError("42804", "column is of type uuid but expression is of type text"), false)).toBe(false);
    expect(isStalePreparedStatement(pgError("42883", "operator does not exist: uuid = text"), false)).toBe(false);
    expect(isStalePreparedStatement(pgError("26000", 'prepared statement "x" does not exist'), false)).toBe(true);
  });
});

describe("queryPrepared", () => {
  const statement = { name: "find-payment", text: "SELECT $1::uuid AS id", values: ["x"] };
  /** A client whose query answers each call with the next outcome. */
  function client(...outcomes: (Error | object)[]): ClientBase {
    return { query: async () => { const next = outcomes.shift()!; if (next instanceof Error) throw next; return next; } } as unknown as ClientBase;
  }
  const mismatch = () => pgError("42804", 'column "id" is of type uuid but expression is of type text');

  it("rethrows a type mismatch on the statement's first run on a connection as it is (a 500: a bug, not a retry)", async () => {
    await expect(queryPrepared(client(mismatch()), statement)).rejects.toThrow(/is of type uuid/);
    await expect(queryPrepared(client(mismatch()), statement)).rejects.not.toThrow(DatabaseUnavailableError);
  });

  it("turns a type mismatch after the statement ran on that connection into DatabaseUnavailableError (a 503, the connection replaced)", async () => {
    const connection = client({ rows: [] }, mismatch());
    await queryPrepared(connection, statement);
    await expect(queryPrepared(connection, statement)).rejects.toThrow(DatabaseUnavailableError);
    // Another connection has not run it: its mismatch is the statement's own.
    await expect(queryPrepared(client(mismatch()), statement)).rejects.not.toThrow(DatabaseUnavailableError);
  });
});
