import { CliError, EXIT_CODES, FailedError, isAwsError, messageOf, oneLine, RefusedError, TimedOutError } from "./errors";

describe("the CLI errors", () => {
  it("each ends the command with its exit code: refused 2, failed 3, timed out 4", () => {
    expect([new RefusedError("r"), new FailedError("f"), new TimedOutError("t")].map((e) => [e instanceof CliError, e.exitCode])).toEqual([
      [true, 2],
      [true, 3],
      [true, 4],
    ]);
    expect(EXIT_CODES.ok).toBe(0);
  });
});

describe("messageOf", () => {
  it("names the error's class unless it is a plain Error, and prints anything else thrown", () => {
    expect(messageOf(new Error("connect ECONNREFUSED"))).toBe("connect ECONNREFUSED");
    expect(messageOf(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))).toBe("ThrottlingException: Rate exceeded");
    expect(messageOf(new TypeError("fetch failed"))).toBe("TypeError: fetch failed");
    // What fetch hides in its cause is what the operator needs.
    expect(messageOf(new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND abc.execute-api.us-east-1.amazonaws.com") }))).toBe(
      "TypeError: fetch failed (getaddrinfo ENOTFOUND abc.execute-api.us-east-1.amazonaws.com)",
    );
    expect(messageOf("plain text")).toBe("plain text");
  });
});

describe("oneLine", () => {
  it("joins lines with one space, dropping the blanks around each break", () => {
    expect(oneLine("first line  \n   second\r\nthird")).toBe("first line second third");
    expect(oneLine("already one line")).toBe("already one line");
  });
});

describe("isAwsError", () => {
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
});
