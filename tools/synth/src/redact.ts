/** The key that marks a secret value on the wire between a Pulumi program and the engine. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_MARKER = "1b47061264138c4ac30d75fd1eb44270";

/** What a secret becomes in a synth file. */
export const REDACTED = "[secret]";

/** True for a value wrapped in Pulumi's secret envelope. */
function isSecretEnvelope(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIGNATURE] === SECRET_MARKER;
}

/**
 * A deep copy of `value` in which every secret envelope is replaced by {@link REDACTED}, or, with
 * `reveal` (tests that must check a secret's value; never a synth file), by `{ "[secret]": value }`.
 */
export function redactSecrets(value: unknown, reveal = false): unknown {
  if (isSecretEnvelope(value)) return reveal ? { [REDACTED]: (value as Record<string, unknown>).value } : REDACTED;
  if (Array.isArray(value)) return value.map((inner) => redactSecrets(inner, reveal));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactSecrets(inner, reveal)]));
  }
  return value;
}
