/** Exit codes of `keys` (the same meanings as `dr`'s): scripts branch on them, `--help` lists them. */
export const EXIT_CODES = {
  ok: 0,
  /** Bad input, an unknown key or an inconsistent usage key stopped the command before it wrote anything. */
  refused: 2,
  /** An AWS call failed. */
  failed: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error that ends the command with a given exit code and a one-line message. */
export class KeysError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "KeysError";
  }
}

export class RefusedError extends KeysError {
  constructor(message: string) {
    super(message, EXIT_CODES.refused);
    this.name = "RefusedError";
  }
}

export class FailedError extends KeysError {
  constructor(message: string) {
    super(message, EXIT_CODES.failed);
    this.name = "FailedError";
  }
}

/** The message of anything thrown, on one line. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? (error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message) : String(error);
  return text.replace(/\s*\n\s*/g, " ");
}

/** An AWS call that failed, as a one-line exit-3 error naming the call, the region and what it was for. */
export function awsFailure(call: string, region: string, what: string, error: unknown): FailedError {
  return new FailedError(`${call} in ${region} (${what}) failed: ${messageOf(error)}`);
}

/** Whether an AWS SDK error is of the given exception type (by name: mocked and real clients alike). */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * Secrets this invocation handled (the API key, its salt and hash, the usage key value). Every
 * line the CLI prints except the one-time key goes through {@link Secrets.redact}, so an AWS
 * error that echoes a value cannot leak it.
 */
export class Secrets {
  private readonly values = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const value of values) if (value) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join("[redacted]");
    return out;
  }
}
