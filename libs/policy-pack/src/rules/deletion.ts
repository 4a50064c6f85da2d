import type { CheckedResource, PolicyContext } from "../model";
import { isSet, list } from "../values";

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
    default:
      return [];
  }
}
