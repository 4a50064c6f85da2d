/** Exit codes of the operator CLIs: scripts branch on them, the runbook and each `--help` list them. */
export const EXIT_CODES = {
  ok: 0,
  /** A check, bad input or a missing confirmation stopped the command before it changed anything. */
  refused: 2,
  /** An AWS call or a verification failed. */
  failed: 3,
  /** A wait did not converge within its timeout. */
  timedOut: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error that ends the command with a given exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class RefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT_CODES.refused);
    this.name = "RefusedError";
  }
}

export class FailedError extends CliError {
  constructor(message: string) {
    super(message, EXIT_CODES.failed);
    this.name = "FailedError";
  }
}

export class TimedOutError extends CliError {
  constructor(message: string) {
    super(message, EXIT_CODES.timedOut);
    this.name = "TimedOutError";
  }
}

/** The message of anything thrown, prefixed with its class unless a plain Error: reports must not crash on a failing probe. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  // fetch's "fetch failed" says why only in its cause (connect ECONNREFUSED …, getaddrinfo ENOTFOUND …).
  return error.cause instanceof Error ? `${message} (${error.cause.message})` : message;
}

/** A text on one line: each line break, with the blanks around it, becomes one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

/** Whether an AWS SDK error is of the given exception type (by name: mocked and real clients alike). */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
