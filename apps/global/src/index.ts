// The cross-region layer: health-checked DNS failover between the two regional APIs, S3
// replication from the primary bucket to the DR bucket, the replication and health-check
// alarms, and a dashboard of both regions in each region. It reads both regional stacks
// through typed StackReferences and changes nothing inside them.
import {
  ConfigReader,
  RECOVERY_TARGETS,
  ROUTE53_METRICS_REGION,
  StackContext,
  UpstreamStack,
  type DrRegionOutputs,
  type GlobalOutputs,
  type PrimaryRegionOutputs,
  type RegionalStackOutputs,
  type StackOutputs,
} from "@payments-dr/conventions";
import { ApiHealthCheck, CombinedHealthCheck, FailoverRecords, failoverSetIdentifier, RegionSwitchPlan } from "@payments-dr/failover";
import {
  BucketReplicationAlarms,
  CrossRegionDashboard,
  fencedRegionNote,
  loadAlarmThresholdOverrides,
  ReplicationAlarms,
  type ReplicationAlarmsArgs,
} from "@payments-dr/monitoring";
import { PRIMARY_PROBE_TARGET } from "@payments-dr/payment-lambda";
import { BucketReplication } from "@payments-dr/storage";

// Config: validated before anything is read.
const ctx = new StackContext();
const { config } = ctx;
/** Opt-in: an ARC Region switch plan, for teams that want AWS to orchestrate the move. @default false */
const regionSwitchPlanEnabled = new ConfigReader().boolean("regionSwitchPlan", false);
const thresholds = loadAlarmThresholdOverrides();

// Upstream stacks, deployed before this one (nx: implicitDependencies + deploy → ^deploy).
const primary = new UpstreamStack<PrimaryRegionOutputs>("primary-region", config.primaryStack);
const dr = new UpstreamStack<DrRegionOutputs>("dr-region", config.drStack);

// Providers: the replication source and the health checks (Route 53 is global) go with the primary region.
const primarySide = ctx.region(config.primaryRegion);
const drSide = ctx.region(config.drRegion);

// Health checks on each region's own /health; failover records only with a custom domain.
const primaryHealth = new ApiHealthCheck("primary-health", { namer: primarySide.namer, role: "primary", healthUrl: primary.output("healthUrl"), healthCheckToken: primary.output("healthCheckToken") }, { provider: primarySide.provider });
const drHealth = new ApiHealthCheck("dr-health", { namer: primarySide.namer, role: "dr", healthUrl: dr.output("healthUrl"), healthCheckToken: dr.output("healthCheckToken") }, { provider: primarySide.provider });
// The opt-in Region switch plan: before the records, which carry its health checks.
const regionSwitchPlan = regionSwitchPlanEnabled
  ? new RegionSwitchPlan(
      "region-switch",
      {
        namer: primarySide.namer,
        primaryRegion: config.primaryRegion,
        drRegion: config.drRegion,
        globalClusterId: primary.output("globalClusterId"),
        clusterArns: { primary: primary.output("clusterArn"), dr: dr.output("clusterArn") },
        dns: config.domain && {
          hostedZoneId: config.domain.hostedZoneId,
          recordName: config.domain.name,
          primarySetIdentifier: failoverSetIdentifier(config.domain.name, "PRIMARY"),
          drSetIdentifier: failoverSetIdentifier(config.domain.name, "SECONDARY"),
        },
      },
      { provider: primarySide.provider },
    )
  : undefined;

// The primary record carries the primary's API check (the DR record none: libs/failover). With
// the plan, it also needs ARC's check for the primary region, so that running the plan moves the
// traffic; DNS still fails over on the primary's /health alone, whatever ARC's check says.
const arcPrimaryCheck = regionSwitchPlan?.primaryRegionHealthCheckId;
const primaryRecordCheck = arcPrimaryCheck
  ? new CombinedHealthCheck("primary-record-health", { namer: primarySide.namer, role: "primary", healthCheckIds: [primaryHealth.healthCheckId, arcPrimaryCheck] }, { provider: primarySide.provider })
  : primaryHealth;
if (config.domain) {
  new FailoverRecords(
    "api-dns",
    {
      domain: config.domain,
      primary: {
        domainTarget: primary.output("customDomainTarget"),
        domainZoneId: primary.output("customDomainZoneId"),
        domainName: primary.outputIfDeployed("customDomainName"),
        healthCheckId: primaryRecordCheck.healthCheckId,
      },
      secondary: { domainTarget: dr.output("customDomainTarget"), domainZoneId: dr.output("customDomainZoneId"), domainName: dr.outputIfDeployed("customDomainName") },
    },
    { provider: primarySide.provider },
  );
}

// S3 replication primary → DR. Both buckets and their versioning come from the regional stacks'
// outputs: those stacks deploy first, so versioning exists before the rule (DESIGN §10).
const replicatedBucket = <T extends RegionalStackOutputs>(stack: UpstreamStack<T>, region: string) => ({
  bucketName: stack.output("bucketName"),
  bucketArn: stack.output("bucketArn"),
  versioningStatus: stack.output("bucketVersioningStatus"),
  kmsKeyArn: stack.output("kmsKeyArn"),
  region,
});
const source = replicatedBucket(primary, config.primaryRegion);
const destination = replicatedBucket(dr, config.drRegion);
const replication = new BucketReplication(
  "replication",
  {
    namer: primarySide.namer,
    source,
    destination,
    // The recovery budget's S3 line: Replication Time Control at the targets' minutes.
    replicationTimeMinutes: RECOVERY_TARGETS.s3ReplicationMinutes,
  },
  { provider: primarySide.provider },
);

// Alarms on what crosses regions, each in the region where its metrics are published. With the
// Region switch plan, the primary record's own check too: the plan's execution moves the traffic
// without any /health failing, and that move must page as a failover does.
const healthChecks = [
  {
    name: "primary",
    healthCheckId: primaryHealth.healthCheckId,
    meaning:
      `the primary region's /health fails from most checkers: ${config.domain ? "DNS answers with the DR region" : "no custom domain, so DNS does not move: clients keep failing there"}. ` +
      "Expected while the DR region holds the writer (a switchover, failover or drill: clears after failback). " +
      `${fencedRegionNote("the primary region")} Otherwise see the runbook, Unplanned failover: check \`dr status\` and the DR region's probe alarm.`,
  },
  {
    name: "dr",
    healthCheckId: drHealth.healthCheckId,
    meaning:
      "the DR region's /health fails from most checkers: its database or API cannot serve there. DNS still answers with it if the primary fails, and `dr switchover` or `dr failover` to it would be refused or land on a broken region. " +
      `${fencedRegionNote("the DR region")} Otherwise check \`dr status\` and the DR region's Lambda and Aurora alarms.`,
  },
  ...(arcPrimaryCheck
    ? [
        {
          name: "primary-record",
          healthCheckId: primaryRecordCheck.healthCheckId,
          meaning:
            "the primary DNS record's check (the primary's /health and ARC's check of the primary region) is unhealthy: DNS answers with the DR region. " +
            "Expected while the Region switch plan has moved the traffic; otherwise see the primary's own health check alarm.",
        },
      ]
    : []),
];
const rule = { source, destination, ruleId: replication.ruleId };
const bucketReplication = { sourceBucket: source.bucketName, destinationBucket: destination.bucketName, ruleId: rule.ruleId };
const sessionsTableName = primary.output("sessionsTableName");
// A key revoked in the primary keeps working in the DR region until its replica catches up.
const apiKeysTableName = primary.output("apiKeysTableName");
// Both tables' replication out of a region, alarmed there (DynamoDB publishes it in the writing
// region), to that region's topic; the Route 53 health checks' alarms go with the region that is
// us-east-1, where Route 53 publishes their metrics (the config holds one of the two there).
const checksIn = (region: string) => (region === ROUTE53_METRICS_REGION ? healthChecks : []);
const tableReplicationAlarms = (name: string, side: typeof primarySide, topicArn: ReplicationAlarmsArgs["topicArn"], receivingRegion: string, checks: typeof healthChecks) =>
  new ReplicationAlarms(
    name,
    {
      namer: side.namer,
      topicArn,
      sessionsTable: { tableName: sessionsTableName, receivingRegion },
      apiKeysTable: { tableName: apiKeysTableName, receivingRegion },
      healthChecks: checks,
      thresholds,
    },
    { provider: side.provider },
  );
tableReplicationAlarms("replication-alarms", primarySide, primary.output("alertTopicArn"), config.drRegion, checksIn(config.primaryRegion));
// The way back: once the DR region takes writes (a switchover or failover), its tables replicate
// to us-east-1, published in us-east-2. Quiet until then. DynamoDB alarms keep their state through
// missing data, so while us-east-1 is down these say little: read the metric (runbook, Failback).
tableReplicationAlarms("replication-alarms-dr", drSide, dr.output("alertTopicArn"), config.primaryRegion, checksIn(config.drRegion));
// S3 publishes a rule's failed operations in the source's region, its latency and backlog in the destination's.
new BucketReplicationAlarms(
  "s3-replication-alarms-source",
  { namer: primarySide.namer, topicArn: primary.output("alertTopicArn"), rule, end: "source", thresholds },
  { provider: primarySide.provider },
);
new BucketReplicationAlarms(
  "s3-replication-alarms-destination",
  { namer: drSide.namer, topicArn: dr.output("alertTopicArn"), rule, end: "destination", thresholds },
  { provider: drSide.provider },
);

// One dashboard of both regions in each region, so the surviving region still has one.
const regionResources = <T extends RegionalStackOutputs>(stack: UpstreamStack<T>, region: string) => ({
  region,
  apiName: stack.output("apiName"),
  stageName: stack.output("apiStage"),
  functionName: stack.output("lambdaName"),
  healthFunctionName: stack.output("healthLambdaName"),
  clusterIdentifier: stack.output("clusterIdentifier"),
});
const dashboardInput = {
  primary: regionResources(primary, config.primaryRegion),
  dr: regionResources(dr, config.drRegion),
  sessionsTable: { tableName: sessionsTableName },
  apiKeysTable: { tableName: apiKeysTableName },
  bucketReplication,
  healthChecks,
  // apps/dr-region's probe of the primary's /health: its metric lives in the DR region.
  healthProbe: { target: PRIMARY_PROBE_TARGET, region: config.drRegion },
};
const dashboard = new CrossRegionDashboard("dashboard-primary", { namer: primarySide.namer, ...dashboardInput }, { provider: primarySide.provider });
new CrossRegionDashboard("dashboard-dr", { namer: drSide.namer, ...dashboardInput }, { provider: drSide.provider });

const outputs: StackOutputs<GlobalOutputs> = {
  createTimeConfig: ctx.createTimeConfig,
  dnsFailover: config.domain
    ? `enabled: ${config.domain.name}`
    : "disabled: DNS failover needs a custom domain (set payments-dr:domainName and payments-dr:hostedZoneId); health checks, replication and alarms are deployed",
  ...(config.domain && { failoverDomain: config.domain.name }),
  primaryHealthCheckId: primaryHealth.healthCheckId,
  drHealthCheckId: drHealth.healthCheckId,
  dashboardName: dashboard.dashboardName,
  replicationRuleId: replication.ruleId,
  ...(regionSwitchPlan && { regionSwitchPlanArn: regionSwitchPlan.planArn }),
  primaryRegion: primary.output("region"),
  drRegion: dr.output("region"),
  globalClusterId: primary.output("globalClusterId"),
  primaryClusterArn: primary.output("clusterArn"),
  drClusterArn: dr.output("clusterArn"),
  primaryBucketName: primary.output("bucketName"),
  drBucketName: dr.output("bucketName"),
  sessionsTableName,
};
export = outputs;
