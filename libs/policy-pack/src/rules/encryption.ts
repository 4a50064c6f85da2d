import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isCustomerManagedKey, isSet, list } from "../values";

const CMK = "a customer-managed KMS key";

/**
 * Data at rest is encrypted with a customer-managed key (S3 buckets: see the s3 rules).
 * AWS-owned and AWS-managed keys do not count: the key policy, its rotation and its replica in
 * the DR region must be ours.
 */
export function encryptionAtRest(resource: CheckedResource): string[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:rds/cluster:Cluster":
      return [
        ...(inputs.storageEncrypted === true ? [] : ["storageEncrypted is not true"]),
        ...(isCustomerManagedKey(inputs.kmsKeyId) ? [] : [`kmsKeyId is not ${CMK}`]),
      ];
    case "aws:rds/globalCluster:GlobalCluster":
      // The members bring their own regional keys; the global cluster only declares encryption.
      return inputs.storageEncrypted === true ? [] : ["storageEncrypted is not true"];
    case "aws:dynamodb/table:Table":
      return dynamodbTable(inputs);
    case "aws:sns/topic:Topic":
      return isCustomerManagedKey(inputs.kmsMasterKeyId) ? [] : [`kmsMasterKeyId is not ${CMK}`];
    case "aws:secretsmanager/secret:Secret":
      return [
        ...(isCustomerManagedKey(inputs.kmsKeyId) ? [] : [`kmsKeyId is not ${CMK} (the default is aws/secretsmanager)`]),
        ...list(inputs.replicas)
          .filter((replica) => !isCustomerManagedKey(replica?.kmsKeyId))
          .map((replica) => `replica in ${replica?.region ?? "?"} has no kmsKeyId of ${CMK}`),
      ];
    case "aws:cloudwatch/logGroup:LogGroup":
      return isCustomerManagedKey(inputs.kmsKeyId) ? [] : [`kmsKeyId is not ${CMK}`];
    case "aws:lambda/function:Function":
      // Unset means Lambda's AWS-managed key (aws/lambda) for the environment variables.
      return isCustomerManagedKey(inputs.kmsKeyArn) ? [] : [`kmsKeyArn is not ${CMK} (the environment variables would use aws/lambda)`];
    default:
      return [];
  }
}

function dynamodbTable(inputs: Record<string, PlanValue>): string[] {
  const sse = inputs.serverSideEncryption;
  const problems: string[] = [];
  // enabled=false means an AWS-owned key; enabled without a key means the AWS-managed one.
  if (sse?.enabled !== true || !isCustomerManagedKey(sse?.kmsKeyArn)) {
    problems.push(`serverSideEncryption is not enabled with a kmsKeyArn of ${CMK}`);
  }
  for (const replica of list(inputs.replicas)) {
    if (!isCustomerManagedKey(replica?.kmsKeyArn)) {
      problems.push(`replica in ${isSet(replica?.regionName) ? replica.regionName : "?"} has no kmsKeyArn of ${CMK} (its own region's key)`);
    }
  }
  return problems;
}
