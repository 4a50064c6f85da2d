import type { CheckedResource } from "../model";
import { isRedacted, isSet } from "../values";

/** The key spec of a symmetric encryption key, KMS's default and the only one AWS rotates. */
const SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";

/** Key usages of HMAC and asymmetric keys: AWS rotates none of them. */
const NON_ROTATING_USAGES = ["GENERATE_VERIFY_MAC", "SIGN_VERIFY", "KEY_AGREEMENT"];

/**
 * Customer-managed keys rotate yearly. A multi-region replica key has no rotation setting of
 * its own: it shares its primary key's material and rotation, so it passes. HMAC and asymmetric
 * keys (a key spec other than SYMMETRIC_DEFAULT, or a MAC, signing or key agreement usage) pass
 * too: AWS rotates only symmetric encryption keys and refuses enableKeyRotation on the others.
 * None of them can encrypt a service's data at rest, which takes a symmetric key.
 */
export function kmsKeyRotation(resource: CheckedResource): string[] {
  if (resource.type !== "aws:kms/key:Key" || !isSymmetricEncryptionKey(resource.inputs)) return [];
  return resource.inputs.enableKeyRotation === true ? [] : ["enableKeyRotation is not true"];
}

/** Unset, a key is SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT; an unreadable spec counts as symmetric. */
function isSymmetricEncryptionKey(inputs: CheckedResource["inputs"]): boolean {
  const spec = inputs.customerMasterKeySpec ?? inputs.keySpec;
  if (isSet(spec) && spec !== SYMMETRIC_DEFAULT && !isRedacted(spec)) return false;
  return !NON_ROTATING_USAGES.includes(inputs.keyUsage);
}
