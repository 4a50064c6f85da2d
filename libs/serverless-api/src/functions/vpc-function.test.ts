import * as aws from "@pulumi/aws";
import { ResourceNamer } from "@payments-dr/conventions";
import { FAKE_ACCOUNT_ID, type Plan } from "@payments-dr/synth";
import { DatabaseMigration, type DatabaseMigrationArgs } from "../jobs/database-migration";
import { IdempotencyKeyCleanup, withCleanupDefaults, type IdempotencyKeyCleanupArgs } from "../jobs/idempotency-key-cleanup";
import { FAKE_INVOCATION_RESULT } from "@payments-dr/synth";
import { MIGRATE_RUN_BUDGET_MS, MIGRATE_SETUP_MARGIN_MS } from "@payments-dr/payment-lambda";
import { ServerlessApi } from "../serverless-api";
import type { ServerlessApiArgs } from "../api-args";
import type { LambdaEnvironment } from "./environment";
import { apiNetwork, functionNetwork } from "./vpc-function";
import {
  API_KEYS_TABLE_NAME,
  apiArgs,
  KEY_ARN,
  AUTHORIZER_SG,
  LAMBDA_SG,
  LOGS_KEY_ARN,
  MASTER_SECRET_NAME,
  READER_ENDPOINT,
  READER_HOST,
  SECRET_NAME,
  statementsOf,
  SUBNETS,
  SUFFIX,
  synthInRegion,
  TABLE_NAME,
  WRITER_HOST,
} from "../synth-fixture.testing";

const FUNCTION = "aws:lambda/function:Function";
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const INVOCATION = "aws:lambda/invocation:Invocation";
const MIGRATIONS_HASH = "3f2a9c";
const APP_PASSWORD = "app-pw-Zq8!x";
const HEALTH_PASSWORD = "health-pw-Zq8!x";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const SCHEDULE_GROUP = "aws:scheduler/scheduleGroup:ScheduleGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ASYNC_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const TOPIC_ARN = `arn:aws:sns:us-east-1:${FAKE_ACCOUNT_ID}:payments-dr-alerts-use1-${SUFFIX}`;

/** The cleanup's arguments as RegionalPaymentsApi passes them in the primary region: this region's cluster endpoint, not the global writer, and its reader endpoint. */
function cleanupArgs(namer: IdempotencyKeyCleanupArgs["namer"], overrides: Partial<IdempotencyKeyCleanupArgs> = {}): IdempotencyKeyCleanupArgs {
  return {
    namer,
    code: "/nonexistent/dist/libs/payment-lambda/cleanup",
    network: { subnetIds: SUBNETS, securityGroupId: LAMBDA_SG },
    secretName: SECRET_NAME,
    endpoint: READER_HOST,
    readerEndpoint: READER_ENDPOINT,
    kmsKeyArns: [KEY_ARN],
    logs: { kmsKeyArn: LOGS_KEY_ARN, retentionDays: 30 },
    alarmTopicArn: TOPIC_ARN,
    ...overrides,
  };
}

/** The migration function's arguments as the primary-region app passes them (master secret, writer through the global endpoint). */
function migrationArgs(namer: ResourceNamer, overrides: Partial<DatabaseMigrationArgs> = {}): DatabaseMigrationArgs {
  return {
    namer,
    code: "/nonexistent/dist/libs/payment-lambda/migrate",
    network: { subnetIds: SUBNETS, securityGroupId: LAMBDA_SG },
    database: { secretName: MASTER_SECRET_NAME, writerHost: WRITER_HOST, readerHost: READER_HOST },
    kmsKeyArns: [KEY_ARN],
    logs: { kmsKeyArn: LOGS_KEY_ARN, retentionDays: 30 },
    migrationsHash: MIGRATIONS_HASH,
    ...overrides,
  };
}

/** The primary region's API and migration, as the primary-region app composes them. */
function synthPrimary(options: { revealSecrets?: boolean } = {}): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const writer = new aws.rds.ClusterInstance("writer", { clusterIdentifier: "c", instanceClass: "db.r6g.large", engine: "aurora-postgresql" }, { provider });
    const api = new ServerlessApi("api", apiArgs(namer), { provider });
    const migration = new DatabaseMigration(
      "migration",
      migrationArgs(namer, { rolePasswords: { app: APP_PASSWORD, health: HEALTH_PASSWORD }, runAfter: [writer] }),
      { provider },
    );
    const cleanup = new IdempotencyKeyCleanup("cleanup", cleanupArgs(namer), { provider });
    return { lambdaName: api.lambdaName, migrationFunction: migration.functionName, migrationResult: migration.result, cleanupFunction: cleanup.functionName };
  }, undefined, options);
}

/** Logical name prefix of each function's resources → its role in physical names. */
const FUNCTIONS = { api: "api", "api-authorizer": "authorizer", migration: "migrate", cleanup: "idem-cleanup" } as const;
type FunctionKey = keyof typeof FUNCTIONS;

describe("the API, health, authorizer, migration and cleanup functions", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthPrimary();
  });

  const accessPolicy = (fn: FunctionKey) => statementsOf(plan.one(POLICY, `${fn}-access`).inputs.policy);
  const statement = (fn: FunctionKey, sid: string) => accessPolicy(fn).find((s) => s.Sid === sid);
  const keysTableArn = `arn:aws:dynamodb:us-east-1:${FAKE_ACCOUNT_ID}:table/${API_KEYS_TABLE_NAME}`;

  it("lets only Lambda, for functions of this account, assume the roles", () => {
    for (const role of Object.keys(FUNCTIONS).map((fn) => `${fn}-role`)) {
      expect(JSON.parse(plan.one(ROLE, role).inputs.assumeRolePolicy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": FAKE_ACCOUNT_ID } },
        },
      ]);
    }
  });

  it("grants no '*' action, and a '*' resource only to X-Ray and the EC2 Describe actions that support nothing narrower", () => {
    for (const fn of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const statements = accessPolicy(fn);
      for (const s of statements) {
        expect([s.Action].flat()).not.toContain("*");
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/:\*$/);
      }
      const wildcard = statements.filter((s) => [s.Resource].flat().includes("*"));
      expect(wildcard.map((s) => s.Sid).sort()).toEqual(["DescribeVpcNetwork", "WriteTraces"]);
      expect(wildcard.flatMap((s) => [s.Action].flat()).sort()).toEqual([
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]);
    }
  });

  it("scopes the log, secret, key and table statements to the exact ARNs in the function's region", () => {
    expect(statement("api", "WriteOwnLogs")).toMatchObject({
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:/aws/lambda/payments-dr-api-use1-${SUFFIX}:*`,
    });
    expect(statement("api", "ReadDatabaseSecret")).toMatchObject({
      Action: "secretsmanager:GetSecretValue",
      Resource: `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT_ID}:secret:${SECRET_NAME}-??????`,
    });
    expect(statement("api", "DecryptDatabaseSecret")).toEqual({
      Sid: "DecryptDatabaseSecret",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [KEY_ARN],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
    expect(statement("api", "UseTableKeys")).toEqual({
      Sid: "UseTableKeys",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
      Resource: [KEY_ARN],
      Condition: { StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } },
    });
    // What the session store calls (GetCommand, PutCommand), nothing more: no UpdateItem it never sends.
    expect(statement("api", "UseSessionsTable")).toMatchObject({
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: `arn:aws:dynamodb:us-east-1:${FAKE_ACCOUNT_ID}:table/${TABLE_NAME}`,
    });
    expect(statement("api", "ManageVpcNetworkInterfaces")).toMatchObject({
      Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: `arn:aws:ec2:us-east-1:${FAKE_ACCOUNT_ID}:*/*`,
    });
  });

  it("lets the API function only record a key's lastUsedAt: UpdateItem of keyId and lastUsedAt on usage items only, nothing returned", () => {
    expect(statement("api", "RecordApiKeyUse")).toEqual({
      Sid: "RecordApiKeyUse",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: keysTableArn,
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:Attributes": ["keyId", "lastUsedAt"] },
        // Never a key's own item (ids of usage items start with "used#"): see usageItemId.
        "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["used#*"] },
        StringEqualsIfExists: { "dynamodb:ReturnValues": "NONE" },
      },
    });
    const onKeysTable = accessPolicy("api").filter((s) => [s.Resource].flat().some((r) => r.includes(`table/${API_KEYS_TABLE_NAME}`)));
    expect(onKeysTable.map((s) => s.Sid)).toEqual(["RecordApiKeyUse"]);
  });

  it("lets the authorizer only read the keys table in its own region: GetItem, no write, scan or query, no secret", () => {
    const statements = accessPolicy("api-authorizer");
    expect(statements.map((s) => s.Sid)).toEqual(["WriteOwnLogs", "DescribeVpcNetwork", "ManageVpcNetworkInterfaces", "UseTableKeys", "ReadApiKeys", "WriteTraces"]);
    expect(statement("api-authorizer", "ReadApiKeys")).toEqual({ Sid: "ReadApiKeys", Effect: "Allow", Action: "dynamodb:GetItem", Resource: keysTableArn });
    expect(statement("api-authorizer", "UseTableKeys")).toEqual({
      Sid: "UseTableKeys",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: [KEY_ARN],
      Condition: { StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } },
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual(["dynamodb:GetItem"]);
    expect(actions.filter((a) => a.startsWith("secretsmanager:"))).toEqual([]);
    expect(statements.flatMap((s) => [s.Resource].flat()).filter((r) => r.includes(":dynamodb:"))).toEqual([keysTableArn]);
  });

  it("lets the migration read the master's secret only (the app role's password comes in its input), and the other functions the app role's only", () => {
    const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT_ID}:secret:${name}-??????`;
    expect(statement("migration", "ReadDatabaseSecret")?.Resource).toBe(secretArn(MASTER_SECRET_NAME));
    for (const fn of ["api", "cleanup"] as const) expect(statement(fn, "ReadDatabaseSecret")?.Resource).toBe(secretArn(SECRET_NAME));
    const variables = plan.one(FUNCTION, "migration-function").inputs.environment.variables;
    expect(variables).toMatchObject({ DB_SECRET_ID: MASTER_SECRET_NAME });
    expect(Object.keys(variables).filter((name) => name.includes("SECRET"))).toEqual(["DB_SECRET_ID"]);
  });

  it("gives the migration no table and no data-key generation: it only reads the secret", () => {
    expect(statement("migration", "UseSessionsTable")).toBeUndefined();
    expect(statement("migration", "UseTableKeys")).toBeUndefined();
    expect(statement("migration", "DecryptDatabaseSecret")).toMatchObject({
      Action: "kms:Decrypt",
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
    expect(statement("migration", "WriteOwnLogs")?.Resource).toBe(`arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:/aws/lambda/payments-dr-migrate-use1-${SUFFIX}:*`);
  });

  it("encrypts every function's environment variables with the region's key, not Lambda's AWS-managed one", () => {
    expect(plan.ofType(FUNCTION)).toHaveLength(5);
    for (const fn of plan.ofType(FUNCTION)) expect([fn.name, fn.inputs.kmsKeyArn]).toEqual([fn.name, LOGS_KEY_ARN]);
  });

  it("creates each function's log group, KMS-encrypted with retention, before the function, and attaches the policy first", () => {
    for (const [fnKey, physical] of Object.entries(FUNCTIONS)) {
      const fn = plan.one(FUNCTION, `${fnKey}-function`);
      expect(plan.one(LOG_GROUP, `${fnKey}-logs`).inputs).toEqual({ name: `/aws/lambda/payments-dr-${physical}-use1-${SUFFIX}`, kmsKeyId: LOGS_KEY_ARN, retentionInDays: 30 });
      expect(fn.inputs.loggingConfig).toEqual({ logFormat: "JSON", applicationLogLevel: "INFO", logGroup: `/aws/lambda/${fn.inputs.name}` });
      expect(fn.options.dependsOn).toEqual([`${fnKey}-logs`, `${fnKey}-access`]);
    }
  });

  it("runs every function in the VPC's private subnets, with the Lambda security group but the authorizer, which has its own (no path to the database)", () => {
    expect(plan.ofType(FUNCTION)).toHaveLength(5);
    for (const fn of plan.ofType(FUNCTION)) {
      const group = fn.name === "api-authorizer-function" ? AUTHORIZER_SG : LAMBDA_SG;
      expect(fn.inputs.vpcConfig).toEqual({ subnetIds: SUBNETS, securityGroupIds: [group] });
    }
  });

  it("runs Node.js 22 on arm64 with active tracing and the API's timeout, memory and reserved concurrency", () => {
    expect(plan.one(FUNCTION, "api-function").inputs).toMatchObject({
      name: `payments-dr-api-use1-${SUFFIX}`,
      role: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-api-use1-${SUFFIX}`,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memorySize: 512,
      timeout: 10,
      reservedConcurrentExecutions: 20,
      tracingConfig: { mode: "Active" },
    });
  });

  it("takes a bundle directory as a FileArchive: synth never reads it, so it need not exist", () => {
    expect(plan.one(FUNCTION, "api-function").inputs.code).toEqual({ archive: { path: "/nonexistent/dist/libs/payment-lambda/api" } });
    expect(plan.one(FUNCTION, "migration-function").inputs.code).toEqual({ archive: { path: "/nonexistent/dist/libs/payment-lambda/migrate" } });
  });

  it("sets the environment the handler's config loader reads", () => {
    expect(plan.one(FUNCTION, "api-function").inputs.environment.variables).toEqual({
      REGION_ROLE: "primary",
      DB_SECRET_ID: SECRET_NAME,
      DB_WRITER_HOST: WRITER_HOST,
      DB_READER_HOST: READER_HOST,
      DB_CONNECT_TIMEOUT_MS: "3000",
      DB_STATEMENT_TIMEOUT_MS: "5000",
      SESSIONS_TABLE: TABLE_NAME,
      API_KEYS_TABLE: API_KEYS_TABLE_NAME,
      POWERTOOLS_SERVICE_NAME: "payments-api",
      POWERTOOLS_METRICS_NAMESPACE: "PaymentsDr",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
    expect(plan.one(FUNCTION, "migration-function").inputs.environment.variables).toMatchObject({
      REGION_ROLE: "primary",
      DB_WRITER_HOST: WRITER_HOST,
      DB_STATEMENT_TIMEOUT_MS: "5000",
      POWERTOOLS_SERVICE_NAME: "payments-migrate",
    });
    expect(plan.one(FUNCTION, "migration-function").inputs.environment.variables.SESSIONS_TABLE).toBeUndefined();
    expect(plan.one(FUNCTION, "api-authorizer-function").inputs.environment.variables).toEqual({
      API_KEYS_TABLE: API_KEYS_TABLE_NAME,
      POWERTOOLS_SERVICE_NAME: "payments-authorizer",
      POWERTOOLS_METRICS_NAMESPACE: "PaymentsDr",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
  });

  it("sets only variables the functions read: a misspelled one fails the typecheck, not a cold start", () => {
    // @ts-expect-error DB_WRITER_HOSTNAME is not in libs/payment-lambda's PaymentLambdaEnvironment.
    const misspelled: LambdaEnvironment = { DB_WRITER_HOSTNAME: WRITER_HOST };
    expect(Object.keys(misspelled)).toEqual(["DB_WRITER_HOSTNAME"]);
  });

  it("runs the authorizer small and short, with the API's reserved concurrency (one authorizer call per request at most)", () => {
    expect(plan.one(FUNCTION, "api-authorizer-function").inputs).toMatchObject({
      name: `payments-dr-authorizer-use1-${SUFFIX}`,
      role: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-authorizer-use1-${SUFFIX}`,
      runtime: "nodejs22.x",
      handler: "index.handler",
      memorySize: 256,
      timeout: 5,
      reservedConcurrentExecutions: 20,
      tracingConfig: { mode: "Active" },
    });
  });

  it("runs one migration at a time, for up to 6 minutes", () => {
    expect(plan.one(FUNCTION, "migration-function").inputs).toMatchObject({
      name: `payments-dr-migrate-use1-${SUFFIX}`,
      reservedConcurrentExecutions: 1,
      timeout: 360,
      runtime: "nodejs22.x",
    });
  });

  it("invokes the migration on deploy, again whenever the migrations or a function role's password change, after what it must wait for; the passwords' input is a secret", async () => {
    const run = plan.one(INVOCATION);
    expect(run.inputs).toEqual({
      functionName: `payments-dr-migrate-use1-${SUFFIX}`,
      // CREATE_ONLY invokes again when the input changes: a new password.
      input: "[secret]",
      lifecycleScope: "CREATE_ONLY",
      triggers: { migrations: MIGRATIONS_HASH },
    });
    const revealed = (await synthPrimary({ revealSecrets: true })).one(INVOCATION);
    expect(revealed.inputs.input).toEqual({ "[secret]": JSON.stringify({ migrationsHash: MIGRATIONS_HASH, appPassword: APP_PASSWORD, healthPassword: HEALTH_PASSWORD }) });
    expect(plan.allStrings().join("\n")).not.toContain(APP_PASSWORD);
    expect(plan.allStrings().join("\n")).not.toContain(HEALTH_PASSWORD);
    expect(run.options.dependsOn).toEqual(["writer"]);
    expect(plan.outputs).toMatchObject({ migrationFunction: `payments-dr-migrate-use1-${SUFFIX}`, migrationResult: FAKE_INVOCATION_RESULT });
  });

  it("parents the migration's resources to its component, tagged by the provider only", () => {
    const own = plan.resources.filter((r) => r.custom && r.name.startsWith("migration-"));
    expect(own.map((r) => r.type).sort()).toEqual([LOG_GROUP, ROLE, POLICY, INVOCATION, FUNCTION].sort());
    for (const resource of own) {
      expect(resource).toMatchObject({ parent: "migration", provider: "us-east-1" });
      expect(resource.inputs.tags).toBeUndefined();
    }
    expect(plan.one("payments-dr:serverless-api:DatabaseMigration")).toMatchObject({ name: "migration", parent: null });
  });

  it("runs one cleanup at a time, small, for a minute, against this region's cluster endpoint (not the global writer)", () => {
    const fn = plan.one(FUNCTION, "cleanup-function");
    expect(fn.inputs).toMatchObject({
      name: `payments-dr-idem-cleanup-use1-${SUFFIX}`,
      role: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-idem-cleanup-use1-${SUFFIX}`,
      runtime: "nodejs22.x",
      handler: "index.handler",
      memorySize: 256,
      timeout: 60,
      reservedConcurrentExecutions: 1,
      code: { archive: { path: "/nonexistent/dist/libs/payment-lambda/cleanup" } },
    });
    expect(fn.inputs.environment.variables).toEqual({
      DB_SECRET_ID: SECRET_NAME,
      DB_WRITER_HOST: READER_HOST,
      DB_READER_HOST: READER_ENDPOINT,
      DB_CONNECT_TIMEOUT_MS: "3000",
      DB_STATEMENT_TIMEOUT_MS: "5000",
      POWERTOOLS_SERVICE_NAME: "payments-cleanup",
      POWERTOOLS_METRICS_NAMESPACE: "PaymentsDr",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
    expect(plan.outputs.cleanupFunction).toBe(`payments-dr-idem-cleanup-use1-${SUFFIX}`);
  });

  it("lets the cleanup read only its secret: no table, no data key", () => {
    expect(accessPolicy("cleanup").map((s) => s.Sid)).toEqual([
      "WriteOwnLogs",
      "DescribeVpcNetwork",
      "ManageVpcNetworkInterfaces",
      "ReadDatabaseSecret",
      "DecryptDatabaseSecret",
      "WriteTraces",
    ]);
    expect(statement("cleanup", "ReadDatabaseSecret")?.Resource).toBe(`arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT_ID}:secret:${SECRET_NAME}-??????`);
    expect(statement("cleanup", "DecryptDatabaseSecret")).toMatchObject({ Resource: [KEY_ARN], Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } });
  });

  it("runs the cleanup hourly through EventBridge Scheduler: no flexible window, few delivery retries, after its role may invoke", () => {
    const schedule = plan.one(SCHEDULE, "cleanup-schedule");
    expect(schedule.inputs).toMatchObject({
      name: `payments-dr-idem-cleanup-use1-${SUFFIX}`,
      scheduleExpression: "rate(1 hour)",
      flexibleTimeWindow: { mode: "OFF" },
      groupName: `payments-dr-idem-cleanup-use1-${SUFFIX}`,
      target: {
        roleArn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-idem-cleanup-sched-use1-${SUFFIX}`,
        input: "{}",
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 900 },
      },
    });
    expect(schedule.inputs.target.arn).toContain(`payments-dr-idem-cleanup-use1-${SUFFIX}`);
    expect(schedule.options.dependsOn).toEqual(["cleanup-scheduler-invoke", "cleanup-async"]);
    // Lambda's own async retries would rerun a failed cleanup twice; the next hour does instead.
    expect(plan.one(ASYNC_CONFIG, "cleanup-async").inputs).toEqual({
      functionName: `payments-dr-idem-cleanup-use1-${SUFFIX}`,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 900,
    });
  });

  it("lets only the cleanup's own schedule group assume the scheduler role (AWS refuses a schedule ARN there), and the role only invoke the cleanup function", () => {
    expect(plan.one(SCHEDULE_GROUP, "cleanup-schedule-group").inputs).toEqual({ name: `payments-dr-idem-cleanup-use1-${SUFFIX}` });
    const scheduleArn = `arn:aws:scheduler:us-east-1:${FAKE_ACCOUNT_ID}:schedule-group/payments-dr-idem-cleanup-use1-${SUFFIX}`;
    expect(JSON.parse(plan.one(ROLE, "cleanup-scheduler-role").inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": FAKE_ACCOUNT_ID, "aws:SourceArn": scheduleArn } },
      },
    ]);
    const invoke = statementsOf(plan.one(POLICY, "cleanup-scheduler-invoke").inputs.policy);
    expect(invoke).toEqual([{ Sid: "InvokeFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: plan.one(SCHEDULE, "cleanup-schedule").inputs.target.arn }]);
    expect(invoke[0]!.Resource).not.toContain("*");
  });

  it("alarms per hour on any cleanup error (until a run succeeds), when it has not run for two hours, and when it is three hours behind", () => {
    expect(plan.one(ALARM, "cleanup-errors-alarm").inputs).toMatchObject({
      name: `payments-dr-idem-cleanup-errors-alarm-use1-${SUFFIX}`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: `payments-dr-idem-cleanup-use1-${SUFFIX}` },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      period: 3600,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC_ARN],
      okActions: [TOPIC_ARN],
    });
    expect(plan.one(ALARM, "cleanup-not-running-alarm").inputs).toMatchObject({
      name: `payments-dr-idem-cleanup-not-running-alarm-use1-${SUFFIX}`,
      metricName: "Invocations",
      dimensions: { FunctionName: `payments-dr-idem-cleanup-use1-${SUFFIX}` },
      statistic: "Sum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      period: 3600,
      evaluationPeriods: 2,
      // No invocation, no datapoint: that is the failure.
      treatMissingData: "breaching",
    });
    // The function's own reading (libs/payment-lambda's CLEANUP_BACKLOG_METRIC), by the function's name alone.
    expect(plan.one(ALARM, "cleanup-behind-alarm").inputs).toMatchObject({
      name: `payments-dr-idem-cleanup-behind-alarm-use1-${SUFFIX}`,
      namespace: "PaymentsDr",
      metricName: "IdempotencyKeyBacklogAge",
      dimensions: { FunctionName: `payments-dr-idem-cleanup-use1-${SUFFIX}` },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 3 * 3600,
      period: 3600,
      evaluationPeriods: 1,
      // The DR region skips and reports nothing; a failed run is the errors alarm's.
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC_ARN],
    });
  });


  it("parents the cleanup's resources to its component, tagged by the provider only", () => {
    const own = plan.resources.filter((r) => r.custom && r.name.startsWith("cleanup-"));
    expect(own.map((r) => r.type).sort()).toEqual([LOG_GROUP, ROLE, POLICY, FUNCTION, ASYNC_CONFIG, SCHEDULE_GROUP, ROLE, POLICY, SCHEDULE, ALARM, ALARM, ALARM].sort());
    for (const resource of own) {
      expect(resource).toMatchObject({ parent: "cleanup", provider: "us-east-1" });
      expect(resource.inputs.tags).toBeUndefined();
    }
  });

  it("reads the DR region's copy of the secret and tables from the DR functions, and says it is DR", async () => {
    const dr = await synthInRegion(({ provider, namer }) => {
      const api = new ServerlessApi("api", apiArgs(namer, { regionRole: "dr" }), { provider });
      return { lambdaName: api.lambdaName };
    }, "us-east-2");
    const statements = statementsOf(dr.one(POLICY, "api-access").inputs.policy);
    expect(statements.find((s) => s.Sid === "ReadDatabaseSecret")?.Resource).toBe(`arn:aws:secretsmanager:us-east-2:${FAKE_ACCOUNT_ID}:secret:${SECRET_NAME}-??????`);
    expect(statements.find((s) => s.Sid === "UseSessionsTable")?.Resource).toBe(`arn:aws:dynamodb:us-east-2:${FAKE_ACCOUNT_ID}:table/${TABLE_NAME}`);
    expect(statements.find((s) => s.Sid === "RecordApiKeyUse")?.Resource).toBe(`arn:aws:dynamodb:us-east-2:${FAKE_ACCOUNT_ID}:table/${API_KEYS_TABLE_NAME}`);
    const authorizerStatements = statementsOf(dr.one(POLICY, "api-authorizer-access").inputs.policy);
    expect(authorizerStatements.find((s) => s.Sid === "ReadApiKeys")?.Resource).toBe(`arn:aws:dynamodb:us-east-2:${FAKE_ACCOUNT_ID}:table/${API_KEYS_TABLE_NAME}`);
    expect(authorizerStatements.find((s) => s.Sid === "UseTableKeys")?.Condition).toEqual({ StringEquals: { "kms:ViaService": "dynamodb.us-east-2.amazonaws.com" } });
    expect(dr.one(FUNCTION, "api-function").inputs.environment.variables.REGION_ROLE).toBe("dr");
    expect(dr.outputs.lambdaName).toBe(`payments-dr-api-use2-${SUFFIX}`);
  });
});

describe("function argument checks", () => {
  it("places the functions from a region's network outputs: the database's users in the Lambda group, the authorizer in its own", () => {
    const network = { privateSubnetIds: SUBNETS, lambdaSecurityGroupId: LAMBDA_SG, authorizerSecurityGroupId: AUTHORIZER_SG };
    expect(functionNetwork(network)).toEqual({ subnetIds: SUBNETS, securityGroupId: LAMBDA_SG });
    expect(apiNetwork(network)).toEqual({ subnetIds: SUBNETS, securityGroupId: LAMBDA_SG, authorizerSecurityGroupId: AUTHORIZER_SG });
  });

  it("applies the cleanup's documented defaults in one place", () => {
    const namer = new ResourceNamer({ environmentSuffix: SUFFIX, region: "us-east-1" });
    expect(withCleanupDefaults("cleanup", cleanupArgs(namer, { alarmTopicArn: undefined }))).toMatchObject({
      timeoutSeconds: 60,
      memoryMb: 256,
      logLevel: "INFO",
      alarmTopicArn: undefined,
    });
  });

  it("rejects a cleanup timeout with no room for its last batch", () => {
    const namer = new ResourceNamer({ environmentSuffix: SUFFIX, region: "us-east-1" });
    expect(() => withCleanupDefaults("cleanup", cleanupArgs(namer, { timeoutSeconds: 10 }))).toThrow(/timeoutSeconds 10 must be an integer from 30 to 900/);
  });

  it("creates no cleanup alarm without a topic", async () => {
    const plan = await synthInRegion(({ provider, namer }) => ({ name: new IdempotencyKeyCleanup("cleanup", cleanupArgs(namer, { alarmTopicArn: undefined }), { provider }).functionName }));
    expect(plan.ofType(ALARM)).toHaveLength(0);
    expect(plan.ofType(SCHEDULE)).toHaveLength(1);
  });

  const synthApi = (overrides: Parameters<typeof apiArgs>[1]) =>
    synthInRegion(({ provider, namer }) => ({ name: new ServerlessApi("api", apiArgs(namer, overrides), { provider }).lambdaName }));

  it.each([29, 30, 60])("rejects an API timeout of %i s: API Gateway ends the request at 29 s", async (timeoutSeconds) => {
    await expect(synthApi({ timeoutSeconds })).rejects.toThrow(
      new RegExp(`ServerlessApi "api": timeoutSeconds ${timeoutSeconds} must be an integer from 1 to 28: API Gateway ends the request at 29 s`),
    );
  });

  it("accepts 28 s, the longest timeout API Gateway waits for", async () => {
    const plan = await synthApi({ timeoutSeconds: 28 });
    expect(plan.one(FUNCTION, "api-function").inputs.timeout).toBe(28);
  });

  it.each([
    [{ connectTimeoutMs: 3001 }, /connectTimeoutMs 3001 must be an integer from 100 to 3000: the database budget of DESIGN §6/],
    [{ statementTimeoutMs: 6000 }, /statementTimeoutMs 6000 must be an integer from 100 to 5000/],
  ])("rejects database timeouts %j beyond DESIGN §6's budgets", async (databaseTimeouts, message) => {
    await expect(synthApi({ databaseTimeouts })).rejects.toThrow(message);
  });

  it("rejects a database budget equal to the function's timeout: Lambda would kill the invocation as the statement times out", async () => {
    // The defaults (3000 + 5000 ms) in an 8 s function: no time left to answer 503.
    await expect(synthApi({ timeoutSeconds: 8 })).rejects.toThrow(/connectTimeoutMs \+ statementTimeoutMs \(8000 ms\) must be below the function timeout \(8 s\)/);
    expect((await synthApi({ timeoutSeconds: 9 })).one(FUNCTION, "api-function").inputs.timeout).toBe(9);
  });

  it("rejects a database budget that does not fit in the function's timeout", async () => {
    await expect(synthApi({ timeoutSeconds: 5, databaseTimeouts: { statementTimeoutMs: 4000 } })).rejects.toThrow(
      /connectTimeoutMs \+ statementTimeoutMs \(7000 ms\) must be below the function timeout \(5 s\)/,
    );
  });

  it.each([0, -1, 2.5])("rejects reserved concurrency %p: it is the API's database connection budget", async (reservedConcurrency) => {
    await expect(synthApi({ reservedConcurrency })).rejects.toThrow(/reservedConcurrency .* must be an integer from 1 to 10000: it bounds the database connections/);
  });

  it("sets Lambda's application log level to the functions' log level: Powertools obeys Lambda's (AWS_LAMBDA_LOG_LEVEL, INFO unless set) over POWERTOOLS_LOG_LEVEL", async () => {
    const plan = await synthApi({ logLevel: "DEBUG" });
    for (const key of ["api", "api-health", "api-authorizer"]) {
      const fn = plan.one(FUNCTION, `${key}-function`).inputs;
      expect([key, fn.environment.variables.POWERTOOLS_LOG_LEVEL, fn.loggingConfig]).toEqual([key, "DEBUG", { logFormat: "JSON", applicationLogLevel: "DEBUG", logGroup: `/aws/lambda/${fn.name}` }]);
    }
  });

  it("offers no log level above INFO: Lambda files the metrics' EMF lines (they carry no level) at INFO, and a WARN filter would drop them", () => {
    // @ts-expect-error WARN would silence every custom metric of the functions.
    const tooQuiet: ServerlessApiArgs["logLevel"] = "WARN";
    expect(tooQuiet).toBe("WARN");
  });

  it("rejects an empty key list", async () => {
    await expect(synthApi({ kmsKeyArns: [] })).rejects.toThrow(/kmsKeyArns is empty/);
  });

  const synthMigration = (overrides: Partial<DatabaseMigrationArgs>) =>
    synthInRegion(({ provider, namer }) => {
      const migration = new DatabaseMigration("migration", migrationArgs(namer, overrides), { provider });
      return { name: migration.functionName };
    });

  it("rejects an empty migrations hash: the deploy-time invocation would never run the migrations again", async () => {
    await expect(synthMigration({ migrationsHash: "" })).rejects.toThrow(/DatabaseMigration "migration": migrationsHash is empty/);
  });

  it.each([0, 323, 901])("rejects a migration timeout of %i s: at least the run's budgets and setup (324 s), at most Lambda's 900 s", async (timeoutSeconds) => {
    await expect(synthMigration({ timeoutSeconds })).rejects.toThrow(
      new RegExp(`DatabaseMigration "migration": timeoutSeconds ${timeoutSeconds} must be an integer from 324 to 900: a run may wait for the writer, for the migrations' lock and for one statement`),
    );
  });

  it("by default gives a migration run its budgets and setup: the writer's wait, its connect, the lock wait, one statement and its grace, 30 s for the rest", async () => {
    expect(MIGRATE_RUN_BUDGET_MS).toBe(60_000 + 3_000 + 110_000 + 120_000 + 1_000);
    expect(MIGRATE_SETUP_MARGIN_MS).toBe(30_000);
    expect((await synthMigration({})).one(FUNCTION, "migration-function").inputs.timeout).toBe(360);
  });

  it("accepts 900 s, Lambda's longest timeout, for a migration", async () => {
    expect((await synthMigration({ timeoutSeconds: 900 })).one(FUNCTION, "migration-function").inputs.timeout).toBe(900);
  });
});
