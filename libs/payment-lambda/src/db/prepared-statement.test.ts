import type { ClientBase } from "pg";
import { DatabaseUnavailableError, StaleConnectionError } from "./errors";
import { startPostgres, withClient, type PostgresServer } from "../test-support/database";
import { isPreparedOn, isStalePreparedStatement, queryPrepared } from "./prepared-statement";

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
  /** A client that answers with `error`, whose connection has (or has not) parsed the statement, as pg records it. */
  function client(error: Error, parsed: boolean): ClientBase {
    const parsedStatements = parsed ? { [statement.name]: statement.text } : {};
    return { connection: { parsedStatements }, query: async () => Promise.reject(error) } as unknown as ClientBase;
  }
  const mismatch = () => pgError("42804", 'column "id" is of type uuid but expression is of type text');

  it("rethrows a type mismatch of a statement the connection has not prepared as it is (a 500: a bug, not a retry)", async () => {
    await expect(queryPrepared(client(mismatch(), false), statement)).rejects.toThrow(/is of type uuid/);
    await expect(queryPrepared(client(mismatch(), false), statement)).rejects.not.toThrow(DatabaseUnavailableError);
  });

  it("turns a type mismatch of a statement the connection has prepared into StaleConnectionError (the connection replaced, the work run again)", async () => {
    await expect(queryPrepared(client(mismatch(), true), statement)).rejects.toThrow(StaleConnectionError);
  });
});

describe("isPreparedOn, against a real server (pg's own record of what it prepared)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it("is false before the first run, and true after a run the server parsed, even when its execution failed", async () => {
    await withClient(server.url, async (pg) => {
      const divide = { name: "divide", text: "SELECT 1 / $1::int AS q", values: [0] };
      expect(isPreparedOn(pg, "divide")).toBe(false);
      await expect(queryPrepared(pg, divide)).rejects.toMatchObject({ code: "22012" });
      expect(isPreparedOn(pg, "divide")).toBe(true);
      expect((await queryPrepared(pg, { ...divide, values: [1] })).rows).toEqual([{ q: 1 }]);
      // A statement the server refused to parse is not prepared.
      await expect(queryPrepared(pg, { name: "broken", text: "SELEC $1", values: [1] })).rejects.toMatchObject({ code: "42601" });
      expect(isPreparedOn(pg, "broken")).toBe(false);
    });
  });
});
