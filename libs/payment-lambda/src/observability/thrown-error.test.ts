import { runtimeError } from "./thrown-error";

describe("runtimeError (what a handler throws to the Lambda runtime)", () => {
  it("keeps the name, the code and the whole message, and drops the frames and every other field (a pg error's detail quotes row values)", () => {
    const pgError = Object.assign(new Error("could not create unique index \"payments_reference\""), {
      name: "error",
      code: "23505",
      detail: "Key (merchant_id, reference)=(m-1, order-4711-jane.doe@example.com) is duplicated.",
      where: "parallel worker",
    });
    const thrown = runtimeError(pgError);
    expect(thrown.message).toBe('could not create unique index "payments_reference" (23505)');
    expect(thrown.stack).toBe('error: could not create unique index "payments_reference" (23505)');
    expect(Object.getOwnPropertyNames(thrown).sort()).toEqual(["message", "name", "stack"]);
    expect(JSON.stringify(thrown, Object.getOwnPropertyNames(thrown))).not.toContain("jane.doe");
  });

  it("turns a thrown non-error into an error", () => {
    expect(runtimeError("boom")).toMatchObject({ name: "Error", message: "boom", stack: "Error: boom" });
  });
});
