// The DR region: a warm standby. Its Aurora cluster is a read-only secondary of the global
// database until an operator moves the primary role here (outside Pulumi, see the runbook);
// its API is deployed and healthy all along, so DNS can fail over to it at any moment.
import * as pulumi from "@pulumi/pulumi";
import { AuroraSecondaryCluster, memberClusterSettings } from "@payments-dr/aurora";
import {
  checkDrServingCapacity,
  checkWriterConnectionsOfPair,
  ConfigReader,
  DR_BELOW_PRIMARY_KEY,
  loadApiConfig,
  loadRegionalConfig,
  StackContext,
  UpstreamStack,
  type DrRegionOutputs,
  type PrimaryRegionOutputs,
  type StackOutputs,
  servingCapacity,
  writerConnectionShare,
} from "@payments-dr/conventions";
import { FAILOVER_TIMING } from "@payments-dr/failover";
import { AlertTopic, loadAlarmThresholds } from "@payments-dr/monitoring";
import { RegionalNetwork } from "@payments-dr/network";
import { artifactPath, PAYMENT_LAMBDA_ARTIFACTS, PRIMARY_PROBE_TARGET } from "@payments-dr/payment-lambda";
import { apiNetwork, HealthProbe, RegionalPaymentsApi } from "@payments-dr/serverless-api";
import { RegionalKey, SecureBucket } from "@payments-dr/storage";
import { guardValidationRecordUpgrade } from "./validation-record-upgrade";

// Config: validated before any resource exists.
const ctx = new StackContext();
const { config } = ctx;
const settings = loadRegionalConfig("dr", config);
const apiSettings = loadApiConfig(settings);
const thresholds = loadAlarmThresholds(settings);
const primary = new UpstreamStack<PrimaryRegionOutputs>("primary-region", config.primaryStack);
ctx.fixAtCreation({ vpcCidr: settings.vpcCidr });
// The writer connections of the pair as it is (the primary's functions and writer against this region's).
ctx.checkBeforeResources(primary.outputIfDeployed("writerConnections").apply((share) => checkWriterConnectionsOfPair(share, writerConnectionShare(apiSettings))));
// A failover sends this region all of the primary's traffic: it may not be smaller, unless deliberately.
const drBelowPrimary = new ConfigReader().boolean(DR_BELOW_PRIMARY_KEY, false);
ctx.checkBeforeResources(primary.outputIfDeployed("servingCapacity").apply((capacity) => checkDrServingCapacity(capacity, servingCapacity(settings, apiSettings), drBelowPrimary)));
// A stack deployed with a domain before primary-region owned the validation record still holds it: refused unless migrating.
guardValidationRecordUpgrade(ctx);

// Provider: this region only. Nothing here calls the primary region's APIs.
const here = ctx.region(settings.region);

// A kept final snapshot is encrypted with this key: the key outlives the stack with it.
const key = new RegionalKey(
  "key",
  { namer: here.namer, description: "payments-dr DR region data", deletionProtection: config.deletionProtection, retainOnDelete: !config.skipFinalSnapshot },
  { provider: here.provider },
);

// Every log group: encrypted with this region's key, kept for the configured retention.
const logs = { kmsKeyArn: key.keyArn, retentionDays: config.logRetentionDays };
const network = new RegionalNetwork("network", { namer: here.namer, cidrBlock: settings.vpcCidr, flowLogs: logs }, { provider: here.provider });

// Aurora: the secondary member of the primary stack's global cluster, created only once the
// primary writer instance exists (its id comes from the primary stack's outputs).
const database = new AuroraSecondaryCluster(
  "aurora",
  {
    namer: here.namer,
    globalClusterId: primary.output("globalClusterId"),
    engineVersion: primary.output("engineVersion"),
    sourceRegion: config.primaryRegion,
    primaryWriterInstanceId: primary.output("writerInstanceId"),
    subnetIds: network.privateSubnetIds,
    securityGroupId: network.databaseSecurityGroupId,
    kmsKeyArn: key.keyArn,
    ...memberClusterSettings(settings.database, config),
  },
  { provider: here.provider },
);

// The replication target of the primary bucket (the replication rule lives in the global stack).
const bucket = new SecureBucket(
  "replica",
  { namer: here.namer, role: "data", kmsKeyArn: key.keyArn, forceDestroy: !config.deletionProtection },
  { provider: here.provider },
);
const alerts = new AlertTopic("alerts", { namer: here.namer, kmsKeyArn: key.keyArn, email: config.alertEmail }, { provider: here.provider });

// /health's own role (the heartbeat row only). Against a primary deployed before that role (no
// dbHealthSecretName) the app role's, with a warning: the DR /health only reads, which the app role
// may, and refusing would keep this stack from deploying during an outage of the primary's region.
const healthSecretName = pulumi.all([primary.outputIfDeployed("dbHealthSecretName"), primary.output("dbAppSecretName")]).apply(([health, app]) => {
  if (health !== undefined) return health;
  pulumi.log.warn("primary-region exports no dbHealthSecretName (it was deployed before /health had a role of its own): /health here connects as the app role. Deploy primary-region, then this stack again.");
  return app;
});

// The same payments API as the primary region's. The secret and the sessions table here are the
// primary stack's replicas, encrypted with its replica key; REGION_ROLE=dr makes /health report
// healthy while the database is a read-only secondary, which it reads through its reader endpoint
// (regionalEndpoint: a secondary's cluster endpoint is inactive). Its certificate relies on the validation
// record the primary stack owns: destroying this stack never deletes it.
const api = new RegionalPaymentsApi(
  "api",
  {
    namer: here.namer,
    regionRole: "dr",
    network: apiNetwork(network),
    database: {
      // The function roles' secrets (their replicas here): the functions never connect as the master user.
      secretName: primary.output("dbAppSecretName"),
      healthSecretName,
      writerHost: primary.output("globalWriterEndpoint"),
      clusterEndpoint: database.clusterEndpoint,
      readerEndpoint: database.readerEndpoint,
      clusterIdentifier: database.clusterIdentifier,
    },
    sessionsTableName: primary.output("sessionsTableName"),
    apiKeysTableName: primary.output("apiKeysTableName"),
    kmsKeyArns: [primary.output("drReplicaKeyArn")],
    logs,
    api: apiSettings,
    alertTopicArn: alerts.topicArn,
    thresholds,
    domain: config.domain && { ...config.domain, validationRecord: { mode: "existing", record: primary.output("certificateValidationRecord") } },
  },
  { provider: here.provider },
);

// The primary's /health, probed from here: Route 53's health-check metrics (and so its alarm)
// exist only in us-east-1, and would stay silent in an outage of all of it. Judged as Route 53
// judges (interval, failures in a row), paging through this region's topic.
new HealthProbe(
  "primary-probe",
  {
    namer: here.namer,
    code: artifactPath(PAYMENT_LAMBDA_ARTIFACTS.probeDir),
    target: { label: PRIMARY_PROBE_TARGET, healthUrl: primary.output("healthUrl") },
    logs,
    alarmTopicArn: alerts.topicArn,
    intervalSeconds: FAILOVER_TIMING.requestIntervalSeconds,
    failuresToAlarm: FAILOVER_TIMING.failureThreshold,
  },
  { provider: here.provider },
);

const outputs: StackOutputs<DrRegionOutputs> = {
  createTimeConfig: ctx.createTimeConfig,
  region: settings.region,
  vpcId: network.vpcId,
  clusterArn: database.clusterArn,
  clusterIdentifier: database.clusterIdentifier,
  clusterEndpoint: database.clusterEndpoint,
  readerEndpoint: database.readerEndpoint,
  kmsKeyArn: key.keyArn,
  bucketName: bucket.bucketName,
  bucketArn: bucket.bucketArn,
  bucketVersioningStatus: bucket.versioningStatus,
  alertTopicArn: alerts.topicArn,
  ...api.stackOutputs(),
};
export = outputs;
