import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RegionalConfig, ResourceNamer, StackConfig } from "@payments-dr/conventions";
import { AURORA_ENGINE, AURORA_PORT, CLUSTER_LOG_EXPORTS, PERFORMANCE_INSIGHTS_RETENTION_DAYS } from "./engine";
import { clusterInstanceOptions, memberClusterOptions, promotionTier } from "./options";
import { createClusterParameterGroup } from "./parameter-group";
import { requireBackupRetention, requireInstanceCount, requireManagedRpo, requireRClass } from "./validation";

/** What the primary and the secondary member cluster of the global database both take. */
export interface MemberClusterArgs {
  /** Builds every physical name (this region's). */
  namer: ResourceNamer;
  /** Private subnets of the cluster's DB subnet group (at least two AZs). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security group of the cluster. */
  securityGroupId: pulumi.Input<string>;
  /** This region's CMK: encrypts the storage, Performance Insights and the exported logs. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days the cluster's exported PostgreSQL log is kept in CloudWatch Logs. */
  logRetentionDays: number;
  /** r-class instance class of every instance, e.g. "db.r6g.large". */
  instanceClass: string;
  /** Instances of this cluster, at most 15; the first created becomes the writer. */
  instanceCount: number;
  /** Automated backup retention, 7 to 35 days. */
  backupRetentionDays: number;
  /** `rds.global_db_rpo` in seconds (≥ 20). @default undefined (managed RPO off) */
  managedRpoSeconds?: number;
  /** Skip the final snapshot when the cluster is deleted. Production: false. */
  skipFinalSnapshot: boolean;
  /** Production: true. */
  deletionProtection: boolean;
  /** Allow IAM database authentication besides the password. @default false */
  iamDatabaseAuthentication?: boolean;
}

/** The member cluster's arguments that a regional stack takes from its config. */
export type MemberClusterSettings = Pick<
  MemberClusterArgs,
  "instanceClass" | "instanceCount" | "backupRetentionDays" | "managedRpoSeconds" | "logRetentionDays" | "skipFinalSnapshot" | "deletionProtection"
>;

/** Those arguments, from the regional stack's config: both regions' programs read them the same way. */
export function memberClusterSettings(database: RegionalConfig["database"], config: Pick<StackConfig, "logRetentionDays" | "skipFinalSnapshot" | "deletionProtection">): MemberClusterSettings {
  const { instanceClass, instanceCount, backupRetentionDays, managedRpoSeconds } = database;
  const { logRetentionDays, skipFinalSnapshot, deletionProtection } = config;
  return { instanceClass, instanceCount, backupRetentionDays, managedRpoSeconds, logRetentionDays, skipFinalSnapshot, deletionProtection };
}

/** What distinguishes the primary member from the secondary. */
export interface MemberRoleArgs {
  /** The global cluster to join. */
  globalClusterIdentifier: pulumi.Input<string>;
  /** The global cluster's version: set at creation, then ignored (the global cluster upgrades members). */
  engineVersion: pulumi.Input<string>;
  /** Only the primary: master credentials and database name. */
  master?: { username: string; password: pulumi.Input<string>; databaseName: pulumi.Input<string> };
  /** Only the secondary: the primary's region, for the pre-signed URL of encrypted replication. */
  sourceRegion?: string;
}

/** A member cluster and its instances, writer first. */
export interface MemberCluster {
  cluster: aws.rds.Cluster;
  instances: aws.rds.ClusterInstance[];
  /** The cluster (writer) endpoint, never empty: {@link clusterEndpointOf}. */
  clusterEndpoint: pulumi.Output<string>;
}

/**
 * A member cluster's cluster (writer) endpoint. RDS may return none for a secondary of a global
 * database, so a `refresh` while this cluster is one (after a switchover) records "", and the
 * next `up` would hand the functions an empty host, still empty once the cluster is primary
 * again. The two names differ only in `cluster-` and `cluster-ro-`
 * (`<cluster>.cluster-<id>.<region>.rds.amazonaws.com`), so the writer's is then the reader's
 * with that changed.
 */
export function clusterEndpointOf(endpoint: string, readerEndpoint: string): string {
  return endpoint || readerEndpoint.replace(".cluster-ro-", ".cluster-");
}

/**
 * The name of the snapshot RDS takes when the cluster is deleted, or undefined when none is kept.
 * The snapshot outlives the stack, so a fixed name would make the destroy of a rebuilt stack
 * with the same suffix fail (`DBClusterSnapshotAlreadyExists`), after the provider has already
 * detached the cluster from the global database. A random part, drawn once per build of the
 * stack, keeps each build's snapshot apart (terraform-aws-modules/rds does the same). RDS takes
 * the name only in DeleteDBCluster, so changing it touches no running cluster.
 */
function finalSnapshotIdentifier(name: string, args: MemberClusterArgs, parent: pulumi.Resource): pulumi.Output<string> | undefined {
  if (args.skipFinalSnapshot) return undefined;
  const build = new random.RandomId(`${name}-final-snapshot-id`, { byteLength: 4 }, { parent });
  return pulumi.interpolate`${args.namer.regional("rdsIdentifier", "aurora-final")}-${build.hex}`;
}

/** The CloudWatch Logs group RDS exports a cluster's `log` (e.g. postgresql) to. */
function clusterLogGroupName(clusterIdentifier: string, log: string): string {
  return `/aws/rds/cluster/${clusterIdentifier}/${log}`;
}

/** Checks the arguments both members share; `minInstances` is the role's minimum. */
export function checkMemberArgs(where: string, args: MemberClusterArgs, minInstances: number): void {
  requireRClass(where, args.instanceClass);
  requireInstanceCount(where, args.instanceCount, minInstances);
  requireBackupRetention(where, args.backupRetentionDays);
  requireManagedRpo(where, args.managedRpoSeconds);
}

/** Builds a member cluster of the global database: subnet group, parameters, cluster, instances. */
export function createMemberCluster(name: string, args: MemberClusterArgs, role: MemberRoleArgs, parent: pulumi.Resource): MemberCluster {
  const iamDatabaseAuthentication = args.iamDatabaseAuthentication ?? false;

  const subnetGroup = new aws.rds.SubnetGroup(
    `${name}-subnets`,
    {
      name: args.namer.regional("rdsSubnetGroup", "aurora"),
      description: "Private subnets of the payments Aurora cluster",
      subnetIds: args.subnetIds,
    },
    { parent },
  );
  const parameterGroup = createClusterParameterGroup(
    name,
    { namer: args.namer, engineVersion: role.engineVersion, managedRpoSeconds: args.managedRpoSeconds },
    parent,
  );

  const clusterIdentifier = args.namer.regional("rdsIdentifier", "aurora");
  // Created before the cluster exports to it: left to RDS, the group would be created
  // unencrypted by our key and kept forever, and PostgreSQL's log can quote statements.
  const logGroups = CLUSTER_LOG_EXPORTS.map(
    (log) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${log}-log`,
        { name: clusterLogGroupName(clusterIdentifier, log), kmsKeyId: args.kmsKeyArn, retentionInDays: args.logRetentionDays },
        { parent },
      ),
  );

  const cluster = new aws.rds.Cluster(
    `${name}-cluster`,
    {
      clusterIdentifier,
      globalClusterIdentifier: role.globalClusterIdentifier,
      engine: AURORA_ENGINE,
      engineVersion: role.engineVersion,
      sourceRegion: role.sourceRegion,
      masterUsername: role.master?.username,
      masterPassword: role.master?.password,
      databaseName: role.master?.databaseName,
      port: AURORA_PORT,
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [args.securityGroupId],
      dbClusterParameterGroupName: parameterGroup.name,
      backupRetentionPeriod: args.backupRetentionDays,
      enabledCloudwatchLogsExports: CLUSTER_LOG_EXPORTS,
      copyTagsToSnapshot: true,
      skipFinalSnapshot: args.skipFinalSnapshot,
      finalSnapshotIdentifier: finalSnapshotIdentifier(name, args, parent),
      deletionProtection: args.deletionProtection,
      iamDatabaseAuthenticationEnabled: iamDatabaseAuthentication,
    },
    memberClusterOptions(parent, logGroups),
  );

  const instances: aws.rds.ClusterInstance[] = [];
  for (let index = 0; index < args.instanceCount; index++) {
    instances.push(
      new aws.rds.ClusterInstance(
        `${name}-instance-${index + 1}`,
        {
          identifier: args.namer.regional("rdsIdentifier", `aurora-${index + 1}`),
          clusterIdentifier: cluster.id,
          // No engineVersion: instances run their cluster's version.
          engine: AURORA_ENGINE,
          instanceClass: args.instanceClass,
          dbSubnetGroupName: subnetGroup.name,
          publiclyAccessible: false,
          promotionTier: promotionTier(index),
          // The version moves only through the global cluster's pin, never on its own.
          autoMinorVersionUpgrade: false,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: args.kmsKeyArn,
          performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
        },
        clusterInstanceOptions(parent, instances[0]),
      ),
    );
  }
  const clusterEndpoint = pulumi.all([cluster.endpoint, cluster.readerEndpoint]).apply(([endpoint, reader]) => clusterEndpointOf(endpoint, reader));
  return { cluster, instances, clusterEndpoint };
}
