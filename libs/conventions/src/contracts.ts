import type * as pulumi from "@pulumi/pulumi";
import type { WriterConnectionShare } from "./api-config";
import type { ServingCapacity } from "./serving-capacity";

/**
 * The typed contract of each stack's outputs (DESIGN §3). Each app's exports are checked
 * against its type, and consumers read upstream outputs through {@link UpstreamStack}, so
 * renaming an output is a compile error, not a runtime `undefined`.
 *
 * Adding an output that a downstream stack reads: read it with `outputIfDeployed` (and a
 * fallback) until every deployed upstream stack exports it. `output` requires it, and the
 * downstream stack then fails its preview against an upstream deployed by older code, such as
 * a primary-region that could not be updated because us-east-1 is down (README, Per-stack
 * operations: `dr-region:up` works while us-east-1 is down).
 */

/** The resource of `/health` (DESIGN §7), which Route 53 checks: the API routes it, the alarms and the dashboard leave its 503s out of the API's errors. */
export const HEALTH_PATH = "/health";

/**
 * The query argument in which a region's Route 53 health check carries its stack's
 * `healthCheckToken` (`/health?check=<token>`): the region's WAF and the global stack's health
 * checks agree on it here.
 */
export const HEALTH_CHECK_TOKEN_ARGUMENT = "check";

/** What every stack exports, whatever its role. */
export interface CommonStackOutputs {
  /**
   * The config values the stack was deployed with that cannot change on it (suffix, regions,
   * a regional stack's VPC range): the next deploy is checked against them (StackContext).
   */
  createTimeConfig: Record<string, string>;
}

/** Outputs both regional stacks export. */
export interface RegionalStackOutputs extends CommonStackOutputs {
  /** The region the stack deployed into. */
  region: string;
  vpcId: string;
  /** ARN of this region's member cluster of the global database. */
  clusterArn: string;
  /** Its identifier (CloudWatch's DBClusterIdentifier). */
  clusterIdentifier: string;
  /** This region's cluster writer endpoint: inactive while the region is secondary (RDS may then return it empty). */
  clusterEndpoint: string;
  /** This region's reader endpoint: it answers in either role (the DR region reads and checks its health through it). */
  readerEndpoint: string;
  /** The region's customer-managed KMS key. */
  kmsKeyArn: string;
  bucketName: string;
  bucketArn: string;
  /** `Enabled` once the bucket's versioning exists: S3 replication must wait for it. */
  bucketVersioningStatus: string;
  alertTopicArn: string;
  /** The regional payments API (REST, regional endpoint). */
  apiId: string;
  /** Its name (CloudWatch's ApiName). */
  apiName: string;
  /** The stage's own URL: `https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`. */
  apiUrl: string;
  apiStage: string;
  /** `/health` of this region: its health, for anyone (the DR CLI, the other region's probe). */
  healthUrl: string;
  /**
   * A secret: the token this region's Route 53 health check carries in its query
   * ({@link HEALTH_CHECK_TOKEN_ARGUMENT}). The region's WAF blocks Route 53's checkers on
   * `/health` without it.
   */
  healthCheckToken: string;
  /** The payment Lambda. */
  lambdaName: string;
  /** The Lambda that answers `/health` (Route 53's checks), on the dashboards next to the payment Lambda. */
  healthLambdaName: string;
  /** The usage plan holding the per-merchant limits: the keys CLI adds each merchant's usage key to it. */
  usagePlanId: string;
  /** The WAF web ACL associated with the stage. */
  webAclArn: string;
  /** With a custom domain: its regional domain name and zone, the failover records' alias target. */
  customDomainTarget?: string;
  customDomainZoneId?: string;
  /** With a custom domain: the name it serves, which the global stack's failover records must carry. */
  customDomainName?: string;
}

/** Outputs of `apps/primary-region`. */
export interface PrimaryRegionOutputs extends RegionalStackOutputs {
  globalClusterId: string;
  /** The global writer endpoint: follows the primary after a switchover or managed failover. */
  globalWriterEndpoint: string;
  /** Engine version pinned on the global cluster; members follow it. */
  engineVersion: string;
  /** The primary writer instance; the DR stack's secondary cluster must wait for it. */
  writerInstanceId: string;
  /** Secrets Manager secret with the master credentials (replicated to the DR region): the migrate function's. */
  dbSecretArn: string;
  /** The secret's name, the same in both regions (the DR copy is found by it). */
  dbSecretName: string;
  /** Secrets Manager secret of the payment functions' database role (rows of their tables only), replicated too. */
  dbAppSecretArn: string;
  /** The app secret's name, the same in both regions: the DR functions read its copy there. */
  dbAppSecretName: string;
  /** Secrets Manager secret of /health's database role (the heartbeat row only), replicated too. */
  dbHealthSecretArn: string;
  /** The health secret's name, the same in both regions: the DR /health function reads its copy there. */
  dbHealthSecretName: string;
  /** The DynamoDB sessions global table (same name in both regions). */
  sessionsTableName: string;
  /** The merchants' API keys, a DynamoDB global table (same name in both regions; each authorizer reads its own replica). */
  apiKeysTableName: string;
  /** The multi-region replica, in the DR region, of the primary's key (encrypts the replicas). */
  drReplicaKeyArn: string;
  /** This region's functions and writer budget: the DR stack checks the pair's connections with it. */
  writerConnections: WriterConnectionShare;
  /** What this region can serve: the DR stack refuses to be smaller (it takes all of this traffic after a failover). */
  servingCapacity: ServingCapacity;
  /**
   * With a custom domain: the DNS record ACM asks for to validate (and renew) its certificate,
   * as ACM gives it (`name` and `value` end with a dot). ACM asks for the same record in every
   * region of an account, so this stack owns it for both; the DR stack's certificate relies on
   * it and checks it asks for this very record.
   */
  certificateValidationRecord?: { name: string; type: string; value: string };
}

/** Outputs of `apps/dr-region`. */
export type DrRegionOutputs = RegionalStackOutputs;

/** Outputs of `apps/global`. */
export interface GlobalOutputs extends CommonStackOutputs {
  /** `enabled: <domain>`, or why DNS failover is off (it needs a custom domain). */
  dnsFailover: string;
  /** The custom domain clients use, when DNS failover is on. */
  failoverDomain?: string;
  primaryHealthCheckId: string;
  drHealthCheckId: string;
  /** The cross-region dashboard's name in the primary region (its twin in the DR region is named with that region's code). */
  dashboardName: string;
  replicationRuleId: string;
  /** The ARC Region switch plan, when `regionSwitchPlan` is enabled. */
  regionSwitchPlanArn?: string;
  primaryRegion: string;
  drRegion: string;
  globalClusterId: string;
  primaryClusterArn: string;
  drClusterArn: string;
  primaryBucketName: string;
  drBucketName: string;
  sessionsTableName: string;
}

/** What a program exports for a contract: each output may still be a Pulumi Input. */
export type StackOutputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
