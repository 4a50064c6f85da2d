import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, PolicyContext } from "../model";
import { isCustomerManagedKey, isRedacted, isSet, keyProblem, list, unverifiable } from "../values";
import { TABLE_REPLICA } from "./dynamodb";

const CMK = "a customer-managed KMS key";

/** `keyProblem` as a list of messages, the shape a rule returns. */
function keyProblems(field: string, value: PlanValue, problem: string): string[] {
  const found = keyProblem(field, value, problem);
  return found === undefined ? [] : [found];
}

/**
 * Data at rest is encrypted with a customer-managed key (S3 buckets: see the s3 rules).
 * AWS-owned and AWS-managed keys do not count: the key policy, its rotation and its replica in
 * the DR region must be ours. A key the synth plan redacted (a secret) cannot be verified, so it
 * does not count either.
 */
export function encryptionAtRest(resource: CheckedResource): string[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:rds/cluster:Cluster":
      return [...storageEncrypted(inputs), ...keyProblems("kmsKeyId", inputs.kmsKeyId, `kmsKeyId is not ${CMK}`)];
    case "aws:rds/globalCluster:GlobalCluster":
      // The members bring their own regional keys; the global cluster only declares encryption.
      return storageEncrypted(inputs);
    case "aws:dynamodb/table:Table":
      return dynamodbTable(inputs);
    case TABLE_REPLICA:
      // Unset, the replica is encrypted with the AWS-managed key (aws/dynamodb).
      return keyProblems("kmsKeyArn", inputs.kmsKeyArn, `kmsKeyArn is not ${CMK} (the replica would use aws/dynamodb): give it a key of its own region`);
    case "aws:sns/topic:Topic":
      return keyProblems("kmsMasterKeyId", inputs.kmsMasterKeyId, `kmsMasterKeyId is not ${CMK}`);
    case "aws:secretsmanager/secret:Secret":
      return [
        ...keyProblems("kmsKeyId", inputs.kmsKeyId, `kmsKeyId is not ${CMK} (the default is aws/secretsmanager)`),
        ...list(inputs.replicas).flatMap((replica) => keyProblems(`the replica in ${replica?.region ?? "?"}'s kmsKeyId`, replica?.kmsKeyId, `replica in ${replica?.region ?? "?"} has no kmsKeyId of ${CMK}`)),
      ];
    case "aws:cloudwatch/logGroup:LogGroup":
      return keyProblems("kmsKeyId", inputs.kmsKeyId, `kmsKeyId is not ${CMK}`);
    case "aws:lambda/function:Function":
      // Unset means Lambda's AWS-managed key (aws/lambda) for the environment variables.
      return keyProblems("kmsKeyArn", inputs.kmsKeyArn, `kmsKeyArn is not ${CMK} (the environment variables would use aws/lambda)`);
    case "aws:apigateway/methodSettings:MethodSettings":
      return methodCache(inputs.settings);
    case "aws:apigateway/stage:Stage":
      // A stage's cache cluster caches GET methods by default, unencrypted unless each method's settings say otherwise.
      if (isRedacted(inputs.cacheClusterEnabled)) return [unverifiable("cacheClusterEnabled")];
      return inputs.cacheClusterEnabled === true
        ? ["cacheClusterEnabled is true: the stage caches GET responses (payments) at rest, unencrypted unless every method's settings set cacheDataEncrypted, and keyed by path, not by merchant"]
        : [];
    default:
      return [];
  }
}

/**
 * A method cache holds whole responses (payments) at rest; API Gateway encrypts it only when asked,
 * and with a key of its own (it takes no customer-managed key), so encryption is what is required.
 */
function methodCache(settings: PlanValue): string[] {
  if (settings?.cacheDataEncrypted === true) return [];
  if ([settings, settings?.cachingEnabled, settings?.cacheDataEncrypted].some(isRedacted)) return [unverifiable("settings (cachingEnabled, cacheDataEncrypted)")];
  if (settings?.cachingEnabled !== true) return [];
  return ["settings.cachingEnabled is true but settings.cacheDataEncrypted is not: API Gateway would keep the cached responses unencrypted at rest"];
}

function storageEncrypted(inputs: Record<string, PlanValue>): string[] {
  if (isRedacted(inputs.storageEncrypted)) return [unverifiable("storageEncrypted")];
  return inputs.storageEncrypted === true ? [] : ["storageEncrypted is not true"];
}

function dynamodbTable(inputs: Record<string, PlanValue>): string[] {
  const sse = inputs.serverSideEncryption;
  const problems: string[] = [];
  // enabled=false means an AWS-owned key; enabled without a key means the AWS-managed one.
  const redacted = [sse, sse?.enabled, sse?.kmsKeyArn].some(isRedacted);
  if (redacted) problems.push(unverifiable("serverSideEncryption"));
  else if (sse?.enabled !== true || !isCustomerManagedKey(sse?.kmsKeyArn)) {
    problems.push(`serverSideEncryption is not enabled with a kmsKeyArn of ${CMK}`);
  }
  for (const replica of list(inputs.replicas)) {
    const region = isSet(replica?.regionName) ? replica.regionName : "?";
    problems.push(...keyProblems(`the replica in ${region}'s kmsKeyArn`, replica?.kmsKeyArn, `replica in ${region} has no kmsKeyArn of ${CMK} (its own region's key)`));
  }
  return problems;
}

/**
 * What a replica's key field takes: DynamoDB and S3 an ARN only (they are given it in the
 * source's region, where a key id or alias would resolve); Aurora and Secrets Manager also a key
 * id or alias, which AWS resolves in the replica's own region.
 */
type KeyField = "arn" | "id-or-arn";

/**
 * A replica in another region is encrypted with a key of that region: a KMS key encrypts only in
 * its own region, so another region's key fails the replica's creation (DynamoDB, Aurora) or,
 * where the configuration is accepted, each object's or secret's replication afterwards (S3,
 * Secrets Manager), which no deployment notices. Checked: DynamoDB
 * replicas (inline or TableReplica), S3 replication destinations (the other of the stack's two
 * regions: the project replicates buckets across them, and S3 ARNs name no region), Aurora
 * clusters (a secondary's kmsKeyId) and Secrets Manager replicas. A key ARN's region is the
 * key's; offline, the synth harness gives a Key or ReplicaKey an ARN in its provider's region,
 * as AWS does, so a reference to the wrong region's key shows. An unset key is
 * encryption-at-rest-cmk's finding (s3-replication-kms-objects' for S3); a replica whose region
 * is unknown is allowed-regions'.
 */
export function replicaKeyRegion(resource: CheckedResource, ctx: PolicyContext): string[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:dynamodb/table:Table":
      return list(inputs.replicas).flatMap((replica) => keyRegionProblems(`the replica in ${replica?.regionName}'s kmsKeyArn`, replica?.kmsKeyArn, "arn", replica?.regionName));
    case TABLE_REPLICA:
      return keyRegionProblems("kmsKeyArn", inputs.kmsKeyArn, "arn", resource.region);
    case "aws:rds/cluster:Cluster":
      return keyRegionProblems("kmsKeyId", inputs.kmsKeyId, "id-or-arn", resource.region);
    case "aws:secretsmanager/secret:Secret":
      return list(inputs.replicas).flatMap((replica) => keyRegionProblems(`the replica in ${replica?.region}'s kmsKeyId`, replica?.kmsKeyId, "id-or-arn", replica?.region));
    case "aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
      const destination = resource.region === ctx.primaryRegion ? ctx.drRegion : resource.region === ctx.drRegion ? ctx.primaryRegion : undefined;
      return list(inputs.rules).flatMap((rule) =>
        keyRegionProblems(`rule ${rule?.id ?? "?"}'s replicaKmsKeyId`, rule?.destination?.encryptionConfiguration?.replicaKmsKeyId, "arn", destination),
      );
    }
    default:
      return [];
  }
}

/** What is wrong with `key` as the key of a replica in `region`; nothing when either is unset. */
function keyRegionProblems(field: string, key: PlanValue, takes: KeyField, region: PlanValue): string[] {
  if (!isSet(region) || key === undefined || key === null || key === "") return [];
  if (isRedacted(key)) return [unverifiable(field)];
  if (!isSet(key)) return [`${field} is not a key id or ARN`];
  if (key.startsWith("arn:")) {
    const keyRegion = key.split(":")[3];
    return keyRegion === region ? [] : [`${field} ${key} is a key of ${keyRegion || "no region"}, not of ${region}, where it encrypts: a KMS key encrypts only in its own region`];
  }
  return takes === "arn" ? [`${field} ${key} is not a key ARN: it names no region, and would not resolve to a key of ${region}`] : [];
}
