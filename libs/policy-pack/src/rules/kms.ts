import type { CheckedResource } from "../model";

/**
 * Customer-managed keys rotate yearly. A multi-region replica key has no rotation setting of
 * its own: it shares its primary key's material and rotation, so it passes.
 */
export function kmsKeyRotation(resource: CheckedResource): string[] {
  if (resource.type !== "aws:kms/key:Key") return [];
  return resource.inputs.enableKeyRotation === true ? [] : ["enableKeyRotation is not true"];
}
