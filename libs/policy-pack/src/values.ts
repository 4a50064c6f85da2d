import type { PlanValue } from "@payments-dr/synth";

/** `value` as an array: arrays as they are, a single value wrapped, nothing as empty. */
export function list(value: PlanValue): PlanValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** True for a non-empty string. */
export function isSet(value: PlanValue): value is string {
  return typeof value === "string" && value.length > 0;
}

/**
 * What the synth harness writes in place of a secret value (REDACTED in @payments-dr/synth, which
 * the pack does not bundle; a test holds them equal). The engine shows policies the value itself.
 */
export const REDACTED_SECRET = "[secret]";

/** True when the offline check cannot read `value`: the synth plan redacted it as a secret. */
export function isRedacted(value: PlanValue): boolean {
  return value === REDACTED_SECRET;
}

/**
 * The finding of a rule that cannot read an input it checks (`field`) because the synth plan
 * redacted it: such a value fails the check rather than passing unseen.
 */
export function unverifiable(field: string): string {
  return `cannot verify a secret-wrapped value of ${field} (the synth plan redacts secrets): pass it as a plain value, with pulumi.unsecret() if it comes from a secret output`;
}

/**
 * True for a reference to a customer-managed KMS key (id, ARN or alias). AWS-managed keys
 * (`alias/aws/<service>`) do not count: their policy and rotation are not ours to control; nor
 * does a redacted secret, which could be either.
 */
export function isCustomerManagedKey(value: PlanValue): boolean {
  return isSet(value) && !isRedacted(value) && !/(^|:)alias\/aws\//.test(value);
}

/**
 * What is wrong with `value` as the customer-managed key of `field`: `problem` when it is not one,
 * or that it cannot be verified when the synth plan redacted it; `undefined` when it is one.
 */
export function keyProblem(field: string, value: PlanValue, problem: string): string | undefined {
  if (isRedacted(value)) return unverifiable(field);
  return isCustomerManagedKey(value) ? undefined : problem;
}

/** A JSON document given as a string or an object; `undefined` when it cannot be read. */
export function jsonDocument(value: PlanValue): Record<string, PlanValue> | undefined {
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value);
      return parsed && typeof parsed === "object" ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/** The statements of an IAM-style policy document. */
export function statements(document: Record<string, PlanValue>): Record<string, PlanValue>[] {
  return list(document.Statement).filter((s) => s && typeof s === "object");
}

/** An AWS service's principal (`lambda.amazonaws.com`), not an account's. */
export function isServicePrincipal(principal: PlanValue): principal is string {
  return isSet(principal) && /\.amazonaws\.com(\.cn)?$/.test(principal);
}

/** How a statement names everyone: `Principal "*"`, `AWS "*"`, a NotPrincipal; `undefined` when it does not. */
export function everyoneIn(statement: Record<string, PlanValue>): string | undefined {
  if (statement.NotPrincipal !== undefined) return "NotPrincipal: everyone but the principals it lists";
  if (statement.Principal === "*") return 'Principal "*"';
  return list(statement.Principal?.AWS).includes("*") ? 'Principal AWS "*"' : undefined;
}

/** The AWS principals (account ids, account roots, IAM ARNs) a statement names, `*` aside. */
export function awsPrincipals(statement: Record<string, PlanValue>): string[] {
  return list(statement.Principal?.AWS).filter((p): p is string => isSet(p) && p !== "*");
}

/** Condition operators that fail when the key is absent (no …IfExists, Not…, ForAnyValue or ForAllValues). */
const PINNING_OPERATORS = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i;

/**
 * The condition keys of `keys` that the statement pins: under an operator that fails when the key
 * is absent, each value concrete (see {@link isConcrete}). A wildcard value, or an `…IfExists`
 * operator, pins nothing.
 */
export function pinnedKeys(statement: Record<string, PlanValue>, keys: readonly string[]): string[] {
  const wanted = new Map(keys.map((key) => [key.toLowerCase(), key]));
  const pinned = new Set<string>();
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (!PINNING_OPERATORS.test(operator) || !block || typeof block !== "object") continue;
    for (const [key, value] of Object.entries(block as Record<string, PlanValue>)) {
      const name = wanted.get(key.toLowerCase());
      const values = list(value);
      if (name !== undefined && values.length > 0 && values.every(isConcrete)) pinned.add(name);
    }
  }
  return [...pinned];
}

/**
 * A value that names one thing: a string without a wildcard, or an ARN whose account (when it has
 * one) has no wildcard, e.g. `arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*`.
 */
export function isConcrete(value: PlanValue): boolean {
  if (!isSet(value) || isRedacted(value)) return false;
  const wildcard = /[*?]/;
  if (!value.startsWith("arn:")) return !wildcard.test(value);
  const account = value.split(":")[4] ?? "";
  return account.length > 0 ? !wildcard.test(account) : !wildcard.test(value);
}

/** IAM's wildcards (`*`, `?`) as a regular expression; actions compare case-insensitively, ARNs do not. */
export function glob(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "");
}
