/** What the replication role may touch: exactly the two buckets and their two keys. */
export interface ReplicationPolicyContext {
  sourceBucketArn: string;
  destinationBucketArn: string;
  /** Decrypts source objects (SSE-KMS). */
  sourceKeyArn: string;
  sourceRegion: string;
  /** Encrypts the replicas in the destination region. */
  destinationKeyArn: string;
  destinationRegion: string;
}

/**
 * The least-privilege policy of the S3 replication role: the S3 actions replication needs on
 * these buckets, and KMS use limited to S3 in each bucket's region (kms:ViaService).
 */
export function replicationRolePolicy(ctx: ReplicationPolicyContext) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadReplicationConfiguration",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: ctx.sourceBucketArn,
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        Resource: `${ctx.sourceBucketArn}/*`,
      },
      {
        Sid: "WriteReplicas",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: `${ctx.destinationBucketArn}/*`,
      },
      {
        Sid: "DecryptSourceObjects",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: ctx.sourceKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${ctx.sourceRegion}.amazonaws.com` } },
      },
      {
        // kms:Decrypt too: with S3 Bucket Keys on, S3 decrypts the destination's bucket key to
        // check it before using it, as the replication role (S3 user guide, "S3 Bucket Keys and
        // replication"). Without it every replica is refused.
        Sid: "EncryptReplicas",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
        Resource: ctx.destinationKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${ctx.destinationRegion}.amazonaws.com` } },
      },
    ],
  };
}
