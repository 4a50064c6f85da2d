import { isStalePreparedStatement } from "./prepared-statement";

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
  ])("%s → %s", (_, error, stale) => {
    expect(isStalePreparedStatement(error)).toBe(stale);
  });
});
