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
 * True for a reference to a customer-managed KMS key (id, ARN or alias). AWS-managed keys
 * (`alias/aws/<service>`) do not count: their policy and rotation are not ours to control.
 */
export function isCustomerManagedKey(value: PlanValue): boolean {
  return isSet(value) && !/(^|:)alias\/aws\//.test(value);
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
