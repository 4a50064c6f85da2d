import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { shortDeletionWindowDenial } from "./deletion-window";

/** Where a key lives: everything its policy is scoped to. */
export interface KeyPolicyContext {
  accountId: string;
  /** AWS partition, e.g. `aws`. */
  partition: string;
  /** The key's own region (a replica's policy names the replica's region). */
  region: string;
  /** The stack's deletion protection: refuse deletion windows shorter than 30 days. @default false */
  deletionProtection?: boolean;
}

/**
 * The key policy of a regional data key. In a key policy `Resource: "*"` means this key.
 * - The account root administers and uses the key, so IAM policies can grant its use
 *   (the standard "Enable IAM User Permissions" statement).
 * - CloudWatch Logs encrypts the account's log groups in this region with it.
 * - CloudWatch alarms publish to SNS topics encrypted with it: only to this account's topics in
 *   this region, by the encryption context SNS itself sets on every data key it asks for
 *   (`aws:sns:topicArn`), not by caller keys such as aws:SourceAccount that a service may leave
 *   out of its KMS request (then every alarm's notification would fail, visible only in the
 *   alarm's history).
 * - With deletion protection, nobody may schedule its deletion with a window under 30 days.
 */
export function regionalKeyPolicy(ctx: KeyPolicyContext): aws.iam.PolicyDocument {
  const { accountId, partition, region } = ctx;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnableIamUserPermissions",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AllowCloudWatchLogsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` },
        },
      },
      {
        Sid: "AllowCloudWatchAlarmsToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:${partition}:sns:${region}:${accountId}:*` } },
      },
      ...(ctx.deletionProtection ? [shortDeletionWindowDenial()] : []),
    ],
  };
}

/** {@link regionalKeyPolicy} as JSON, for the account, partition and region of `parent`'s provider. */
export function keyPolicyJson(parent: pulumi.Resource, options: Pick<KeyPolicyContext, "deletionProtection"> = {}): pulumi.Output<string> {
  const opts = { parent };
  return pulumi
    .all([
      aws.getCallerIdentityOutput({}, opts).accountId,
      aws.getPartitionOutput({}, opts).partition,
      aws.getRegionOutput({}, opts).region,
    ])
    .apply(([accountId, partition, region]) => JSON.stringify(regionalKeyPolicy({ accountId, partition, region, ...options })));
}
