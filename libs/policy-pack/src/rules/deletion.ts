import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, PolicyContext } from "../model";
import { isRedacted, isSet, list, unverifiable } from "../values";
import { TABLE_REPLICA } from "./dynamodb";

/** The one resource a destroy may leave behind: the KMS key of a final snapshot the stack keeps. */
const KMS_KEY = "aws:kms/key:Key";

/**
 * Nothing outlives `pulumi destroy` unnoticed: no retained, protected or skip-destroy resource,
 * except a KMS key while the stack keeps final snapshots (they are encrypted with it, and would
 * become unreadable when its deletion window ends).
 */
export function noRetainedResources(resource: CheckedResource, ctx: PolicyContext): string[] {
  const problems: string[] = [];
  const keepsSnapshotKey = resource.type === KMS_KEY && !ctx.skipFinalSnapshot;
  if (resource.options.retainOnDelete === true && !keepsSnapshotKey) problems.push("retainOnDelete is set: destroy would leave it behind");
  if (resource.options.protect === true) problems.push("protect is set: destroy would stop at it");
  if (resource.inputs.skipDestroy === true) problems.push("skipDestroy is true: destroy would leave it behind");
  return problems;
}

/**
 * The deletion window of a KMS key in a stack with deletion protection: the longest AWS allows,
 * and KMS's default when unset.
 */
const PROTECTED_KEY_DELETION_WINDOW_DAYS = 30;

/**
 * Deletion behaviour follows the stack config, in one place (DESIGN §4): dev stacks clean up
 * completely, production stacks keep a final snapshot and refuse deletion.
 */
export function deletionSettingsMatchConfig(resource: CheckedResource, ctx: PolicyContext): string[] {
  const inputs = resource.inputs;
  const expect = (input: string, actual: boolean, wanted: boolean): string[] =>
    actual === wanted ? [] : [`${input} is ${actual}, the stack config says ${wanted}`];
  switch (resource.type) {
    case "aws:rds/cluster:Cluster": {
      const skip = inputs.skipFinalSnapshot === true;
      return [
        ...expect("skipFinalSnapshot", skip, ctx.skipFinalSnapshot),
        ...expect("deletionProtection", inputs.deletionProtection === true, ctx.deletionProtection),
        ...(skip || isSet(inputs.finalSnapshotIdentifier) ? [] : ["keeps a final snapshot but sets no finalSnapshotIdentifier"]),
      ];
    }
    case "aws:rds/globalCluster:GlobalCluster":
      return expect("deletionProtection", inputs.deletionProtection === true, ctx.deletionProtection);
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      // A bucket that is not force-emptied fails to delete once it holds objects.
      return expect("forceDestroy", inputs.forceDestroy === true, !ctx.deletionProtection);
    case "aws:dynamodb/table:Table":
      return [
        ...expect("deletionProtectionEnabled", inputs.deletionProtectionEnabled === true, ctx.deletionProtection),
        ...list(inputs.replicas).flatMap((replica) => expect(`replica ${replica?.regionName ?? "?"} deletionProtectionEnabled`, replica?.deletionProtectionEnabled === true, ctx.deletionProtection)),
      ];
    case TABLE_REPLICA:
      return expect("deletionProtectionEnabled", inputs.deletionProtectionEnabled === true, ctx.deletionProtection);
    case KMS_KEY:
      return keyDeletionSettings(inputs, "isEnabled", ctx);
    case "aws:kms/replicaKey:ReplicaKey":
      return keyDeletionSettings(inputs, "enabled", ctx);
    default:
      return [];
  }
}

/**
 * With deletion protection a key stays enabled and, once scheduled for deletion, waits 30 days:
 * everything it encrypts (the database and its backups, the secrets, the tables, the buckets, the
 * logs) is unreadable while it is disabled and gone for good when the window ends. Unprotected
 * stacks may use the shortest window (7 days), as they keep nothing.
 */
function keyDeletionSettings(inputs: Record<string, PlanValue>, enabledInput: string, ctx: PolicyContext): string[] {
  if (!ctx.deletionProtection) return [];
  const problems: string[] = [];
  const enabled = inputs[enabledInput];
  if (isRedacted(enabled)) problems.push(unverifiable(enabledInput));
  else if (enabled === false) problems.push(`${enabledInput} is false in a stack with deletionProtection: everything the key encrypts, backups included, is unreadable while it is disabled`);
  const days = inputs.deletionWindowInDays ?? PROTECTED_KEY_DELETION_WINDOW_DAYS;
  if (isRedacted(days)) problems.push(unverifiable("deletionWindowInDays"));
  else if (typeof days !== "number" || days < PROTECTED_KEY_DELETION_WINDOW_DAYS) {
    problems.push(`deletionWindowInDays is ${days}, below ${PROTECTED_KEY_DELETION_WINDOW_DAYS} in a stack with deletionProtection: a deleted key, and everything it encrypts, backups included, is gone for good after ${days} days`);
  }
  return problems;
}
