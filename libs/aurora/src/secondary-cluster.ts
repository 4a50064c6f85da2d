import * as pulumi from "@pulumi/pulumi";
import { checkMemberArgs, createMemberCluster, MemberClusterArgs } from "./member-cluster";
import { afterPrimaryWriter } from "./options";

/** Arguments of {@link AuroraSecondaryCluster}. */
export interface AuroraSecondaryClusterArgs extends MemberClusterArgs {
  /** The global cluster to join (primary-region stack output). */
  globalClusterId: pulumi.Input<string>;
  /** The version pinned on the global cluster (primary-region stack output). */
  engineVersion: pulumi.Input<string>;
  /** The primary cluster's region: replication of encrypted storage is signed for it. */
  sourceRegion: string;
  /** The primary's writer instance (primary-region stack output): the secondary waits for it. */
  primaryWriterInstanceId: pulumi.Input<string>;
  /** This region's CMK: a cross-region replica is encrypted with a key of its own region. */
  kmsKeyArn: pulumi.Input<string>;
  /** 1 to 15 (the primary's limit: a promotion makes this cluster the primary); the first becomes the writer then. */
  instanceCount: number;
}

/**
 * The secondary (read-only) member of the global database, in the DR region. It replicates
 * from the primary, so it takes no credentials and no database name: both come with the data.
 */
export class AuroraSecondaryCluster extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  /** The DBClusterIdentifier of CloudWatch's RDS metrics. */
  readonly clusterIdentifier: pulumi.Output<string>;
  /** This region's writer endpoint (read-only while the region is secondary). */
  readonly clusterEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;

  constructor(name: string, args: AuroraSecondaryClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:aurora:AuroraSecondaryCluster", name, {}, opts);
    checkMemberArgs(`AuroraSecondaryCluster "${name}"`, args, 1);

    const { cluster, clusterEndpoint } = createMemberCluster(
      name,
      args,
      {
        globalClusterIdentifier: afterPrimaryWriter(args.globalClusterId, args.primaryWriterInstanceId),
        engineVersion: args.engineVersion,
        sourceRegion: args.sourceRegion,
      },
      this,
    );

    this.clusterArn = cluster.arn;
    this.clusterIdentifier = cluster.clusterIdentifier;
    this.clusterEndpoint = clusterEndpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.registerOutputs({
      clusterIdentifier: this.clusterIdentifier,
      clusterArn: this.clusterArn,
      clusterEndpoint: this.clusterEndpoint,
      readerEndpoint: this.readerEndpoint,
    });
  }
}
