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
const LIFECYCLE = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];

/** Days S3 keeps an overwritten or deleted object's version at least, when a lifecycle rule expires them. */
const MIN_NONCURRENT_VERSION_DAYS = 30;

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** True when `companion` configures `bucket`: it is computed from it, or names it. */
function targetsBucket(companion: CheckedResource, bucket: CheckedResource): boolean {
  if (companion.inputSources?.bucket?.includes(bucket.key)) return true;
  const name = bucket.inputs.bucket;
  return isSet(name) && companion.inputs.bucket === name;
}

/**
 * A stack rule requiring, for every bucket, at least one companion of one of `types` (unless
 * `optional`), and `problem` to return nothing for each of them. `problem` says what is wrong
 * with a companion that does not comply.
 */
function companionRule(types: string[], label: string, problem: (companion: CheckedResource) => string | undefined, optional = false): StackRule {
  return (resources) => {
    const findings: Finding[] = [];
    for (const bucket of resources.filter((r) => BUCKET_TYPES.has(r.type))) {
      const companions = resources.filter((r) => types.includes(r.type) && targetsBucket(r, bucket));
      if (companions.length === 0) {
        if (!optional) findings.push({ resource: bucket, message: `no ${label} targets this bucket` });
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

/**
 * Uploads with a customer-provided key (SSE-C) blocked: such an object is encrypted outside KMS
 * (no key policy, no CloudTrail of the key's use), and it carries none of the headers a bucket
 * policy's SSE-KMS conditions test, so they let it through. `NONE` unblocks every type.
 */
export const s3NoSseC = companionRule(ENCRYPTION, "BucketServerSideEncryptionConfiguration", (config) => {
  if (isRedacted(config.inputs.rules)) return unverifiable("the encryption rules");
  const blocked = list(config.inputs.rules).map((rule) => list(rule?.blockedEncryptionTypes));
  if (blocked.flat().some(isRedacted)) return unverifiable("blockedEncryptionTypes");
  if (blocked.some((types) => types.includes("SSE-C") && !types.includes("NONE"))) return undefined;
  return 'no rule blocks SSE-C (blockedEncryptionTypes ["SSE-C"]): uploads with a customer-provided key bypass the bucket\'s KMS key';
});

/** Versioning Enabled: replication needs it, and it keeps overwritten and deleted objects. */
const versioningEnabled = companionRule(VERSIONING, "BucketVersioning", (versioning) => {
  const status = versioning.inputs.versioningConfiguration?.status;
  return status === "Enabled" ? undefined : `versioning status is ${status ?? "unset"}, not Enabled`;
});

/**
 * No lifecycle rule takes back what versioning keeps: none expires current versions (S3 would
 * delete the data on a timer), and none expires noncurrent versions within 30 days (an
 * overwritten or deleted object could no longer be recovered). Expiring the delete markers
 * left alone (`expiredObjectDeleteMarker`) deletes no data and is allowed. Rules come from a
 * lifecycle configuration (optional; every one of the bucket is judged) or the bucket's inline
 * `lifecycleRules`.
 */
const lifecycleKeepsVersions = companionRule(
  LIFECYCLE,
  "BucketLifecycleConfiguration",
  (lifecycle) => {
    if (isRedacted(lifecycle.inputs.rules)) return unverifiable("rules");
    const problems = list(lifecycle.inputs.rules)
      .filter((rule) => rule?.status !== "Disabled")
      .flatMap((rule) => versionExpiryProblems(`rule ${rule?.id ?? "?"}`, rule?.expiration, rule?.noncurrentVersionExpiration?.noncurrentDays, "noncurrentVersionExpiration.noncurrentDays"));
    return problems.length === 0 ? undefined : problems.join("; ");
  },
  true,
);

function inlineLifecycleRules(resources: readonly CheckedResource[]): Finding[] {
  return resources
    .filter((bucket) => BUCKET_TYPES.has(bucket.type))
    .flatMap((bucket) => {
      if (isRedacted(bucket.inputs.lifecycleRules)) return [{ resource: bucket, message: unverifiable("lifecycleRules") }];
      // aws.s3.Bucket takes one expiration per rule; aws.s3.BucketV2 lists them (expirations, noncurrentVersionExpirations).
      return list(bucket.inputs.lifecycleRules)
        .filter((rule) => rule?.enabled !== false)
        .flatMap((rule) => {
          const where = `lifecycleRules rule ${rule?.id ?? "?"}`;
          return [
            ...versionExpiryProblems(where, rule?.expiration, rule?.noncurrentVersionExpiration?.days, "noncurrentVersionExpiration.days"),
            ...list(rule?.expirations).flatMap((expiration) => versionExpiryProblems(where, expiration, undefined, "")),
            ...list(rule?.noncurrentVersionExpirations).flatMap((noncurrent) => versionExpiryProblems(where, undefined, noncurrent?.days, "noncurrentVersionExpirations[].days")),
          ];
        })
        .map((message) => ({ resource: bucket, message }));
    });
}

/** What a lifecycle rule (`where`) deletes of what versioning keeps: current versions, or noncurrent ones too soon. */
function versionExpiryProblems(where: string, expiration: PlanValue, noncurrentDays: PlanValue, noncurrentField: string): string[] {
  const problems: string[] = [];
  if (isRedacted(expiration)) problems.push(unverifiable(`${where}'s expiration`));
  for (const field of ["days", "date"]) {
    const value = expiration?.[field];
    // Unset reads back from AWS as 0 / "" in a resource's outputs (the engine's view).
    if (isRedacted(value)) problems.push(unverifiable(`${where}'s expiration.${field}`));
    else if (value !== undefined && value !== null && value !== 0 && value !== "") problems.push(`${where} expires current versions (expiration.${field} ${value}): S3 would delete the data on a timer`);
  }
  if (isRedacted(noncurrentDays)) problems.push(unverifiable(`${where}'s ${noncurrentField}`));
  else if (noncurrentDays !== undefined && noncurrentDays !== null && !(typeof noncurrentDays === "number" && noncurrentDays >= MIN_NONCURRENT_VERSION_DAYS)) {
    problems.push(`${where} expires noncurrent versions after ${noncurrentField} ${noncurrentDays}, below ${MIN_NONCURRENT_VERSION_DAYS} days: an overwritten or deleted object could not be recovered after that`);
  }
  return problems;
}

/** Versioning Enabled, and kept: no lifecycle rule expires the versions it keeps. */
export const s3Versioning: StackRule = (resources, ctx) => [...versioningEnabled(resources, ctx), ...lifecycleKeepsVersions(resources, ctx), ...inlineLifecycleRules(resources)];

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
