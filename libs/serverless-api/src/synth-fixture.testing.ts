// The regional stack of the tests: an explicit provider with the stack's default tags, a namer,
// and the arguments a regional app passes (the network, database and keys it owns).
import type { RegionScope, ResourceNamer } from "@payments-dr/conventions";
import { FAKE_ACCOUNT_ID, type Plan, stackRegion, synthesize } from "@payments-dr/synth";
import type { ServerlessApiArgs } from "./api-args";

export const SUFFIX = "qa7";
export const PRIMARY = "us-east-1";

export const KEY_ARN = `arn:aws:kms:us-east-1:${FAKE_ACCOUNT_ID}:key/mrk-primary`;
export const LOGS_KEY_ARN = `arn:aws:kms:us-east-1:${FAKE_ACCOUNT_ID}:key/logs`;
/** The app role's secret: what the payment functions connect with. */
export const SECRET_NAME = `payments-dr-aurora-app-${SUFFIX}`;
export const HEALTH_SECRET_NAME = `payments-dr-aurora-health-${SUFFIX}`;
/** The master user's secret: the migrate function's only. */
export const MASTER_SECRET_NAME = `payments-dr-aurora-master-${SUFFIX}`;
export const TABLE_NAME = `payments-dr-sessions-${SUFFIX}`;
export const API_KEYS_TABLE_NAME = `payments-dr-api-keys-${SUFFIX}`;
export const WRITER_HOST = `payments-dr-aurora-${SUFFIX}.global-abcdefgh.global.rds.amazonaws.com`;
export const READER_HOST = `payments-dr-aurora-use1-${SUFFIX}.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com`;
export const READER_ENDPOINT = `payments-dr-aurora-use1-${SUFFIX}.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com`;
export const SUBNETS = ["subnet-a", "subnet-b", "subnet-c"];
export const LAMBDA_SG = "sg-lambda";
export const AUTHORIZER_SG = "sg-authorizer";
/** Build outputs that do not exist: the harness never reads assets. */
const MISSING_BUNDLE = "/nonexistent/dist/libs/payment-lambda/api";
const MISSING_AUTHORIZER_BUNDLE = "/nonexistent/dist/libs/payment-lambda/authorizer";

/** The arguments the primary-region app passes to its ServerlessApi. */
export function apiArgs(namer: ResourceNamer, overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return {
    namer,
    regionRole: "primary",
    code: MISSING_BUNDLE,
    network: { subnetIds: SUBNETS, securityGroupId: LAMBDA_SG, authorizerSecurityGroupId: AUTHORIZER_SG },
    database: { secretName: SECRET_NAME, healthSecretName: HEALTH_SECRET_NAME, writerHost: WRITER_HOST, readerHost: READER_HOST },
    sessions: { tableName: TABLE_NAME },
    apiKeys: { tableName: API_KEYS_TABLE_NAME },
    authorizer: { code: MISSING_AUTHORIZER_BUNDLE },
    kmsKeyArns: [KEY_ARN],
    logs: { kmsKeyArn: LOGS_KEY_ARN, retentionDays: 30 },
    reservedConcurrency: 20,
    ...overrides,
  };
}

/** Synthesizes `build` in one region, as its regional stack would run it. */
export function synthInRegion(build: (scope: RegionScope) => Record<string, unknown>, region = PRIMARY, options: { revealSecrets?: boolean } = {}): Promise<Plan> {
  const project = region === PRIMARY ? "primary-region" : "dr-region";
  return synthesize({
    project,
    revealSecrets: options.revealSecrets,
    program: () => build(stackRegion(region, { project, environmentSuffix: SUFFIX })),
  });
}

/** The statements of an IAM policy input. */
export function statementsOf(policyJson: string): { Sid?: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] {
  return JSON.parse(policyJson).Statement;
}
