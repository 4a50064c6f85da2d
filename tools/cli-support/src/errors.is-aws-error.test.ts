import { isAwsError } from "./errors";

// The CLIs tell a benign AWS outcome (ConditionalCheckFailedException, NotFoundException) from a
// failure by the error's name: a wrong answer here deletes, recreates or reports the wrong thing.
it("matches an AWS SDK error by its exception name only", () => {
  const conditional = Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
  expect(isAwsError(conditional, "ConditionalCheckFailedException")).toBe(true);
  expect(isAwsError(conditional, "NotFoundException")).toBe(false);
  // A message that names the exception is not the exception; nor is anything thrown that is not an Error.
  expect(isAwsError(new Error("ConditionalCheckFailedException"), "ConditionalCheckFailedException")).toBe(false);
  expect(isAwsError({ name: "ConditionalCheckFailedException" }, "ConditionalCheckFailedException")).toBe(false);
  expect(isAwsError(undefined, "ConditionalCheckFailedException")).toBe(false);
});
