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
    let out = text.replace(API_KEY_SHAPE, "pdr_$1_[redacted]");
    for (const value of this.values) out = out.split(value).join("[redacted]");
    return out;
  }
}

/**
 * An API key anywhere in a text (libs/api-keys' format: `pdr_<16 hex key id>_<43-character
 * secret>`); what follows the secret is left as is. A merchant id that merely starts like a key
 * (shorter) is not one: `parseApiKey` refuses only whole keys as merchant ids.
 */
const API_KEY_SHAPE = /pdr_([0-9a-f]{16})_[A-Za-z0-9_-]{43}/g;

/** The key id of the first API key anywhere in `text`, or undefined when it holds none. */
export function apiKeyIdIn(text: string): string | undefined {
  return new RegExp(API_KEY_SHAPE.source).exec(text)?.[1];
}
