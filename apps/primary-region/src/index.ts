// The primary region: where payments are written. It owns the Aurora global database and
// the replicated resources whose copies live in the DR region (secret replica, sessions table
// replica, the replica of its KMS key), so the DR stack never has to touch this region.
import * as pulumi from "@pulumi/pulumi";
import { AuroraGlobalCluster, AuroraPrimaryCluster, memberClusterSettings } from "@payments-dr/aurora";
import { loadApiConfig, loadRegionalConfig, servingCapacity, StackContext, writerConnectionShare, type PrimaryRegionOutputs, type StackOutputs } from "@payments-dr/conventions";
import { AlertTopic, loadAlarmThresholds } from "@payments-dr/monitoring";
import { RegionalNetwork } from "@payments-dr/network";
import { artifactPath, migrationsHash, PAYMENT_LAMBDA_ARTIFACTS } from "@payments-dr/payment-lambda";
import { apiNetwork, DatabaseMigration, functionNetwork, RegionalPaymentsApi } from "@payments-dr/serverless-api";
import { ApiKeysTable, RegionalKey, RegionalKeyReplica, SecureBucket, SessionsTable } from "@payments-dr/storage";
import { healthStillOnAppRole } from "./health-role-upgrade";

// Config: validated before any resource exists.
const ctx = new StackContext();
const { config } = ctx;
const settings = loadRegionalConfig("primary", config);
const apiSettings = loadApiConfig(settings);
const thresholds = loadAlarmThresholds(settings);
ctx.fixAtCreation({ vpcCidr: settings.vpcCidr });

// Providers: this region, and the DR region for the replicas this stack owns there.
const here = ctx.region(settings.region);
const drSide = ctx.region(config.drRegion);

// Keys: a multi-region key, replicated to the DR region for the replicated data.
const { deletionProtection } = config;
// A kept final snapshot is encrypted with this key: the key outlives the stack with it.
const key = new RegionalKey(
  "key",
  { namer: here.namer, description: "payments-dr primary region data", multiRegion: true, deletionProtection, retainOnDelete: !config.skipFinalSnapshot },
  { provider: here.provider },
);
const drReplicaKey = new RegionalKeyReplica(
  "key-replica",
  { namer: drSide.namer, primaryKeyArn: key.keyArn, description: "payments-dr replicated data in the DR region", deletionProtection },
  { provider: drSide.provider },
);

// Every log group: encrypted with this region's key, kept for the configured retention.
const logs = { kmsKeyArn: key.keyArn, retentionDays: config.logRetentionDays };
const network = new RegionalNetwork("network", { namer: here.namer, cidrBlock: settings.vpcCidr, flowLogs: logs }, { provider: here.provider });

// Aurora: global cluster → primary cluster (writer + readers).
const globalCluster = new AuroraGlobalCluster(
  "aurora-global",
  { namer: here.namer, engineVersion: settings.database.engineVersion, deletionProtection: config.deletionProtection },
  { provider: here.provider },
);
const database = new AuroraPrimaryCluster(
  "aurora",
  {
    namer: here.namer,
    globalCluster,
    subnetIds: network.privateSubnetIds,
    securityGroupId: network.databaseSecurityGroupId,
    kmsKeyArn: key.keyArn,
    ...memberClusterSettings(settings.database, config),
    credentialsReplica: { region: config.drRegion, kmsKeyArn: drReplicaKey.keyArn },
    passwordRotations: settings.database.passwordRotations,
  },
  { provider: here.provider },
);

const sessions = new SessionsTable(
  "sessions",
  { namer: here.namer, kmsKeyArn: key.keyArn, replica: { region: config.drRegion, kmsKeyArn: drReplicaKey.keyArn }, deletionProtection: config.deletionProtection },
  { provider: here.provider },
);
// The merchants' API keys: each region's authorizer reads its own replica.
const apiKeys = new ApiKeysTable(
  "api-keys",
  {
    namer: here.namer,
    kmsKeyArn: key.keyArn,
    replica: { region: config.drRegion, kmsKeyArn: drReplicaKey.keyArn },
    deletionProtection: config.deletionProtection,
  },
  { provider: here.provider },
);
const bucket = new SecureBucket(
  "data",
  { namer: here.namer, role: "data", kmsKeyArn: key.keyArn, forceDestroy: !config.deletionProtection },
  { provider: here.provider },
);
const alerts = new AlertTopic("alerts", { namer: here.namer, kmsKeyArn: key.keyArn, email: config.alertEmail }, { provider: here.provider });

// The migrations and the payments API write through the global writer endpoint; the API reads
// where regionalEndpoint says (here, this region's cluster endpoint: /health must reach the writer).
// The payment functions connect as the app role (rows of their tables only), /health as the health
// role (the heartbeat row only); the migrate function as the master user, who owns the schema,
// and it gives both roles their passwords.
const migrations = new DatabaseMigration(
  "migrations",
  {
    namer: here.namer,
    code: artifactPath(PAYMENT_LAMBDA_ARTIFACTS.migrateDir),
    network: functionNetwork(network),
    // The migrate function only writes: its reader connection is never opened.
    database: { secretName: database.secretName, writerHost: globalCluster.endpoint, readerHost: database.clusterEndpoint },
    rolePasswords: database.rolePasswords,
    keepAppHeartbeat: healthStillOnAppRole(ctx),
    kmsKeyArns: [key.keyArn],
    logs,
    migrationsHash: migrationsHash(artifactPath(PAYMENT_LAMBDA_ARTIFACTS.sourceMigrationsDir)),
    // The network too: the run reaches the database and Secrets Manager through its security-group
    // rules and endpoints, which an update may replace in the same run as a migrations change.
    runAfter: [...database.writerReady, network],
  },
  { provider: here.provider },
);
// Each role's secret holds a new password only once this deploy's migrations made the role and
// gave it that password, and the functions take the secret's name only then.
const roleSecretNames = database.writeRoleSecrets(migrations);
const api = new RegionalPaymentsApi(
  "api",
  {
    namer: here.namer,
    regionRole: "primary",
    network: apiNetwork(network),
    database: {
      secretName: roleSecretNames.app,
      healthSecretName: roleSecretNames.health,
      writerHost: globalCluster.endpoint,
      clusterEndpoint: database.clusterEndpoint,
      readerEndpoint: database.readerEndpoint,
      clusterIdentifier: database.clusterIdentifier,
    },
    sessionsTableName: sessions.tableName,
    apiKeysTableName: apiKeys.tableName,
    kmsKeyArns: [key.keyArn],
    logs,
    api: apiSettings,
    alertTopicArn: alerts.topicArn,
    thresholds,
    domain: config.domain,
  },
  { provider: here.provider },
);

const apiOutputs = api.stackOutputs();
const outputs: StackOutputs<PrimaryRegionOutputs> = {
  createTimeConfig: ctx.createTimeConfig,
  region: settings.region,
  vpcId: network.vpcId,
  globalClusterId: globalCluster.globalClusterId,
  globalWriterEndpoint: globalCluster.endpoint,
  engineVersion: globalCluster.engineVersion,
  clusterArn: database.clusterArn,
  clusterIdentifier: database.clusterIdentifier,
  clusterEndpoint: database.clusterEndpoint,
  readerEndpoint: database.readerEndpoint,
  writerInstanceId: database.writerInstanceId,
  dbSecretArn: database.secretArn,
  dbSecretName: database.secretName,
  dbAppSecretArn: database.roleSecrets.app.arn,
  dbAppSecretName: database.roleSecrets.app.name,
  dbHealthSecretArn: database.roleSecrets.health.arn,
  // Recorded once /health's function runs with it: the next migrate run may then take the app role's heartbeat grant away.
  dbHealthSecretName: pulumi.all([database.roleSecrets.health.name, apiOutputs.healthLambdaName]).apply(([name]) => name),
  kmsKeyArn: key.keyArn,
  drReplicaKeyArn: drReplicaKey.keyArn,
  writerConnections: writerConnectionShare(apiSettings),
  servingCapacity: servingCapacity(settings, apiSettings),
  sessionsTableName: sessions.tableName,
  apiKeysTableName: apiKeys.tableName,
  bucketName: bucket.bucketName,
  bucketArn: bucket.bucketArn,
  bucketVersioningStatus: bucket.versioningStatus,
  alertTopicArn: alerts.topicArn,
  ...apiOutputs,
};
export = outputs;
