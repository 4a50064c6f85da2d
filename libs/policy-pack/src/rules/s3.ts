import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding, StackRule } from "../model";
import { isCustomerManagedKey, isRedacted, isSet, jsonDocument, keyProblem, list, statements, unverifiable } from "../values";

// aws.s3.Bucket is the V2 bucket in @pulumi/aws 7: its settings are companion resources that
// target it through their `bucket` input. Each rule below requires a companion, and every
// companion of the bucket to comply: AWS keeps one setting per bucket, so of two companions the
// one applied last wins, and a weak second one undoes a compliant first.
const BUCKET_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const ENCRYPTION = ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const BUCKET_POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** True when `companion` configures `bucket`: it is computed from it, or names it. */
export function targetsBucket(companion: CheckedResource, bucket: CheckedResource): boolean {
  if (companion.inputSources?.bucket?.includes(bucket.key)) return true;
  const name = bucket.inputs.bucket;
  return isSet(name) && companion.inputs.bucket === name;
}

/**
 * A stack rule requiring, for every bucket, at least one companion of one of `types`, and
 * `problem` to return nothing for each of them. `problem` says what is wrong with a companion
 * that does not comply.
 */
function companionRule(types: string[], label: string, problem: (companion: CheckedResource) => string | undefined): StackRule {
  return (resources) => {
    const findings: Finding[] = [];
    for (const bucket of resources.filter((r) => BUCKET_TYPES.has(r.type))) {
      const companions = resources.filter((r) => types.includes(r.type) && targetsBucket(r, bucket));
      if (companions.length === 0) {
        findings.push({ resource: bucket, message: `no ${label} targets this bucket` });
        continue;
      }
      const lastWins = companions.length > 1 ? ` (${companions.length} ${label}s target this bucket: AWS keeps the one applied last)` : "";
      for (const companion of companions) {
        const p = problem(companion);
        if (p !== undefined) findings.push({ resource: bucket, message: `its ${label} ${companion.name}: ${p}${lastWins}` });
      }
    }
    return findings;
  };
}

/** SSE-KMS with a customer-managed key by default (the seed's AES256 is not enough: DESIGN §5). */
export const s3Encryption = companionRule(ENCRYPTION, "BucketServerSideEncryptionConfiguration", (config) => {
  const defaults = list(config.inputs.rules).map((rule) => rule?.applyServerSideEncryptionByDefault);
  if (defaults.some((d) => KMS_ALGORITHMS.includes(d?.sseAlgorithm) && isCustomerManagedKey(d?.kmsMasterKeyId))) return undefined;
  if ([config.inputs.rules, ...defaults, ...defaults.flatMap((d) => [d?.sseAlgorithm, d?.kmsMasterKeyId])].some(isRedacted)) return unverifiable("the default encryption (rules)");
  const algorithms = defaults.map((d) => d?.sseAlgorithm ?? "none").join(", ") || "no rule";
  return `default encryption is ${algorithms}, not aws:kms with a customer-managed kmsMasterKeyId`;
});

/** Versioning Enabled: replication needs it, and it keeps overwritten and deleted objects. */
export const s3Versioning = companionRule(VERSIONING, "BucketVersioning", (versioning) => {
  const status = versioning.inputs.versioningConfiguration?.status;
  return status === "Enabled" ? undefined : `versioning status is ${status ?? "unset"}, not Enabled`;
});

/** All four public access block flags on. */
export const s3PublicAccessBlocked = companionRule(PUBLIC_ACCESS_BLOCK, "BucketPublicAccessBlock", (block) => {
  const off = PUBLIC_ACCESS_FLAGS.filter((flag) => block.inputs[flag] !== true);
  return off.length === 0 ? undefined : `${off.join(", ")} not true`;
});

/** A bucket policy that denies every request not made over TLS. */
export const s3TlsOnly = companionRule(BUCKET_POLICY, "BucketPolicy", (policy) => {
  if (isRedacted(policy.inputs.policy)) return unverifiable("the policy");
  const document = jsonDocument(policy.inputs.policy);
  if (!document) return "the policy is not a readable JSON document";
  return statements(document).some(deniesInsecureTransport) ? undefined : 'no Deny statement for everyone on s3:* when "aws:SecureTransport" is "false"';
});

function deniesInsecureTransport(statement: Record<string, PlanValue>): boolean {
  const everyone = statement.Principal === "*" || list(statement.Principal?.AWS).includes("*");
  const allActions = list(statement.Action).some((action) => action === "s3:*" || action === "*");
  const insecure = list(statement.Condition?.Bool?.["aws:SecureTransport"]).some((v) => String(v).toLowerCase() === "false");
  return statement.Effect === "Deny" && everyone && allActions && insecure;
}

const REPLICATION_CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

/**
 * Every enabled replication rule replicates SSE-KMS objects, and encrypts the replicas with a
 * customer-managed key of the destination: otherwise S3 silently skips every object under
 * SSE-KMS, which is all of them here (DESIGN §10).
 */
export function s3ReplicationKmsObjects(resource: CheckedResource): string[] {
  if (resource.type !== REPLICATION_CONFIG) return [];
  const problems: string[] = [];
  for (const rule of list(resource.inputs.rules).filter((r) => r?.status === "Enabled")) {
    const id = rule?.id ?? "?";
    if (rule?.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status !== "Enabled") {
      problems.push(`rule ${id} does not select SSE-KMS objects (sourceSelectionCriteria.sseKmsEncryptedObjects): they are skipped without an error`);
    }
    const keyFinding = keyProblem(
      `rule ${id}'s replicaKmsKeyId`,
      rule?.destination?.encryptionConfiguration?.replicaKmsKeyId,
      `rule ${id} has no customer-managed replicaKmsKeyId of the destination (destination.encryptionConfiguration)`,
    );
    if (keyFinding !== undefined) problems.push(keyFinding);
  }
  return problems;
}
