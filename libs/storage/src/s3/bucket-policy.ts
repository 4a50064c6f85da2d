import type * as aws from "@pulumi/aws";

/**
 * A bucket policy that refuses, from anyone:
 * - every request made without TLS;
 * - a PutObject (also a copy's or a multipart upload's start) that asks for any encryption but
 *   SSE-KMS with the bucket's own key (by its ARN): SSE-S3, DSSE, another key, or `aws:kms`
 *   without naming a key (the AWS-managed `aws/s3`). Such an object escapes the key policy, and
 *   the replication rule, which decrypts with this key only, would leave it unreplicated without
 *   an error.
 * - a PutObject with a customer-provided key (SSE-C): it carries none of the headers above, only
 *   `x-amz-server-side-encryption-customer-*`, so nothing else here refuses it, and the object
 *   would be stored under a key outside KMS (no key policy, no CloudTrail of its use). The
 *   bucket's encryption configuration blocks SSE-C too (SecureBucket); this keeps the refusal
 *   in the policy that states the bucket's encryption rules.
 * A request with no encryption header gets the bucket's default, this key, and passes: each
 * refusal applies only where its header is present (`Null: false`). A negated operator alone,
 * or its `…IfExists` form, is true when the header is absent (IAM user guide, condition
 * operators), so it would refuse every header-less upload, and every part of a multipart upload,
 * which S3 authorizes as s3:PutObject and which carries no encryption header.
 *
 * Replication writes with s3:ReplicateObject, which this does not touch.
 */
export function secureBucketPolicy(bucketArn: string, kmsKeyArn: string): aws.iam.PolicyDocument {
  const objects = `${bucketArn}/*`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objects],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOtherEncryption",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
      },
      {
        Sid: "DenyOtherKmsKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } },
      },
      {
        Sid: "DenyUnnamedKmsKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" }, Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" } },
      },
      {
        Sid: "DenyCustomerProvidedKeys",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
      },
    ],
  };
}
