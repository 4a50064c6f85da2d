/** Exit codes of `dr`: scripts branch on them, the runbook and `--help` list them. */
export const EXIT_CODES = {
  ok: 0,
  /** A check or a missing confirmation/flag stopped the command before it changed anything. */
  refused: 2,
  /** An AWS call or a verification failed. */
  failed: 3,
  /** A wait did not converge within `--timeout`. */
  timedOut: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error that ends the command with a given exit code and a one-line message. */
export class DrError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "DrError";
  }
}

export class RefusedError extends DrError {
  constructor(message: string) {
    super(message, EXIT_CODES.refused);
    this.name = "RefusedError";
  }
}

export class FailedError extends DrError {
  constructor(message: string) {
    super(message, EXIT_CODES.failed);
    this.name = "FailedError";
  }
}

export class TimedOutError extends DrError {
  constructor(message: string) {
    super(message, EXIT_CODES.timedOut);
    this.name = "TimedOutError";
  }
}

/** The message of anything thrown, for reports that must not crash on a failing probe. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
