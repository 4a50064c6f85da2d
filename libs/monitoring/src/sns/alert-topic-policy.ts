import type * as aws from "@pulumi/aws";

/** What an alert topic's policy is scoped to. */
export interface AlertTopicPolicyContext {
  topicArn: string;
  accountId: string;
  /** AWS partition, e.g. `aws`. */
  partition: string;
}

/**
 * The policy of an alert topic. A topic policy replaces SNS's default one, so the first
 * statement keeps what that default gives the account owner (granted to the account root,
 * not to `*` conditioned on the owner); the second lets this account's alarms publish; the
 * third refuses any publish not made over TLS (SNS developer guide, security best practices,
 * "Enforce encryption of data in transit"). A service's own call that carries no
 * aws:SecureTransport key is not refused: `Bool` on a missing key does not match.
 */
export function alertTopicPolicy(ctx: AlertTopicPolicyContext): aws.iam.PolicyDocument {
  const { topicArn, accountId, partition } = ctx;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountOwnerManagesTopic",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: [
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
          "sns:Subscribe",
          "sns:ListSubscriptionsByTopic",
          "sns:Publish",
        ],
        Resource: topicArn,
      },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      {
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
