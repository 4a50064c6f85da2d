import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { replicationRolePolicy } from "./replication-policy";

/** One bucket of the replication pair, as its stack exports it. */
export interface ReplicatedBucket {
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  /** Must be `Enabled`: replication needs versioning on both buckets. */
  versioningStatus: pulumi.Input<string>;
  /** The bucket's SSE-KMS key. */
  kmsKeyArn: pulumi.Input<string>;
  region: string;
}

/** Arguments of {@link BucketReplication}. */
export interface BucketReplicationArgs {
  /** Names the children's physical resources (the stack's suffix, this component's region). */
  namer: ResourceNamer;
  /** The primary region's bucket, replicated from. */
  source: ReplicatedBucket;
  /** The DR region's bucket, replicated to. */
  destination: ReplicatedBucket;
  /**
   * Replication Time Control: 99.99 % of objects within this many minutes (S3 supports only
   * 15: typed so, another value fails the type check, not the first `up`), with replication
   * metrics and events at the same threshold. @default 15
   */
  replicationTimeMinutes?: 15;
}

/** The id of the one replication rule, for alarms on its metrics. */
export const REPLICATION_RULE_ID = "replicate-all-to-dr";

/**
 * Both buckets' versioning, released only when both are `Enabled`. The buckets and their
 * versioning live in the regional stacks, which deploy before the global stack; their outputs
 * say versioning exists. A replication configuration put before that fails intermittently
 * with InvalidRequest (DESIGN §10).
 */
function afterVersioning(source: ReplicatedBucket, destination: ReplicatedBucket): pulumi.Output<string> {
  return pulumi.all([source.bucketName, source.versioningStatus, destination.bucketName, destination.versioningStatus]).apply(([sourceName, sourceStatus, destinationName, destinationStatus]) => {
    for (const [name, status] of [[sourceName, sourceStatus], [destinationName, destinationStatus]]) {
      if (status !== "Enabled") throw new pulumi.RunError(`bucket ${name} has versioning "${status}": S3 replication needs it Enabled on both buckets; deploy the regional stacks first.`);
    }
    return sourceName;
  });
}

/**
 * S3 cross-region replication from the primary bucket to the DR bucket (DESIGN §5): one V2
 * rule for every object, delete markers included, SSE-KMS objects selected and re-encrypted
 * with the destination's key, with Replication Time Control and metrics. Create it with the
 * source region's provider.
 */
export class BucketReplication extends pulumi.ComponentResource {
  readonly ruleId: string = REPLICATION_RULE_ID;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: BucketReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:storage:BucketReplication", name, {}, opts);
    const minutes = args.replicationTimeMinutes ?? 15;
    const { source, destination } = args;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.namer.regional("iamRole", "s3-replication"),
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        name: args.namer.regional("iamPolicy", "s3-replication"),
        role: role.id,
        policy: pulumi
          .all([source.bucketArn, destination.bucketArn, source.kmsKeyArn, destination.kmsKeyArn])
          .apply(([sourceBucketArn, destinationBucketArn, sourceKeyArn, destinationKeyArn]) =>
            JSON.stringify(
              replicationRolePolicy({ sourceBucketArn, destinationBucketArn, sourceKeyArn, sourceRegion: source.region, destinationKeyArn, destinationRegion: destination.region }),
            ),
          ),
      },
      { parent: this },
    );

    new aws.s3.BucketReplicationConfig(
      `${name}-config`,
      {
        bucket: afterVersioning(source, destination),
        role: role.arn,
        rules: [
          {
            id: REPLICATION_RULE_ID,
            status: "Enabled",
            priority: 1,
            // A filter makes this a V2 rule (needed for delete-marker replication and RTC); the empty
            // prefix selects every object. Written as `{ prefix: "" }` rather than `{}`: an empty
            // object may be dropped on its way to the provider, leaving a V1 rule that S3 refuses
            // with these options; the provider sends an explicit empty prefix as such.
            filter: { prefix: "" },
            deleteMarkerReplication: { status: "Enabled" },
            // Without this, SSE-KMS objects are silently skipped (DESIGN §10).
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: destination.bucketArn,
              storageClass: "STANDARD",
              // Replicas are encrypted with the destination region's key: a key of another region cannot be used there.
              encryptionConfiguration: { replicaKmsKeyId: destination.kmsKeyArn },
              replicationTime: { status: "Enabled", time: { minutes } },
              metrics: { status: "Enabled", eventThreshold: { minutes } },
            },
          },
        ],
      },
      { parent: this, dependsOn: [policy] },
    );

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
