import type { DrRegionOutputs, PrimaryRegionOutputs } from "@payments-dr/conventions";
import { FAKE_ACCOUNT_ID } from "./fake-cloud";

/**
 * Outputs of deployed regional stacks, typed by their contracts: a test of a downstream stack
 * reads these instead of running the upstream program, and a renamed output breaks the build.
 */
export const primaryRegionOutputs: PrimaryRegionOutputs = {
  createTimeConfig: { environmentSuffix: "dev", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" },
  region: "us-east-1",
  vpcId: "vpc-0primary",
  globalClusterId: "payments-dr-aurora-dev",
  globalWriterEndpoint: "payments-dr-aurora-dev.global-abcdefgh.global.rds.amazonaws.com",
  // Not the config's default (16.6): a DR stack that took its own config's version instead of this output would show.
  engineVersion: "16.8",
  clusterArn: `arn:aws:rds:us-east-1:${FAKE_ACCOUNT_ID}:cluster:payments-dr-aurora-use1-dev`,
  clusterIdentifier: "payments-dr-aurora-use1-dev",
  clusterEndpoint: "payments-dr-aurora-use1-dev.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
  readerEndpoint: "payments-dr-aurora-use1-dev.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com",
  writerInstanceId: "payments-dr-aurora-1-use1-dev",
  dbSecretArn: `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT_ID}:secret:payments-dr-aurora-master-dev-AbCdEf`,
  dbSecretName: "payments-dr-aurora-master-dev",
  dbAppSecretArn: `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT_ID}:secret:payments-dr-aurora-app-dev-GhIjKl`,
  dbAppSecretName: "payments-dr-aurora-app-dev",
  kmsKeyArn: `arn:aws:kms:us-east-1:${FAKE_ACCOUNT_ID}:key/mrk-primary`,
  drReplicaKeyArn: `arn:aws:kms:us-east-2:${FAKE_ACCOUNT_ID}:key/mrk-primary`,
  writerConnections: { apiReservedConcurrency: 50, healthReservedConcurrency: 5, writerConnectionBudget: 901 },
  sessionsTableName: "payments-dr-sessions-dev",
  apiKeysTableName: "payments-dr-api-keys-dev",
  bucketName: `payments-dr-data-use1-${FAKE_ACCOUNT_ID}-dev`,
  bucketArn: `arn:aws:s3:::payments-dr-data-use1-${FAKE_ACCOUNT_ID}-dev`,
  bucketVersioningStatus: "Enabled",
  alertTopicArn: `arn:aws:sns:us-east-1:${FAKE_ACCOUNT_ID}:payments-dr-alerts-use1-dev`,
  apiId: "a1b2c3d4e5",
  apiName: "payments-dr-api-use1-dev",
  apiUrl: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1",
  apiStage: "v1",
  healthUrl: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1/health",
  healthCheckToken: "fixturePrimaryHealthCheckToken01",
  lambdaName: "payments-dr-api-use1-dev",
  healthLambdaName: "payments-dr-health-use1-dev",
  usagePlanId: "u1a2b3",
  webAclArn: `arn:aws:wafv2:us-east-1:${FAKE_ACCOUNT_ID}:regional/webacl/payments-dr-api-acl-use1-dev/0a1b2c3d`,
};

export const drRegionOutputs: DrRegionOutputs = {
  createTimeConfig: { environmentSuffix: "dev", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.1.0.0/16" },
  region: "us-east-2",
  vpcId: "vpc-0dr",
  clusterArn: `arn:aws:rds:us-east-2:${FAKE_ACCOUNT_ID}:cluster:payments-dr-aurora-use2-dev`,
  clusterIdentifier: "payments-dr-aurora-use2-dev",
  clusterEndpoint: "payments-dr-aurora-use2-dev.cluster-abcdefghijkl.us-east-2.rds.amazonaws.com",
  readerEndpoint: "payments-dr-aurora-use2-dev.cluster-ro-abcdefghijkl.us-east-2.rds.amazonaws.com",
  kmsKeyArn: `arn:aws:kms:us-east-2:${FAKE_ACCOUNT_ID}:key/dr`,
  bucketName: `payments-dr-data-use2-${FAKE_ACCOUNT_ID}-dev`,
  bucketArn: `arn:aws:s3:::payments-dr-data-use2-${FAKE_ACCOUNT_ID}-dev`,
  bucketVersioningStatus: "Enabled",
  alertTopicArn: `arn:aws:sns:us-east-2:${FAKE_ACCOUNT_ID}:payments-dr-alerts-use2-dev`,
  apiId: "f6a7b8c9d0",
  apiName: "payments-dr-api-use2-dev",
  apiUrl: "https://f6a7b8c9d0.execute-api.us-east-2.amazonaws.com/v1",
  apiStage: "v1",
  healthUrl: "https://f6a7b8c9d0.execute-api.us-east-2.amazonaws.com/v1/health",
  healthCheckToken: "fixtureDrHealthCheckToken0123456",
  lambdaName: "payments-dr-api-use2-dev",
  healthLambdaName: "payments-dr-health-use2-dev",
  usagePlanId: "u4d5e6",
  webAclArn: `arn:aws:wafv2:us-east-2:${FAKE_ACCOUNT_ID}:regional/webacl/payments-dr-api-acl-use2-dev/4e5f6a7b`,
};
