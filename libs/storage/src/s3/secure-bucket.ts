import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { secureBucketPolicy } from "./bucket-policy";

/** Server-side encryption types the bucket refuses: customer-provided keys (SSE-C), which bypass KMS. */
const BLOCKED_ENCRYPTION_TYPES = ["SSE-C"] as const;

/** Arguments of {@link SecureBucket}. */
export interface SecureBucketArgs {
  /** Names the bucket, in its region. */
  namer: ResourceNamer;
  /** What the bucket holds, part of its name, e.g. `data`. */
  role: string;
  /** The region's customer-managed key, the bucket's default encryption. */
  kmsKeyArn: pulumi.Input<string>;
  /** Empty the bucket on delete, objects and versions included. @default false */
  forceDestroy?: boolean;
}

/**
 * Options of the bucket policy: S3 rejects a policy put while the public access block is
 * still being applied, so the policy waits for it.
 */
function bucketPolicyOptions(publicAccessBlock: aws.s3.BucketPublicAccessBlock): pulumi.CustomResourceOptions {
  return { dependsOn: [publicAccessBlock] };
}

/** A versioned, SSE-KMS encrypted (SSE-C refused), private, TLS-only S3 bucket. */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** `Enabled` once the bucket's versioning exists: S3 replication must wait for it. */
  readonly versioningStatus: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:SecureBucket", name, {}, opts);
    const forceDestroy = args.forceDestroy ?? false;

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.namer.bucket(args.role, accountId), forceDestroy }, { parent: this });

    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
            // One data key per bucket instead of one KMS call per object: cheaper, fewer throttles.
            bucketKeyEnabled: true,
            // SSE-C uploads name no KMS key, so no bucket policy condition on the KMS headers
            // sees them: blocked here for every write path (PutObject, CopyObject, PostObject,
            // multipart, replication), not left to S3's changing default.
            blockedEncryptionTypes: [...BLOCKED_ENCRYPTION_TYPES],
          },
        ],
      },
      { parent: this },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.bucket, policy: pulumi.all([bucket.arn, args.kmsKeyArn]).apply(([arn, key]) => JSON.stringify(secureBucketPolicy(arn, key))) },
      { parent: this, ...bucketPolicyOptions(publicAccessBlock) },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.versioningStatus = versioning.versioningConfiguration.status;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, versioningStatus: this.versioningStatus });
  }
}
