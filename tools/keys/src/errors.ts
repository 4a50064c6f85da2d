import { apiKeysIn } from "@payments-dr/api-keys";
import { FailedError, messageOf, oneLine } from "@payments-dr/cli-support";

/** An AWS call that failed (exit 3), remembering the AWS exception's name, e.g. `ConflictException`. */
export class AwsCallError extends FailedError {
  constructor(
    message: string,
    readonly awsName: string | undefined,
  ) {
    super(message);
  }
}

/** An AWS call that failed, as a one-line exit-3 error naming the call, the region and what it was for. */
export function awsFailure(call: string, region: string, what: string, error: unknown): AwsCallError {
  return new AwsCallError(`${call} in ${region} (${what}) failed: ${oneLine(messageOf(error))}`, error instanceof Error ? error.name : undefined);
}

/**
 * Secrets this invocation handled (the API key, its salt and hash, the usage key value). Every
 * line the CLI prints except the one-time key goes through {@link Secrets.redact}, so an AWS
 * error that echoes a value cannot leak it.
 */
export class Secrets {
  private readonly values = new Set<string>();

  /** Values shorter than this are no secret of ours (usage keys are 20–128 characters): a hand-edited "0" must not blank every zero. */
  static readonly MIN_LENGTH = 16;

  add(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.length >= Secrets.MIN_LENGTH) this.values.add(value);
  }

  /** `text` with every value added, and anything shaped like an API key (e.g. pasted into an option), redacted. */
  redact(text: string): string {
    let out = text.replace(apiKeysIn(), "pdr_$1_[redacted]");
    for (const value of this.values) out = out.split(value).join("[redacted]");
    return out;
  }
}

/**
 * The key id of the first API key anywhere in `text` (libs/api-keys' format), or undefined when
 * it holds none. A merchant id that merely starts like a key (shorter) is not one.
 */
export function apiKeyIdIn(text: string): string | undefined {
  return apiKeysIn().exec(text)?.[1];
}
