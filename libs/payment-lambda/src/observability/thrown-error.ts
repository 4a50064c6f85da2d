import { loggableError } from "./logger";

/** An error's stack without its frames: the first line only. */
export function withoutFrames(error: Error): string {
  return `${error.name}: ${error.message}`;
}

/**
 * What a handler throws to the Lambda runtime in place of `error`: its name, code (a SQLSTATE, a
 * socket's) and message, without frames and without any other field. The runtime logs a thrown
 * error with its stack and every field of its own, and a pg error's `detail` quotes row values
 * (a duplicate key's, when a migration's unique index meets existing rows): merchants' data in the
 * function's log group. The message is what a deploy shows of a failed invocation.
 */
export function runtimeError(error: unknown): Error {
  if (!(error instanceof Error)) return runtimeError(new Error(loggableError(error).message));
  const code = (error as { code?: unknown }).code;
  const reported = new Error(typeof code === "string" ? `${error.message} (${code})` : error.message);
  reported.name = error.name;
  reported.stack = withoutFrames(reported);
  return reported;
}
