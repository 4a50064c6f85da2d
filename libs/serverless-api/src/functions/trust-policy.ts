import type * as aws from "@pulumi/aws";

/**
 * An AWS service may assume the role on behalf of this account only, and, with `sourceArn`, of
 * that one source only: another account's resource cannot borrow it (the confused deputy).
 */
export function serviceTrustPolicy(service: `${string}.amazonaws.com`, accountId: string, sourceArn?: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId, ...(sourceArn === undefined ? {} : { "aws:SourceArn": sourceArn }) } },
      },
    ],
  };
}
