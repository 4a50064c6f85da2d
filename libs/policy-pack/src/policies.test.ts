import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { USAGE_ITEM_PREFIX } from "@payments-dr/api-keys";
import { REDACTED, type PlannedResource, type StackPlan } from "@payments-dr/synth";
import { checkPlan } from "./check-plan";
import { POLICIES } from "./policies";
import { USAGE_ITEM_ID_PREFIX } from "./rules/api-keys";
import { REDACTED_SECRET } from "./values";

// Plans built the way the synth harness writes them: an explicit, tagged provider per region,
// resources naming it, inputs as the provider receives them, options as the program set them.
const TAGS = {
  Environment: "DR",
  CostCenter: "Operations",
  Criticality: "High",
  Project: "payments-dr",
  Stack: "primary-region/dev",
  EnvironmentSuffix: "dev",
  ManagedBy: "pulumi",
};
const KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-1";
const DR_KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-1";
const BUCKET = "payments-dr-data-use1-123456789012-dev";
const REST_API = "apigateway-0123456789abcdef0";

function provider(name: string, region: string, tags: Record<string, string> = TAGS): PlannedResource {
  return { type: "pulumi:providers:aws", name, parent: null, custom: true, provider: null, region, inputs: { region, defaultTags: JSON.stringify({ tags }) }, options: {} };
}

/** A resource of the primary region's provider, unless `more` says otherwise. */
function r(type: string, name: string, inputs: Record<string, unknown> = {}, more: Partial<PlannedResource> = {}): PlannedResource {
  return { type, name, parent: null, custom: true, provider: "us-east-1", region: "us-east-1", inputs, options: {}, ...more };
}

/** An alarm on an AWS/RDS metric with these dimensions. */
function auroraAlarm(metricName: string, dimensions: Record<string, string>): PlannedResource {
  return r("aws:cloudwatch/metricAlarm:MetricAlarm", `aurora-${metricName}`, { namespace: "AWS/RDS", metricName, dimensions, statistic: "Maximum", period: 60 });
}

function plan(resources: PlannedResource[], config: Record<string, string> = {}): StackPlan {
  return {
    project: "primary-region",
    stack: "dev",
    config: { "payments-dr:primaryRegion": "us-east-1", "payments-dr:drRegion": "us-east-2", ...config },
    resources: [provider("us-east-1", "us-east-1"), provider("us-east-2", "us-east-2"), provider("untagged", "us-east-1", { Environment: "DR" }), ...resources],
    outputs: {},
  };
}

// Compliant building blocks; violating cases change one thing.
const tlsOnly = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
});
function bucketWith(overrides: Partial<Record<"encryption" | "versioning" | "publicAccess" | "policy", Record<string, unknown> | null>> = {}): PlannedResource[] {
  const companions: [string, string, keyof typeof overrides, Record<string, unknown>][] = [
    ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "data-encryption", "encryption", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true, blockedEncryptionTypes: ["SSE-C"] }] }],
    ["aws:s3/bucketVersioning:BucketVersioning", "data-versioning", "versioning", { versioningConfiguration: { status: "Enabled" } }],
    ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-public-access", "publicAccess", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }],
    ["aws:s3/bucketPolicy:BucketPolicy", "data-policy", "policy", { policy: tlsOnly }],
  ];
  return [
    r("aws:s3/bucket:Bucket", "data-bucket", { bucket: BUCKET, forceDestroy: true }),
    ...companions
      .filter(([, , key]) => overrides[key] !== null)
      .map(([type, name, key, inputs]) => r(type, name, { bucket: BUCKET, ...inputs, ...overrides[key] })),
  ];
}

/** A replication configuration of the data bucket, one rule, as BucketReplication makes it; `rule` overrides the rule's fields, `moreRules` follow it. */
const replicationConfig = (rule: Record<string, unknown> = {}, moreRules: Record<string, unknown>[] = []) =>
  r("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "replication-config", {
    bucket: BUCKET,
    role: "arn:aws:iam::123456789012:role/payments-dr-replication-dev",
    rules: [
      {
        id: "replicate-all",
        status: "Enabled",
        filter: { prefix: "" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: { bucket: "arn:aws:s3:::payments-dr-data-use2-123456789012-dev", encryptionConfiguration: { replicaKmsKeyId: DR_KEY } },
        ...rule,
      },
      ...moreRules,
    ],
  });

const MEMBER_OPTIONS = { ignoreChanges: ["globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion"] };
const primaryCluster = (inputs: Record<string, unknown> = {}, more: Partial<PlannedResource> = {}) =>
  r(
    "aws:rds/cluster:Cluster",
    "aurora-cluster",
    {
      clusterIdentifier: "payments-dr-aurora-use1-dev",
      globalClusterIdentifier: "payments-dr-aurora-dev",
      engine: "aurora-postgresql",
      masterUsername: "payments_admin",
      masterPassword: "[secret]",
      databaseName: "payments",
      storageEncrypted: true,
      kmsKeyId: KEY,
      backupRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ["postgresql"],
      skipFinalSnapshot: true,
      deletionProtection: false,
      ...inputs,
    },
    { options: MEMBER_OPTIONS, ...more },
  );
const secondaryCluster = (inputs: Record<string, unknown> = {}) =>
  r(
    "aws:rds/cluster:Cluster",
    "aurora-secondary",
    {
      clusterIdentifier: "payments-dr-aurora-use2-dev",
      globalClusterIdentifier: "payments-dr-aurora-dev",
      engine: "aurora-postgresql",
      sourceRegion: "us-east-1",
      storageEncrypted: true,
      kmsKeyId: DR_KEY,
      backupRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ["postgresql"],
      skipFinalSnapshot: true,
      ...inputs,
    },
    { provider: "us-east-2", region: "us-east-2", options: MEMBER_OPTIONS },
  );
const sessionsTable = (inputs: Record<string, unknown> = {}, replica: Record<string, unknown> = {}) =>
  r("aws:dynamodb/table:Table", "sessions-table", {
    name: "payments-dr-sessions-dev",
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: false,
    replicas: [{ regionName: "us-east-2", kmsKeyArn: DR_KEY, pointInTimeRecovery: true, deletionProtectionEnabled: false, ...replica }],
    ...inputs,
  });
/** The sessions table's DR replica as its own resource (the table then declares no replicas). */
const tableReplica = (inputs: Record<string, unknown> = {}) =>
  r(
    "aws:dynamodb/tableReplica:TableReplica",
    "sessions-replica",
    { globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/payments-dr-sessions-dev", kmsKeyArn: DR_KEY, pointInTimeRecovery: true, deletionProtectionEnabled: false, ...inputs },
    { provider: "us-east-2", region: "us-east-2" },
  );
const lambda = (inputs: Record<string, unknown> = {}) =>
  r("aws:lambda/function:Function", "api-function", {
    name: "payments-dr-api-use1-dev",
    runtime: "nodejs22.x",
    timeout: 10,
    vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] },
    kmsKeyArn: KEY,
    reservedConcurrentExecutions: 50,
    ...inputs,
  });
const apiGatewayPermission = (fn: string) =>
  r("aws:lambda/permission:Permission", "api-invoke", { action: "lambda:InvokeFunction", function: fn, principal: "apigateway.amazonaws.com", sourceArn: `arn:aws:execute-api:us-east-1:123456789012:${REST_API}/v1/*` });
const stage = (inputs: Record<string, unknown> = {}) =>
  r("aws:apigateway/stage:Stage", "api-stage", {
    restApi: REST_API,
    stageName: "v1",
    accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:payments-dr-api-access-use1-dev", format: '{"requestId":"$context.requestId"}' },
    ...inputs,
  });
const methodSettings = (settings: Record<string, unknown> = {}) =>
  r("aws:apigateway/methodSettings:MethodSettings", "api-throttling", {
    restApi: REST_API,
    stageName: "v1",
    methodPath: "*/*",
    settings: { throttlingRateLimit: 50, throttlingBurstLimit: 100, ...settings },
  });
const policyDocument = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const secret = (inputs: Record<string, unknown> = {}) =>
  r("aws:secretsmanager/secret:Secret", "aurora-secret", {
    name: "payments-dr-aurora-master-dev",
    kmsKeyId: KEY,
    recoveryWindowInDays: 0,
    replicas: [{ region: "us-east-2", kmsKeyId: DR_KEY }],
    ...inputs,
  });

// Merchant auth and edge protection (issue 7), as libs/serverless-api creates them.
const ROOT_RESOURCE = "0123456789";
const apiResource = (name: string, pathPart: string, parentId = ROOT_RESOURCE) => r("aws:apigateway/resource:Resource", name, { restApi: REST_API, parentId, pathPart });
const method = (name: string, httpMethod: string, inputs: Record<string, unknown> = {}) =>
  r("aws:apigateway/method:Method", name, { restApi: REST_API, resourceId: `${name}-resource`, httpMethod, authorization: "CUSTOM", authorizerId: "authorizer-1", apiKeyRequired: true, ...inputs });
const ANONYMOUS = { authorization: "NONE", authorizerId: undefined, apiKeyRequired: false };
const authorizer = (inputs: Record<string, unknown> = {}) =>
  r("aws:apigateway/authorizer:Authorizer", "api-authorizer", { restApi: REST_API, name: "payments-dr-authorizer-use1-dev", type: "REQUEST", identitySource: "method.request.header.Authorization", authorizerResultTtlInSeconds: 60, ...inputs });
const ACL_NAME = "payments-dr-api-acl-use1-dev";
const aclArn = (name: string) => `arn:aws:wafv2:us-east-1:123456789012:regional/webacl/${name}/0a1b2c3d`;
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
const RATE_RULE = { name: "rate-per-ip", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 15000 } }, visibilityConfig: visibility("rate-per-ip") };
const KEY_PROTECTION = { dataProtections: [{ field: { fieldType: "SINGLE_HEADER", fieldKeys: ["authorization"] }, action: "SUBSTITUTION" }] };
const COMMON_RULES = { name: "aws-common", priority: 2, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } }, visibilityConfig: visibility("aws-common") };
const webAcl = (inputs: Record<string, unknown> = {}, name = "api-waf") =>
  r("aws:wafv2/webAcl:WebAcl", name, { name: ACL_NAME, scope: "REGIONAL", defaultAction: { allow: {} }, rules: [RATE_RULE, COMMON_RULES], dataProtectionConfig: KEY_PROTECTION, visibilityConfig: visibility(ACL_NAME), ...inputs });
const wafAssociation = (stageName = "v1") =>
  r("aws:wafv2/webAclAssociation:WebAclAssociation", "api-waf-association", { resourceArn: `arn:aws:apigateway:us-east-1::/restapis/${REST_API}/stages/${stageName}`, webAclArn: aclArn(ACL_NAME) });
const wafLogGroup = (inputs: Record<string, unknown> = {}, name = "api-waf-logs") =>
  r("aws:cloudwatch/logGroup:LogGroup", name, { name: `aws-waf-logs-${ACL_NAME}`, kmsKeyId: KEY, retentionInDays: 30, ...inputs });
const wafLogging = (inputs: Record<string, unknown> = {}, name = "api-waf-logging") =>
  r("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", name, {
    resourceArn: aclArn(ACL_NAME),
    logDestinationConfigs: [`arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-${ACL_NAME}`],
    redactedFields: [{ singleHeader: { name: "authorization" } }],
    ...inputs,
  });
const KEYS_TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/payments-dr-api-keys-dev";
const SESSIONS_TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/payments-dr-sessions-dev";
const role = (name: string, roleName: string, service = "lambda.amazonaws.com", inputs: Record<string, unknown> = {}) =>
  r("aws:iam/role:Role", name, {
    name: roleName,
    assumeRolePolicy: policyDocument({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
    ...inputs,
  });
/** A role trusting what `statements` say (the role's name follows its logical name). */
const trustingRole = (name: string, ...statements: Record<string, unknown>[]) =>
  r("aws:iam/role:Role", name, { name: `payments-dr-${name}-use1-dev`, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
const ASSUME = { Effect: "Allow", Action: "sts:AssumeRole" };
const rolePolicy = (name: string, roleName: string, statement: Record<string, unknown>) => r("aws:iam/rolePolicy:RolePolicy", name, { name: `${roleName}-access`, role: roleName, policy: policyDocument(statement) });
const LAST_USED_ONLY = {
  "ForAllValues:StringEquals": { "dynamodb:Attributes": ["keyId", "lastUsedAt"] },
  "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["used#*"] },
  StringEqualsIfExists: { "dynamodb:ReturnValues": "NONE" },
};

it("the keys-table rule knows usage items by the prefix the payment API writes them with", () => {
  expect(USAGE_ITEM_ID_PREFIX).toBe(USAGE_ITEM_PREFIX);
});

it("the rules know a redacted secret by the marker the synth harness writes in its place", () => {
  expect(REDACTED_SECRET).toBe(REDACTED);
});

interface Case {
  /** Resources that comply with the policy. */
  passing: PlannedResource[];
  /** Resources that break it, and what the messages must say. */
  violating: PlannedResource[];
  expected: RegExp[];
  config?: Record<string, string>;
}

const CASES: Record<string, Case> = {
  "required-tags": {
    passing: [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }), r("aws:kms/alias:Alias", "key-alias", { name: "alias/payments-dr-data-use1-dev" }, { provider: "untagged" })],
    violating: [
      r("aws:rds/cluster:Cluster", "aurora-cluster", {}, { provider: "untagged" }),
      r("aws:ec2/vpc:Vpc", "network-vpc", { tags: { Name: "payments-dr-vpc-use1-dev", Environment: "prod" } }),
    ],
    expected: [/tag Criticality is missing/, /tag Environment is "prod", expected "DR"/],
  },
  "environment-suffix-in-names": {
    passing: [
      ...bucketWith(),
      r("aws:kms/alias:Alias", "key-alias", { name: "alias/payments-dr-data-use1-dev" }),
      r("aws:route53/record:Record", "failover-primary", { name: "pay.example.com" }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-from-lambda", { referencedSecurityGroupId: "sg-1" }),
      r("aws:cloudwatch/logGroup:LogGroup", "api-execution-logs", { name: `API-Gateway-Execution-Logs_${REST_API}/v1`, kmsKeyId: KEY }),
      r("aws:cloudwatch/logGroup:LogGroup", "primary-postgresql-log", { name: "/aws/rds/cluster/payments-dr-aurora-use1-dev/postgresql", kmsKeyId: KEY }),
      r("aws:xray/samplingRule:SamplingRule", "api-health-trace-sampling", { ruleName: "payments-dr-health-use1-dev" }),
      // The suffix's place taken by its SHA-256's first 8 hex digits (sha256("dev")), as the namer fits a long one.
      r("aws:xray/samplingRule:SamplingRule", "dr-health-trace-sampling", { ruleName: "payments-dr-health-use2-ef260e9a" }),
      // An ARC plan's name has room for 6 of them.
      r("aws:arcregionswitch/plan:Plan", "region-switch-plan", { name: "payments-dr-region-switch-ef260e" }),
    ],
    violating: [
      r("aws:xray/samplingRule:SamplingRule", "other-health-trace-sampling", { ruleName: "payments-dr-health-use1-0123abcd" }),
      r("aws:arcregionswitch/plan:Plan", "other-region-switch-plan", { name: "payments-dr-region-switch-0123ab" }),
      r("aws:cloudwatch/logGroup:LogGroup", "other-postgresql-log", { name: "/aws/rds/cluster/payments-dr-aurora-use1-prod/postgresql", kmsKeyId: KEY }),
      r("aws:s3/bucket:Bucket", "data-bucket", { bucket: "payments-dr-data-use1-dev" }),
      r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-prod" }),
      r("aws:lambda/function:Function", "api-function", {}),
    ],
    expected: [
      /name "\/aws\/rds\/cluster\/payments-dr-aurora-use1-prod\/postgresql" does not end with "-dev"/,
      /bucket "payments-dr-data-use1-dev" does not end with "-<account id>-dev"/,
      /identifier "payments-dr-aurora-1-use1-prod" does not end with "-dev"/,
      /has no name/,
      /ruleName "payments-dr-health-use1-0123abcd" does not end with "-dev"/,
      /name "payments-dr-region-switch-0123ab" does not end with "-dev"/,
    ],
  },
  "encryption-at-rest-cmk": {
    passing: [
      primaryCluster(),
      r("aws:rds/globalCluster:GlobalCluster", "aurora-global-cluster", { globalClusterIdentifier: "payments-dr-aurora-dev", storageEncrypted: true }),
      sessionsTable(),
      tableReplica(),
      r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev", kmsMasterKeyId: KEY }),
      secret(),
      r("aws:cloudwatch/logGroup:LogGroup", "flow-logs", { name: "payments-dr-vpc-flow-logs-use1-dev", kmsKeyId: KEY, retentionInDays: 30 }),
      lambda(),
      // No cache, or an encrypted one.
      methodSettings(),
      { ...methodSettings({ cachingEnabled: true, cacheDataEncrypted: true }), name: "api-cache" },
    ],
    violating: [
      primaryCluster({ kmsKeyId: "alias/aws/rds" }),
      r("aws:rds/globalCluster:GlobalCluster", "aurora-global-cluster", { globalClusterIdentifier: "payments-dr-aurora-dev" }),
      sessionsTable({}, { kmsKeyArn: undefined }),
      tableReplica({ kmsKeyArn: undefined }),
      r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }),
      secret({ replicas: [{ region: "us-east-2" }] }),
      r("aws:cloudwatch/logGroup:LogGroup", "flow-logs", { name: "payments-dr-vpc-flow-logs-use1-dev", retentionInDays: 30 }),
      methodSettings({ cachingEnabled: true }),
    ],
    expected: [
      /kmsKeyId is not a customer-managed KMS key/,
      /storageEncrypted is not true/,
      /replica in us-east-2 has no kmsKeyArn/,
      /^kmsKeyArn is not a customer-managed KMS key \(the replica would use aws\/dynamodb/,
      /kmsMasterKeyId is not/,
      /replica in us-east-2 has no kmsKeyId/,
      /^settings\.cachingEnabled is true but settings\.cacheDataEncrypted is not: API Gateway would keep the cached responses unencrypted at rest$/,
    ],
  },
  "replica-key-region": {
    passing: [
      primaryCluster(),
      secondaryCluster(),
      sessionsTable(),
      tableReplica(),
      secret(),
      replicationConfig(),
      // Aurora and Secrets Manager resolve a key id or alias in the replica's own region.
      { ...secondaryCluster({ kmsKeyId: "alias/payments-dr-data-use2-dev" }), name: "aurora-secondary-by-alias" },
      { ...secret({ replicas: [{ region: "us-east-2", kmsKeyId: "alias/payments-dr-data-replica-use2-dev" }] }), name: "app-secret" },
    ],
    violating: [
      sessionsTable({}, { kmsKeyArn: KEY }),
      tableReplica({ kmsKeyArn: KEY }),
      secondaryCluster({ kmsKeyId: KEY }),
      secret({ replicas: [{ region: "us-east-2", kmsKeyId: KEY }] }),
      replicationConfig({ destination: { bucket: "arn:aws:s3:::payments-dr-data-use2-123456789012-dev", encryptionConfiguration: { replicaKmsKeyId: KEY } } }),
      // DynamoDB and S3 are given the key in the source's region: a key id names none there.
      { ...tableReplica({ kmsKeyArn: "mrk-1" }), name: "sessions-replica-by-id" },
      { ...secret({ replicas: [{ region: "us-east-2", kmsKeyId: "[secret]" }] }), name: "app-secret" },
    ],
    expected: [
      /^the replica in us-east-2's kmsKeyArn arn:aws:kms:us-east-1:123456789012:key\/mrk-1 is a key of us-east-1, not of us-east-2, where it encrypts: a KMS key encrypts only in its own region$/,
      /^kmsKeyArn arn:aws:kms:us-east-1:\S+ is a key of us-east-1, not of us-east-2/,
      /^kmsKeyId arn:aws:kms:us-east-1:\S+ is a key of us-east-1, not of us-east-2/,
      /^the replica in us-east-2's kmsKeyId arn:aws:kms:us-east-1:\S+ is a key of us-east-1, not of us-east-2/,
      /^rule replicate-all's replicaKmsKeyId arn:aws:kms:us-east-1:\S+ is a key of us-east-1, not of us-east-2/,
      /^kmsKeyArn mrk-1 is not a key ARN: it names no region, and would not resolve to a key of us-east-2$/,
      /^cannot verify a secret-wrapped value of the replica in us-east-2's kmsKeyId/,
    ],
  },
  "kms-key-rotation": {
    passing: [
      r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, multiRegion: true }),
      r("aws:kms/replicaKey:ReplicaKey", "key-replica-key", { primaryKeyArn: KEY }, { provider: "us-east-2", region: "us-east-2" }),
    ],
    violating: [r("aws:kms/key:Key", "key-key", { multiRegion: true }), r("aws:kms/key:Key", "symmetric-key", { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT" })],
    expected: [/enableKeyRotation is not true/],
  },
  "s3-encryption-cmk": {
    passing: bucketWith(),
    violating: bucketWith({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }),
    expected: [/data-encryption: default encryption is AES256, not aws:kms/],
  },
  "s3-no-sse-c": {
    passing: bucketWith(),
    violating: bucketWith({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true }] } }),
    expected: [/data-encryption: no rule blocks SSE-C/],
  },
  "s3-versioning": {
    passing: [
      ...bucketWith(),
      // Tidying that keeps every version 30 days: lone delete markers, unfinished uploads; a disabled rule does nothing.
      r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle", {
        bucket: BUCKET,
        rules: [
          { id: "tidy", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true }, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
          { id: "old-purge", status: "Disabled", filter: {}, expiration: { days: 1 } },
        ],
      }),
    ],
    violating: bucketWith({ versioning: null }),
    expected: [/no BucketVersioning targets this bucket/],
  },
  "s3-public-access-blocked": {
    passing: bucketWith(),
    violating: bucketWith({ publicAccess: { restrictPublicBuckets: false } }),
    expected: [/restrictPublicBuckets not true/],
  },
  "s3-tls-only": {
    passing: bucketWith(),
    violating: bucketWith({ policy: { policy: policyDocument({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "*" }) } }),
    expected: [/no Deny statement for everyone on s3:\*/],
  },
  "sns-tls-only": {
    passing: [
      r("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", {
        arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-dev",
        policy: policyDocument({ Sid: "DenyPublishWithoutTls", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      }),
      r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }),
    ],
    violating: [
      r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }),
      r("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", {
        arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-dev",
        policy: policyDocument({ Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      }),
      // SNS's default policy: no refusal of plain HTTP.
      r("aws:sns/topic:Topic", "other-topic", { name: "payments-dr-other-use1-dev" }),
    ],
    expected: [/its TopicPolicy alerts-policy: no Deny statement for everyone on sns:Publish/, /no TopicPolicy targets this topic, and it has no inline policy/],
  },
  "s3-replication-kms-objects": {
    passing: [replicationConfig()],
    violating: [
      replicationConfig({ sourceSelectionCriteria: undefined }),
      replicationConfig({ destination: { bucket: "arn:aws:s3:::payments-dr-data-use2-123456789012-dev" } }),
    ],
    expected: [/rule replicate-all does not select SSE-KMS objects/, /rule replicate-all has no customer-managed replicaKmsKeyId/],
  },
  "no-public-ingress": {
    passing: [
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-from-lambda", { referencedSecurityGroupId: "sg-1", fromPort: 5432, toPort: 5432 }),
      r("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "lambda-to-anywhere", { cidrIpv4: "0.0.0.0/0" }),
      r("aws:ec2/securityGroup:SecurityGroup", "db-sg", { name: "payments-dr-database-sg-use1-dev", ingress: [{ cidrBlocks: ["10.0.0.0/16"], fromPort: 5432, toPort: 5432, protocol: "tcp" }] }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "from-private", { cidrIpv4: "172.20.0.0/16" }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "from-ula", { cidrIpv6: "fd00:1234::/48" }),
    ],
    violating: [
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "half-the-internet", { cidrIpv4: "0.0.0.0/1" }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "wider-than-private", { cidrIpv4: "10.0.0.0/7" }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "public-host", { cidrIpv4: "203.0.113.7/32" }),
      r("aws:ec2/securityGroup:SecurityGroup", "db-sg", { name: "payments-dr-database-sg-use1-dev", ingress: [{ cidrBlocks: ["0.0.0.0/0"], fromPort: 5432, toPort: 5432, protocol: "tcp" }] }),
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "open-v6", { cidrIpv6: "::/0" }),
      r("aws:ec2/securityGroupRule:SecurityGroupRule", "open-rule", { type: "ingress", cidrBlocks: ["0.0.0.0/0"] }),
    ],
    expected: [
      /ingress allows 0\.0\.0\.0\/1/,
      /ingress allows 10\.0\.0\.0\/7/,
      /ingress allows 203\.0\.113\.7\/32/,
      /inline ingress\[0\] allows 0\.0\.0\.0\/0/,
      /ingress allows ::\/0/,
      /ingress allows 0\.0\.0\.0\/0/,
    ],
  },
  "database-not-public": {
    passing: [r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-dev", publiclyAccessible: false })],
    violating: [r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-dev", publiclyAccessible: true })],
    expected: [/publiclyAccessible is true/],
  },
  "iam-no-admin": {
    passing: [
      r("aws:iam/rolePolicy:RolePolicy", "flow-logs-write", { name: "payments-dr-flow-logs-write-use1-dev", policy: policyDocument({ Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x:*" }) }),
      // A KMS key policy grants kms:* on the key itself: not an IAM identity policy.
      r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, policy: policyDocument({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }) }),
      // Wildcards short of administrator access: one service's network interfaces, IAM reads, a NotResource on one action, a Deny.
      r("aws:iam/rolePolicy:RolePolicy", "api-network", { name: "payments-dr-api-network-use1-dev", policy: policyDocument({ Effect: "Allow", Action: "ec2:CreateNetworkInterface", Resource: "arn:aws:ec2:us-east-1:123456789012:*/*" }) }),
      r("aws:iam/rolePolicy:RolePolicy", "api-iam-read", { name: "payments-dr-api-iam-read-use1-dev", policy: policyDocument({ Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" }) }),
      r("aws:iam/rolePolicy:RolePolicy", "api-pass-role", { name: "payments-dr-api-pass-role-use1-dev", policy: policyDocument({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/payments-dr-api-use1-dev" }) }),
      r("aws:iam/rolePolicy:RolePolicy", "api-read-but", { name: "payments-dr-api-read-but-use1-dev", policy: policyDocument({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::payments-dr-private/*" }) }),
      r("aws:iam/policy:Policy", "deny-policy", { name: "payments-dr-deny-dev", policy: policyDocument({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "apigw-logs", { role: "payments-dr-apigw-logs-use1-dev", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" }),
    ],
    violating: [
      r("aws:iam/role:Role", "api-role", { name: "payments-dr-api-use1-dev", inlinePolicies: [{ name: "everything", policy: policyDocument({ Effect: "Allow", Action: "*", Resource: "*" }) }] }),
      r("aws:iam/policy:Policy", "admin-policy", { name: "payments-dr-admin-dev", policy: policyDocument({ Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: ["*"] }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-admin", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      // One escalation action is enough, and so is every role: each lets the role grant itself admin.
      r("aws:iam/rolePolicy:RolePolicy", "api-attach", { name: "payments-dr-api-attach-use1-dev", policy: policyDocument({ Effect: "Allow", Action: ["iam:AttachRolePolicy", "iam:PassRole"], Resource: "*" }) }),
      r("aws:iam/rolePolicy:RolePolicy", "api-every-role", { name: "payments-dr-api-every-role-use1-dev", policy: policyDocument({ Effect: "Allow", Action: "*", Resource: "arn:aws:iam::*:role/*" }) }),
    ],
    expected: [
      /inline policy everything allows Action "\*" on Resource "\*"/,
      /policy allows Action/,
      /attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
      /policy allows Action "iam:AttachRolePolicy" on Resource "\*": IAM's own actions/,
      /policy allows Action "\*" on Resource "arn:aws:iam::\*:role\/\*": IAM's own actions/,
    ],
  },
  "iam-trust-scoped": {
    passing: [
      role("api-role", "payments-dr-api-use1-dev"),
      trustingRole("lambda-of-this-account", { ...ASSUME, Principal: { Service: "lambda.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      // Another role of this account (role chaining), pinned to the account.
      trustingRole("keys-reader", { ...ASSUME, Principal: { AWS: "arn:aws:iam::123456789012:role/payments-dr-api-use1-dev" }, Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } } }),
      // A third party that must present its external id.
      trustingRole("auditor", { ...ASSUME, Principal: { AWS: "arn:aws:iam::999999999999:root" }, Condition: { StringEquals: { "sts:ExternalId": "payments-dr-audit-7f3a" } } }),
      // Anyone of the organization.
      trustingRole("org-reader", { ...ASSUME, Principal: { AWS: "*" }, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } }),
      trustingRole("denies-everyone-else", { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }, { ...ASSUME, Principal: { Service: "lambda.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      // A service pinned to its one source, as the schedules' roles are.
      trustingRole("scheduler", { ...ASSUME, Principal: { Service: "scheduler.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/payments-dr-probe-use1-dev" } } }),
      // Services AWS documents with a bare trust policy: S3 replication, API Gateway's logs role, ARC.
      trustingRole("replication", { ...ASSUME, Principal: { Service: "s3.amazonaws.com" } }),
      trustingRole("apigw-logs", { ...ASSUME, Principal: { Service: "apigateway.amazonaws.com" } }),
      trustingRole("region-switch", { ...ASSUME, Principal: { Service: "arc-region-switch.amazonaws.com" } }),
    ],
    violating: [
      trustingRole("migrate", { ...ASSUME, Principal: { Service: "lambda.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }, { ...ASSUME, Principal: { AWS: "*" } }),
      // A service acting for anyone's resources (the confused deputy), or pinned by nothing.
      trustingRole("lambda-anyones", { ...ASSUME, Principal: { Service: "lambda.amazonaws.com" } }),
      trustingRole("flow-logs-wildcard", { ...ASSUME, Principal: { Service: ["vpc-flow-logs.amazonaws.com", "s3.amazonaws.com"] }, Condition: { StringLike: { "aws:SourceAccount": "*" } } }),
      trustingRole("anyone", { ...ASSUME, Sid: "Anyone", Principal: "*", Condition: { StringEquals: { "sts:ExternalId": "guessable" } } }),
      trustingRole("all-but-one", { ...ASSUME, NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }),
      trustingRole("partner", { ...ASSUME, Principal: { AWS: ["arn:aws:iam::999999999999:root", "888888888888"] } }),
      // Conditions that pin nothing: IfExists holds when the key is absent, a wildcard matches every account.
      trustingRole("if-exists", { ...ASSUME, Principal: { AWS: "arn:aws:iam::999999999999:root" }, Condition: { StringEqualsIfExists: { "aws:PrincipalAccount": "999999999999" } } }),
      trustingRole("wildcard", { ...ASSUME, Principal: { AWS: "*" }, Condition: { StringLike: { "aws:PrincipalAccount": "*" } } }),
    ],
    expected: [
      /^assumeRolePolicy statement 1 lets any AWS account assume the role \(Principal AWS "\*"\) with no condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount$/,
      /^assumeRolePolicy statement Anyone lets any AWS account assume the role \(Principal "\*"\)/,
      /^assumeRolePolicy statement 0 lets any AWS account assume the role \(NotPrincipal: everyone but the principals it lists\)/,
      /^assumeRolePolicy statement 0 lets arn:aws:iam::999999999999:root, 888888888888 assume the role with no condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, sts:ExternalId/,
      /^assumeRolePolicy statement 0 lets lambda\.amazonaws\.com assume the role for any account's resources, with no condition on aws:SourceAccount, aws:SourceArn$/,
      /^assumeRolePolicy statement 0 lets vpc-flow-logs\.amazonaws\.com assume the role for any account's resources, with no condition on aws:SourceAccount, aws:SourceArn$/,
    ],
  },
  "no-public-resource-policy": {
    passing: [
      // The stacks' own key and topic policies: the account's root, AWS services (scoped by their own conditions).
      r("aws:kms/key:Key", "key-key", {
        enableKeyRotation: true,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "EnableIamUserPermissions", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
            { Sid: "AllowCloudWatchLogs", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*" } } },
            // KMS's documented "all principals of the account, through one service" statement.
            { Sid: "ViaSecretsManager", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012", "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } },
          ],
        }),
      }),
      r("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", {
        arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-dev",
        policy: policyDocument({ Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      }),
      ...bucketWith(),
      r("aws:secretsmanager/secretPolicy:SecretPolicy", "org-secret-policy", {
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments-dr-shared-dev-AbCdEf",
        policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } }),
      }),
      // SNS's default topic policy: Publish and Subscribe for everyone of the owner's account.
      r("aws:sns/topicPolicy:TopicPolicy", "default-topic-policy", {
        arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-other-use1-dev",
        policy: policyDocument({ Sid: "__default_statement_ID", Effect: "Allow", Principal: { AWS: "*" }, Action: ["SNS:Publish", "SNS:Subscribe"], Resource: "*", Condition: { StringEquals: { "AWS:SourceOwner": "123456789012" } } }),
      }),
      r("aws:kms/grant:Grant", "own-role-grant", { name: "payments-dr-api-dev", keyId: KEY, granteePrincipal: "arn:aws:iam::123456789012:role/payments-dr-api-use1-dev", operations: ["Decrypt"] }),
      r("aws:kms/grant:Grant", "service-grant", { name: "payments-dr-logs-dev", keyId: KEY, granteePrincipal: "logs.us-east-1.amazonaws.com", operations: ["Encrypt"] }),
    ],
    violating: [
      r("aws:secretsmanager/secretPolicy:SecretPolicy", "master-secret-policy", {
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments-dr-aurora-master-dev-AbCdEf",
        policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }),
        blockPublicPolicy: false,
      }),
      r("aws:kms/key:Key", "key-key", {
        enableKeyRotation: true,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
            { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: ["kms:Decrypt", "kms:CreateGrant"], Resource: "*" },
          ],
        }),
      }),
      r("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", { arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-dev", policy: policyDocument({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: "*" }) }),
      r("aws:dynamodb/resourcePolicy:ResourcePolicy", "keys-table-policy", {
        resourceArn: KEYS_TABLE_ARN,
        // A condition that pins nothing: IfExists holds when the key is absent.
        policy: policyDocument({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "dynamodb:Scan", Resource: KEYS_TABLE_ARN, Condition: { StringEqualsIfExists: { "aws:PrincipalAccount": "123456789012" } } }),
      }),
      r("aws:kms/grant:Grant", "partner-grant", { name: "partner-dev", keyId: KEY, granteePrincipal: "arn:aws:iam::999999999999:root", operations: ["Decrypt"] }),
      r("aws:kms/grant:Grant", "unknown-key-grant", { name: "partner-dev", keyId: "mrk-ee61e602dee7c0d38", granteePrincipal: "arn:aws:iam::999999999999:root", operations: ["Decrypt"] }),
      // The same, given inline on the queue or the bucket.
      r("aws:sqs/queue:Queue", "open-queue", { name: "payments-dr-open-use1-dev", policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: "*" }) }),
      r("aws:s3/bucket:Bucket", "open-bucket", { bucket: "payments-dr-open-use1-dev", policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::payments-dr-open-use1-dev/*" }) }),
    ],
    expected: [
      /^policy statement 0 allows secretsmanager:GetSecretValue to everyone \(Principal "\*"\) with no condition on aws:SourceAccount, aws:SourceArn, /,
      /^policy statement Anyone allows kms:Decrypt, kms:CreateGrant to everyone \(Principal "\*"\)/,
      /^policy statement 0 allows sns:Subscribe to everyone \(Principal AWS "\*"\)/,
      /^policy statement 0 allows dynamodb:Scan to everyone/,
      /^granteePrincipal arn:aws:iam::999999999999:root \(Decrypt\) is not a principal of the key's account 123456789012: another account may use the key$/,
      /^granteePrincipal arn:aws:iam::999999999999:root \(Decrypt\): keyId mrk-ee61e602dee7c0d38 is not a key ARN, so the grantee cannot be checked against the key's account; pass the key's ARN$/,
      /^policy statement 0 allows sqs:\* to everyone/,
      /^policy statement 0 allows s3:GetObject to everyone/,
    ],
  },
  "lambda-runtime": {
    passing: [lambda(), lambda({ runtime: "nodejs24.x" })],
    violating: [lambda({ runtime: "nodejs18.x" })],
    expected: [/runtime nodejs18\.x is not one of nodejs22\.x, nodejs24\.x/],
  },
  "lambda-in-vpc": {
    passing: [
      lambda(),
      // The DR region's probe of the primary's public /health: outside the VPC, with no way to data.
      lambda({ name: "payments-dr-primary-probe-use2-dev", vpcConfig: undefined, environment: { variables: { PROBE_TARGET_URL: "https://abc.execute-api.us-east-1.amazonaws.com/prod/health", PROBE_TARGET: "primary" } } }),
    ],
    violating: [
      lambda({ vpcConfig: undefined }),
      // A probe variable does not let a function told anything else out of the VPC: a secret, or a name no list foresaw.
      lambda({ vpcConfig: undefined, environment: { variables: { PROBE_TARGET_URL: "https://example.com/health", DB_SECRET_ID: "payments-dr-aurora-app-dev" } } }),
      lambda({ vpcConfig: undefined, environment: { variables: { PROBE_TARGET_URL: "https://example.com/health", LEDGER_BUCKET: "payments-dr-ledger-dev" } } }),
    ],
    expected: [
      /vpcConfig has no subnetIds/,
      /vpcConfig has no securityGroupIds/,
      /vpcConfig has no subnetIds/,
      /vpcConfig has no securityGroupIds/,
      /vpcConfig has no subnetIds/,
      /vpcConfig has no securityGroupIds/,
    ],
  },
  "lambda-reserved-concurrency": {
    passing: [lambda(), lambda({ name: "payments-dr-migrate-use1-dev", timeout: 300, reservedConcurrentExecutions: 1 })],
    violating: [lambda({ reservedConcurrentExecutions: undefined }), lambda({ reservedConcurrentExecutions: -1 }), lambda({ reservedConcurrentExecutions: 0 }), lambda({ reservedConcurrentExecutions: "[secret]" })],
    expected: [
      /^reservedConcurrentExecutions is unset: the function is unreserved, and may scale past the database's connection budget/,
      /^reservedConcurrentExecutions is -1: the function is unreserved/,
      /^reservedConcurrentExecutions is 0: Lambda throttles every invocation, so the function never runs$/,
      /^cannot verify a secret-wrapped value of reservedConcurrentExecutions/,
    ],
  },
  "lambda-timeout-under-api-gateway": {
    passing: [
      lambda(),
      apiGatewayPermission("payments-dr-api-use1-dev"),
      // The deploy-time migration function: no API Gateway in front of it, so it may run longer.
      lambda({ name: "payments-dr-migrate-use1-dev", timeout: 300 }),
    ],
    violating: [lambda({ timeout: 29 }), apiGatewayPermission("arn:aws:lambda:us-east-1:123456789012:function:payments-dr-api-use1-dev")],
    expected: [/API Gateway invokes it, but its timeout 29 s is not under API Gateway's 29 s/],
  },
  "lambda-invocation-scoped": {
    passing: [
      apiGatewayPermission("payments-dr-api-use1-dev"),
      r("aws:lambda/permission:Permission", "authorizer-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-authorizer-use1-dev", principal: "apigateway.amazonaws.com", sourceArn: `arn:aws:execute-api:us-east-1:123456789012:${REST_API}/authorizers/*` }),
      r("aws:lambda/permission:Permission", "rule-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-cleanup-use1-dev", principal: "events.amazonaws.com", sourceArn: "arn:aws:events:us-east-1:123456789012:rule/payments-dr-cleanup-use1-dev" }),
      // An S3 ARN names no account: the sourceAccount beside it does.
      r("aws:lambda/permission:Permission", "bucket-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-ingest-use1-dev", principal: "s3.amazonaws.com", sourceArn: `arn:aws:s3:::${BUCKET}`, sourceAccount: "123456789012" }),
      r("aws:lambda/functionUrl:FunctionUrl", "ops-url", { functionName: "payments-dr-ops-use1-dev", authorizationType: "AWS_IAM" }),
    ],
    violating: [
      r("aws:lambda/permission:Permission", "api-anyone", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "*" }),
      r("aws:lambda/permission:Permission", "api-any-apigw", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "apigateway.amazonaws.com" }),
      r("aws:lambda/permission:Permission", "api-any-account-apigw", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:us-east-1:*:*/v1/*" }),
      r("aws:lambda/permission:Permission", "any-bucket-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-ingest-use1-dev", principal: "s3.amazonaws.com", sourceArn: `arn:aws:s3:::${BUCKET}` }),
      r("aws:lambda/functionUrl:FunctionUrl", "api-public-url", { functionName: "payments-dr-api-use1-dev", authorizationType: "NONE" }),
      r("aws:lambda/permission:Permission", "api-public-url-permission", { function: "payments-dr-api-use1-dev", action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }),
      r("aws:lambda/permission:Permission", "api-other-account", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "arn:aws:iam::999999999999:root" }),
    ],
    expected: [
      /^principal is "\*": any AWS account may invoke function payments-dr-api-use1-dev$/,
      /^principal apigateway\.amazonaws\.com with no sourceArn: a resource of apigateway\.amazonaws\.com in any account may invoke function payments-dr-api-use1-dev \(confused deputy\)$/,
      /^principal apigateway\.amazonaws\.com with sourceArn arn:aws:execute-api:us-east-1:\*:\*\/v1\/\* names no single account/,
      /^principal s3\.amazonaws\.com with sourceArn arn:aws:s3:::payments-dr-data-use1-123456789012-dev names no single account/,
      /^authorizationType is NONE: anyone on the internet may invoke function payments-dr-api-use1-dev through its URL/,
      /^lets function payments-dr-api-use1-dev be invoked through a function URL \(action lambda:InvokeFunctionUrl, functionUrlAuthType NONE\)/,
      /^principal arn:aws:iam::999999999999:root is an account or an IAM principal, not an AWS service/,
    ],
  },
  "aurora-backup-retention": {
    passing: [primaryCluster()],
    violating: [primaryCluster({ backupRetentionPeriod: undefined })],
    expected: [/backupRetentionPeriod is unset \(1 day\), below 7 days/],
  },
  "aurora-log-exports": {
    passing: [primaryCluster()],
    violating: [primaryCluster({ enabledCloudwatchLogsExports: [] })],
    expected: [/does not include "postgresql"/],
  },
  "aurora-alarm-by-role": {
    passing: [
      auroraAlarm("CPUUtilization", { DBClusterIdentifier: "payments-dr-aurora-use1-dev", Role: "WRITER" }),
      auroraAlarm("DatabaseConnections", { DBInstanceIdentifier: "payments-dr-aurora-1-use1-dev" }),
      // A cluster-level metric: no Role.
      auroraAlarm("VolumeBytesUsed", { DBClusterIdentifier: "payments-dr-aurora-use2-dev" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "lambda-errors", { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "payments-dr-api-use1-dev" } }),
    ],
    violating: [
      // The pitfall: the average over writer and an idle reader never reaches 80 %.
      auroraAlarm("CPUUtilization", { DBClusterIdentifier: "payments-dr-aurora-use1-dev" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "aurora-memory", {
        metricQueries: [{ id: "m1", metric: { namespace: "AWS/RDS", metricName: "FreeableMemory", dimensions: { DBClusterIdentifier: "payments-dr-aurora-use1-dev" }, period: 60, stat: "Minimum" }, returnData: true }],
      }),
    ],
    expected: [/^CPUUtilization under DBClusterIdentifier alone is aggregated over every instance/, /^FreeableMemory under DBClusterIdentifier alone/],
  },
  "aurora-global-lag-by-query": {
    passing: [
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "aurora-lag", {
        metricQueries: [{ id: "q1", expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'payments-dr-aurora-use2-dev'`, period: 60, returnData: true }],
      }),
      auroraAlarm("VolumeBytesUsed", { DBClusterIdentifier: "payments-dr-aurora-use2-dev" }),
    ],
    violating: [
      // The pitfall: published with SourceRegion too, the lag never matches DBClusterIdentifier alone.
      auroraAlarm("AuroraGlobalDBRPOLag", { DBClusterIdentifier: "payments-dr-aurora-use2-dev" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "aurora-replication-lag", {
        metricQueries: [{ id: "m1", metric: { namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag", dimensions: { DBClusterIdentifier: "payments-dr-aurora-use2-dev" }, period: 60, stat: "Maximum" }, returnData: true }],
      }),
    ],
    expected: [/^AuroraGlobalDBRPOLag by exact dimensions: .*Metrics Insights query/, /^AuroraGlobalDBReplicationLag by exact dimensions/],
  },
  "alarm-missing-data": {
    passing: [
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "lambda-errors", { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "payments-dr-api-use1-dev" }, treatMissingData: "notBreaching" }),
      // A schedule that stopped: missing invocations are the failure.
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "cleanup-not-running", { namespace: "AWS/Lambda", metricName: "Invocations", dimensions: { FunctionName: "payments-dr-idem-cleanup-use1-dev" }, treatMissingData: "breaching" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "aurora-lag", {
        metricQueries: [{ id: "q1", expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'payments-dr-aurora-use2-dev'`, period: 60, returnData: true }],
        treatMissingData: "breaching",
      }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "probe-silent", { namespace: "PaymentsDr/Probe", metricName: "ApiHealthy", dimensions: { Target: "primary" }, treatMissingData: "breaching" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "cleanup-not-running-query", {
        metricQueries: [{ id: "q1", expression: `SELECT SUM(Invocations) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName = 'payments-dr-idem-cleanup-use1-dev'`, period: 3600, returnData: true }],
        treatMissingData: "breaching",
      }),
      { ...auroraAlarm("CPUUtilization", { DBClusterIdentifier: "payments-dr-aurora-use2-dev", Role: "WRITER" }) },
    ],
    violating: [
      // The pitfall: the DR cluster has no writer, so this sits in ALARM from the deploy on.
      { ...auroraAlarm("FreeableMemory", { DBClusterIdentifier: "payments-dr-aurora-use2-dev", Role: "WRITER" }), inputs: { ...auroraAlarm("FreeableMemory", { DBClusterIdentifier: "payments-dr-aurora-use2-dev", Role: "WRITER" }).inputs, treatMissingData: "breaching" } },
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "lambda-concurrency", { namespace: "AWS/Lambda", metricName: "ConcurrentExecutions", dimensions: { FunctionName: "payments-dr-api-use1-dev" }, treatMissingData: "breaching" }),
      r("aws:cloudwatch/metricAlarm:MetricAlarm", "api-5xx", {
        metricQueries: [{ id: "q1", expression: `SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName, Method, Resource, Stage) WHERE ApiName = 'payments-dr-api-use1-dev'`, period: 60, returnData: true }],
        treatMissingData: "breaching",
      }),
    ],
    expected: [
      /^treats missing data as breaching on AWS\/RDS FreeableMemory, which Aurora publishes only from the instance holding the writer role/,
      /^treats missing data as breaching on AWS\/Lambda ConcurrentExecutions, which Lambda publishes only for invocations/,
      /^treats missing data as breaching on AWS\/ApiGateway 5XXError, which API Gateway publishes only for requests/,
    ],
  },
  "aurora-global-member": {
    passing: [primaryCluster(), secondaryCluster()],
    violating: [
      primaryCluster({}, { options: { ignoreChanges: ["globalClusterIdentifier"] } }),
      secondaryCluster({ databaseName: "payments" }),
      secondaryCluster({ masterUsername: "postgres", masterPassword: "not-a-real-password" }),
      secondaryCluster({ sourceRegion: undefined }),
      secondaryCluster({ kmsKeyId: undefined }),
    ],
    expected: [
      /ignoreChanges lacks replicationSourceIdentifier, engineVersion/,
      /secondary sets databaseName \(InvalidParameterCombination/,
      /secondary sets masterUsername, masterPassword \(InvalidParameterCombination/,
      /encrypted secondary without kmsKeyId and sourceRegion/,
    ],
  },
  "dynamodb-point-in-time-recovery": {
    // Unset, recoveryPeriodInDays is DynamoDB's 35 days.
    passing: [sessionsTable(), sessionsTable({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 7 } }), tableReplica()],
    violating: [sessionsTable({ pointInTimeRecovery: undefined }, { pointInTimeRecovery: false }), sessionsTable({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 1 } }), tableReplica({ pointInTimeRecovery: false })],
    expected: [
      /pointInTimeRecovery is not enabled on the table/,
      /replica in us-east-2 has no pointInTimeRecovery/,
      /^pointInTimeRecovery\.recoveryPeriodInDays is 1, below 7 days/,
      /^pointInTimeRecovery is not true on this replica in us-east-2$/,
    ],
  },
  "apigateway-access-logs": {
    passing: [
      stage(),
      stage({ stageName: "v2", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: '{"requestId":"$context.requestId","note":"say \\"$context.stage\\"","error":"$context.error.responseType"}' } }),
      // Not JSON: nothing to quote.
      stage({ stageName: "v3", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: "$context.requestId $context.status $context.error.responseType" } }),
    ],
    violating: [
      stage({ accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x" } }),
      stage({ stageName: "v2", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: '{"requestId":"$context.requestId","errorType":$context.error.responseType}' } }),
      // Quoted, but the message can quote the Authorization header; in a plain format too.
      stage({ stageName: "v3", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: '{"requestId":"$context.requestId","errorMessage":"$context.error.message"}' } }),
      stage({ stageName: "v4", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: "$context.requestId $context.error.messageString" } }),
    ],
    expected: [
      /accessLogSettings has no format/,
      /^accessLogSettings\.format is JSON, but leaves \$context\.error\.responseType outside a JSON string/,
      /^accessLogSettings\.format logs \$context\.error\.message: .*Authorization header/,
      /^accessLogSettings\.format logs \$context\.error\.messageString: .*Authorization header/,
    ],
  },
  "apigateway-throttling": {
    passing: [
      stage(),
      methodSettings(),
      stage({ stageName: "v2" }),
      r("aws:apigateway/usagePlan:UsagePlan", "api-plan", { name: "payments-dr-api-use1-dev", apiStages: [{ apiId: REST_API, stage: "v2" }], throttleSettings: { rateLimit: 10, burstLimit: 20 } }),
    ],
    violating: [stage(), methodSettings({ throttlingRateLimit: -1, throttlingBurstLimit: -1 })],
    expected: [/no MethodSettings of this stage with throttlingRateLimit and throttlingBurstLimit/],
  },
  "apigateway-method-settings-path": {
    passing: [methodSettings(), r("aws:apigateway/methodSettings:MethodSettings", "api-health-method-settings", { restApi: REST_API, stageName: "v1", methodPath: "~1health/GET" }), r("aws:apigateway/methodSettings:MethodSettings", "api-payment-method-settings", { restApi: REST_API, stageName: "v1", methodPath: "~1payments~1{id}/GET" })],
    // The provider docs' form: stored by API Gateway, applied to no method.
    violating: [r("aws:apigateway/methodSettings:MethodSettings", "api-health-method-settings", { restApi: REST_API, stageName: "v1", methodPath: "health/GET" }), r("aws:apigateway/methodSettings:MethodSettings", "api-payment-method-settings", { restApi: REST_API, stageName: "v1", methodPath: "/payments/{id}/GET" })],
    expected: [/^methodPath "health\/GET" names no method: API Gateway keys one as ~1/, /^methodPath "\/payments\/\{id\}\/GET" names no method/],
  },
  "apigateway-methods-authorized": {
    passing: [
      apiResource("api-path-health", "health"),
      method("api-get-health", "GET", ANONYMOUS),
      apiResource("api-path-payments", "payments"),
      method("api-post-payments", "POST"),
      method("api-get-payments-id", "GET"),
    ],
    violating: [
      method("api-post-payments", "POST", ANONYMOUS),
      method("api-get-payments-id", "GET", { apiKeyRequired: undefined }),
      // Only GET on /health is anonymous: not another method there, not a "health" resource elsewhere.
      apiResource("api-path-health", "health"),
      method("api-post-health", "POST", ANONYMOUS),
      apiResource("api-path-payments-health", "health", "payments-resource-id"),
      method("api-get-payments-health", "GET", ANONYMOUS),
      // Routes the pack cannot check: an OpenAPI body merged into the API, an HTTP API.
      r("aws:apigateway/restApi:RestApi", "api-rest-api", { name: "payments-dr-api-use1-dev", body: JSON.stringify({ openapi: "3.0.1", paths: { "/payments/export": { get: {} } } }), putRestApiMode: "merge" }),
      r("aws:apigatewayv2/api:Api", "export-api", { name: "payments-dr-export-use1-dev", protocolType: "HTTP" }),
    ],
    expected: [
      /^POST method open to callers without an API key: authorization is NONE, not CUSTOM, no authorizerId, apiKeyRequired is not true$/,
      /^GET method open to callers without an API key: apiKeyRequired is not true$/,
      /^routes given in an OpenAPI body are not checked for the authorizer and the API key/,
      /^an HTTP API \(API Gateway v2\): outside the authorizer/,
    ],
  },
  "apigateway-authorizer-cache": {
    // Unset, API Gateway caches 300 s keyed by the Authorization header.
    passing: [authorizer(), authorizer({ authorizerResultTtlInSeconds: 0 }), authorizer({ authorizerResultTtlInSeconds: undefined, identitySource: undefined, type: "TOKEN" })],
    violating: [authorizer({ authorizerResultTtlInSeconds: 3600 }), authorizer({ identitySource: "method.request.header.Authorization,method.request.querystring.merchant" })],
    expected: [/authorizerResultTtlInSeconds is 3600, above 300: a revoked key would keep working/, /identitySource is "method\.request\.header\.Authorization,method\.request\.querystring\.merchant", not the Authorization header/],
  },
  "apigateway-tls": {
    passing: [
      r("aws:apigateway/restApi:RestApi", "api-rest-api", { name: "payments-dr-api-use1-dev", securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "STRICT" }),
      r("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "pay.example.com", securityPolicy: "TLS_1_2" }),
    ],
    violating: [
      r("aws:apigateway/restApi:RestApi", "api-rest-api", { name: "payments-dr-api-use1-dev" }),
      r("aws:apigateway/restApi:RestApi", "other-rest-api", { name: "payments-dr-other-use1-dev", securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" }),
      r("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "pay.example.com", securityPolicy: "TLS_1_0" }),
      r("aws:apigateway/domainName:DomainName", "other-domain", { domainName: "other.example.com", securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06" }),
    ],
    expected: [
      /securityPolicy is null: the default endpoint accepts TLS 1\.0/,
      /an enhanced securityPolicy needs an endpointAccessMode/,
      /securityPolicy is "TLS_1_0": the domain accepts TLS 1\.0/,
      /an enhanced securityPolicy needs an endpointAccessMode/,
    ],
  },
  "apigateway-stage-waf": {
    passing: [stage(), wafAssociation()],
    // An association with another stage does not count.
    violating: [stage(), wafAssociation("v2")],
    expected: [/no WebAclAssociation has this stage as its resourceArn/],
  },
  "waf-logging": {
    passing: [
      webAcl(),
      wafLogGroup(),
      wafLogging(),
      // Filters that keep every blocked request: the blocked ones kept first, or only allowed ones dropped.
      wafLogging({ loggingFilter: { defaultBehavior: "DROP", filters: [{ behavior: "KEEP", requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "BLOCK" } }, { actionCondition: { action: "COUNT" } }] }] } }, "kept-logging"),
      wafLogging({ loggingFilter: { defaultBehavior: "KEEP", filters: [{ behavior: "DROP", requirement: "MEETS_ALL", conditions: [{ actionCondition: { action: "ALLOW" } }, { labelNameCondition: { labelName: "awswaf:managed:aws:core-rule-set:NoUserAgent_Header" } }] }] } }, "quiet-logging"),
    ],
    violating: [
      webAcl({ name: "payments-dr-unlogged-acl-use1-dev" }, "unlogged-waf"),
      webAcl(),
      wafLogGroup({ name: `payments-dr-waf-${ACL_NAME}`, kmsKeyId: undefined }),
      wafLogging({ logDestinationConfigs: [`arn:aws:logs:us-east-1:123456789012:log-group:payments-dr-waf-${ACL_NAME}`], redactedFields: [{ singleHeader: { name: "user-agent" } }] }),
    ],
    expected: [
      /^no WebAclLoggingConfiguration has this web ACL as its resourceArn$/,
      /api-waf-logging: log group api-waf-logs is not named aws-waf-logs-\* \(WAF refuses it\); log group api-waf-logs has no kmsKeyId of a customer-managed KMS key; redactedFields does not redact the authorization header/,
    ],
  },
  "waf-rate-limit": {
    passing: [
      webAcl(),
      // The same rule given as the WAF API's JSON.
      webAcl({ rules: undefined, ruleJson: JSON.stringify([{ Name: "rate-per-ip", Priority: 0, Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: "IP", Limit: 15000 } } }]) }, "json-waf"),
      // Unset, the provider aggregates by IP; a rule by another key beside the IP one only adds a limit.
      webAcl({ rules: [{ ...RATE_RULE, statement: { rateBasedStatement: { limit: 15000 } } }] }, "default-key-waf"),
      webAcl({ rules: [RATE_RULE, { ...RATE_RULE, name: "rate-per-forwarded-ip", priority: 1, statement: { rateBasedStatement: { aggregateKeyType: "FORWARDED_IP", forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "MATCH" }, limit: 15000 } } }] }, "extra-key-waf"),
    ],
    violating: [
      webAcl({ rules: [COMMON_RULES] }),
      webAcl({ rules: [{ ...RATE_RULE, action: { count: {} } }] }, "counting-waf"),
      // A limit on one path only (as the /health rule) leaves every other route unlimited.
      webAcl({ rules: [{ ...RATE_RULE, statement: { rateBasedStatement: { ...RATE_RULE.statement.rateBasedStatement, scopeDownStatement: { byteMatchStatement: {} } } } }] }, "scoped-waf"),
    ],
    expected: [/^no rule with a rateBasedStatement over every request \(no scopeDownStatement\), by source IP \(aggregateKeyType IP\), and a block action$/],
  },
  "waf-key-protection": {
    passing: [
      webAcl(),
      webAcl({ dataProtectionConfig: { dataProtections: [{ field: { fieldType: "SINGLE_HEADER", fieldKeys: ["Authorization"] }, action: "HASH" }] } }, "hashing-waf"),
    ],
    violating: [
      webAcl({ dataProtectionConfig: undefined }),
      // Another header, or the header's name in the wrong field type, leaves the key in the samples.
      webAcl({ dataProtectionConfig: { dataProtections: [{ field: { fieldType: "SINGLE_HEADER", fieldKeys: ["user-agent"] }, action: "SUBSTITUTION" }] } }, "other-header-waf"),
      webAcl({ dataProtectionConfig: { dataProtections: [{ field: { fieldType: "SINGLE_COOKIE", fieldKeys: ["authorization"] }, action: "SUBSTITUTION" }] } }, "cookie-waf"),
      // An exclusion puts the value back where rules report what they matched.
      webAcl({ dataProtectionConfig: { dataProtections: [{ ...KEY_PROTECTION.dataProtections[0], excludeRuleMatchDetails: true }] } }, "excluding-waf"),
    ],
    expected: [/^dataProtectionConfig does not protect the authorization header \(SINGLE_HEADER, SUBSTITUTION or HASH, no exclusions\): sampled requests would show merchants' API keys$/],
  },
  "waf-accepted-text": {
    passing: [
      webAcl({ description: "payments-dr payments API stage" }),
      r("aws:wafv2/ipSet:IpSet", "route53-checkers", { name: "payments-dr-route53-checkers-use1-dev", description: "Route 53 health checkers: on /health only with our health check token" }),
      r("aws:wafv2/regexPatternSet:RegexPatternSet", "token-pattern", { name: "payments-dr-health-check-token-use1-dev", description: "The token of our Route 53 health checks, query argument check" }),
    ],
    violating: [
      // AWS refused this one at deploy: WAF descriptions take no parentheses.
      r("aws:wafv2/regexPatternSet:RegexPatternSet", "token-pattern", { name: "payments-dr-health-check-token-use1-dev", description: "The token of our Route 53 health checks (query argument check)" }),
      r("aws:wafv2/ipSet:IpSet", "route53-checkers", { name: "payments-dr route53 checkers", description: "Route 53's health checkers" }),
      webAcl({ description: " starts with a space" }, "spaced-waf"),
      webAcl({ description: "x".repeat(257) }, "long-waf"),
    ],
    expected: [
      /^description "The token of our Route 53 health checks \(query argument check\)" does not match WAF's pattern/,
      /^name "payments-dr route53 checkers" is not 1-128 letters, digits, _ or -$/,
      /^description "Route 53's health checkers" does not match/,
      /^description " starts with a space" does not match/,
      /^description "x{257}" does not match/,
    ],
  },
  "api-keys-table-access": {
    passing: [
      role("api-role", "payments-dr-api-use1-dev"),
      rolePolicy("api-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: KEYS_TABLE_ARN, Condition: LAST_USED_ONLY }),
      role("authorizer-role", "payments-dr-authorizer-use1-dev"),
      rolePolicy("authorizer-access", "payments-dr-authorizer-use1-dev", { Effect: "Allow", Action: "dynamodb:GetItem", Resource: KEYS_TABLE_ARN }),
      // Other tables, and roles that Lambda cannot assume, are not this policy's concern.
      rolePolicy("sessions-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: "dynamodb:*", Resource: SESSIONS_TABLE_ARN }),
      role("keys-admin-role", "payments-dr-keys-admin-dev", "states.amazonaws.com"),
      rolePolicy("keys-admin-access", "payments-dr-keys-admin-dev", { Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:Scan"], Resource: KEYS_TABLE_ARN }),
    ],
    violating: [
      role("api-role", "payments-dr-api-use1-dev"),
      rolePolicy("api-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:GetItem"], Resource: KEYS_TABLE_ARN }),
      role("authorizer-role", "payments-dr-authorizer-use1-dev", "lambda.amazonaws.com", {
        inlinePolicies: [{ name: "touch-keys", policy: policyDocument({ Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: KEYS_TABLE_ARN, Condition: { "ForAnyValue:StringEquals": { "dynamodb:Attributes": ["lastUsedAt"] } } }) }],
      }),
      // A role outside the stack might be a function's; a wildcard covers the keys table.
      rolePolicy("outside-access", "payments-dr-elsewhere-use1-dev", { Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/*" }),
      r("aws:iam/policy:Policy", "batch-policy", { name: "payments-dr-batch-dev", policy: policyDocument({ Effect: "Allow", Action: "dynamodb:Batch*", Resource: "*" }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "batch-attachment", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::123456789012:policy/payments-dr-batch-dev" }),
      rolePolicy("index-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: "dynamodb:Scan", Resource: `${KEYS_TABLE_ARN}/index/*` }),
      // The stream carries every item's old and new image; an export copies them all.
      rolePolicy("stream-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: ["dynamodb:GetShardIterator", "dynamodb:GetRecords"], Resource: `${KEYS_TABLE_ARN}/stream/*` }),
      rolePolicy("export-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: ["dynamodb:ExportTableToPointInTime", "dynamodb:UpdateContinuousBackups"], Resource: KEYS_TABLE_ARN }),
      // lastUsedAt only, but on any item: the key's own item too, where a write can undo a revocation.
      rolePolicy("key-item-access", "payments-dr-api-use1-dev", {
        Effect: "Allow",
        Action: "dynamodb:UpdateItem",
        Resource: KEYS_TABLE_ARN,
        Condition: { "ForAllValues:StringEquals": { "dynamodb:Attributes": ["keyId", "lastUsedAt"] } },
      }),
    ],
    expected: [
      /^policy allows dynamodb:Query, dynamodb:PutItem on the API keys table \(arn:aws:dynamodb:us-east-1:123456789012:table\/payments-dr-api-keys-dev\)$/,
      /^inline policy touch-keys allows dynamodb:UpdateItem on the API keys table \(.*\) without a ForAllValues condition on dynamodb:Attributes$/,
      /^policy allows dynamodb:Scan, dynamodb:Query, dynamodb:PutItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem, dynamodb:PartiQLSelect, .* on the API keys table \(arn:aws:dynamodb:us-east-1:123456789012:table\/\*\)$/,
      /^policy allows dynamodb:UpdateItem on the API keys table \(arn:aws:dynamodb:us-east-1:123456789012:table\/\*\) without/,
      /^policy allows dynamodb:BatchWriteItem on the API keys table \(\*\)$/,
      /^policy allows dynamodb:Scan on the API keys table \(.*api-keys-dev\/index\/\*\)$/,
      /^policy allows dynamodb:GetRecords, dynamodb:GetShardIterator on the API keys table \(.*api-keys-dev\/stream\/\*\)$/,
      /^policy allows dynamodb:ExportTableToPointInTime, dynamodb:UpdateContinuousBackups on the API keys table \(.*api-keys-dev\)$/,
      /^policy allows dynamodb:UpdateItem on the API keys table \(.*api-keys-dev\) beyond usage items \(no ForAllValues condition limiting dynamodb:LeadingKeys to used#…\)$/,
    ],
  },
  "lambda-role-no-service-wildcard": {
    passing: [
      role("api-role", "payments-dr-api-use1-dev"),
      rolePolicy("api-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: SESSIONS_TABLE_ARN }),
      // A prefix names a family of actions, not the service; a Deny may be as wide as it likes.
      rolePolicy("api-reads", "payments-dr-api-use1-dev", { Effect: "Allow", Action: ["s3:Get*", "dynamodb:Describe*"], Resource: `arn:aws:s3:::${BUCKET}/*` }),
      rolePolicy("api-deny", "payments-dr-api-use1-dev", { Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }),
      // A role only an AWS service assumes acts as that service does.
      role("replication-role", "payments-dr-s3-replication-dev", "s3.amazonaws.com"),
      rolePolicy("replication-access", "payments-dr-s3-replication-dev", { Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${BUCKET}/*` }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "replication-full", { role: "payments-dr-s3-replication-dev", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
      // An AWS managed policy for Lambda roles that names its actions.
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "vpc-access", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }),
    ],
    violating: [
      role("api-role", "payments-dr-api-use1-dev"),
      // One table is still the whole of DynamoDB on it: DeleteTable, UpdateContinuousBackups.
      rolePolicy("sessions-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: "dynamodb:*", Resource: SESSIONS_TABLE_ARN }),
      role("authorizer-role", "payments-dr-authorizer-use1-dev", "lambda.amazonaws.com", {
        inlinePolicies: [{ name: "key-use", policy: policyDocument({ Effect: "Allow", Action: "KMS:*", Resource: KEY, Condition: { StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } } }) }],
      }),
      // A role outside the stack might be a function's.
      rolePolicy("outside-access", "payments-dr-elsewhere-use1-dev", { Effect: "Allow", NotAction: "iam:*", Resource: `arn:aws:s3:::${BUCKET}/*` }),
      r("aws:iam/policy:Policy", "wide-policy", { name: "payments-dr-wide-dev", policy: policyDocument({ Effect: "Allow", Action: ["s3:GetObject", "sqs*", "dynamo*:*", "kms:?*", "*"], Resource: KEY }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "wide-attachment", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::123456789012:policy/payments-dr-wide-dev" }),
      // AWS managed policies are not in the stack: their names say what they allow.
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dynamodb-full", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess_v2" }),
      r("aws:iam/policyAttachment:PolicyAttachment", "lambda-full", { roles: ["payments-dr-s3-replication-dev", "payments-dr-authorizer-use1-dev"], policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess" }),
    ],
    expected: [
      /^attaches arn:aws:iam::aws:policy\/AmazonDynamoDBFullAccess_v2, an AWS managed policy that allows every action of its service$/,
      /^attaches arn:aws:iam::aws:policy\/AWSLambda_FullAccess, an AWS managed policy/,
      /^policy allows Action "dynamodb:\*": every action of a service, not the ones the function calls$/,
      /^inline policy key-use allows Action "KMS:\*"/,
      /^policy allows every action but iam:\* \(NotAction\): every action of every other service$/,
      /^policy allows Action "sqs\*", Action "dynamo\*:\*", Action "kms:\?\*", Action "\*": every action of a service/,
    ],
  },
  "allowed-regions": {
    passing: [r("aws:sns/topic:Topic", "dr-topic", { name: "payments-dr-alerts-use2-dev" }, { provider: "us-east-2", region: "us-east-2" }), secret()],
    violating: [
      provider("eu-west-1", "eu-west-1"),
      r("aws:sns/topic:Topic", "eu-topic", { name: "payments-dr-alerts-euw1-dev" }, { provider: "eu-west-1", region: "eu-west-1" }),
      secret({ replicas: [{ region: "us-west-2", kmsKeyId: DR_KEY }] }),
      r("aws:sns/topic:Topic", "default-provider-topic", { name: "payments-dr-alerts-dev" }, { provider: null, region: null }),
    ],
    expected: [/region eu-west-1 is not the primary \(us-east-1\) or DR \(us-east-2\) region/, /replica us-west-2 is not/, /no region: create it through an explicit provider/],
  },
  "no-retained-resources": {
    passing: [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" })],
    violating: [
      r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }, { options: { retainOnDelete: true } }),
      r("aws:kms/key:Key", "key-key", { enableKeyRotation: true }, { options: { protect: true } }),
      lambda({ skipDestroy: true }),
    ],
    expected: [/retainOnDelete is set/, /protect is set/, /skipDestroy is true/],
  },
  "deletion-settings-match-config": {
    passing: [primaryCluster(), ...bucketWith(), sessionsTable(), tableReplica(), r("aws:rds/globalCluster:GlobalCluster", "aurora-global-cluster", { globalClusterIdentifier: "payments-dr-aurora-dev", storageEncrypted: true, deletionProtection: false })],
    violating: [
      primaryCluster({ skipFinalSnapshot: false }),
      r("aws:s3/bucket:Bucket", "data-bucket", { bucket: BUCKET }),
      sessionsTable({ deletionProtectionEnabled: true }),
    ],
    expected: [/skipFinalSnapshot is false, the stack config says true/, /keeps a final snapshot but sets no finalSnapshotIdentifier/, /forceDestroy is false, the stack config says true/, /deletionProtectionEnabled is true, the stack config says false/],
  },
  "log-retention": {
    passing: [r("aws:cloudwatch/logGroup:LogGroup", "flow-logs", { name: "payments-dr-vpc-flow-logs-use1-dev", kmsKeyId: KEY, retentionInDays: 30 })],
    violating: [
      r("aws:cloudwatch/logGroup:LogGroup", "flow-logs", { name: "payments-dr-vpc-flow-logs-use1-dev", kmsKeyId: KEY }),
      r("aws:cloudwatch/logGroup:LogGroup", "audit-logs", { name: "payments-dr-audit-use1-dev", kmsKeyId: KEY, retentionInDays: 3653 }),
    ],
    expected: [/retentionInDays is not set/, /retentionInDays 3653 exceeds 400/],
  },
  "aurora-performance-insights": {
    passing: [r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-dev", performanceInsightsEnabled: true })],
    violating: [r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-dev" })],
    expected: [/performanceInsightsEnabled is not true/],
  },
  "secrets-recovery-window": {
    passing: [secret({ recoveryWindowInDays: 7 })],
    violating: [secret({ recoveryWindowInDays: 0 })],
    expected: [/recoveryWindowInDays is 0 in a stack with deletionProtection/],
    config: { "payments-dr:deletionProtection": "true" },
  },
};

function violationsOf(policy: string, resources: PlannedResource[], config?: Record<string, string>) {
  return checkPlan(plan(resources, config), { environmentSuffixVariable: "" }).filter((v) => v.policy === policy);
}

describe("compliance policies", () => {
  it("each policy has metadata, a level, and a violating and a passing case below", () => {
    expect(POLICIES.map((p) => p.name).sort()).toEqual(Object.keys(CASES).sort());
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const policy of POLICIES) {
      expect(policy.description.length).toBeGreaterThan(20);
      expect(policy.remediation.length).toBeGreaterThan(20);
      expect(["mandatory", "advisory"]).toContain(policy.enforcementLevel);
      if (policy.enforcementLevel === "advisory") expect(policy.description).toMatch(/^ADVISORY\./);
    }
  });

  describe.each(Object.entries(CASES))("%s", (policy, { passing, violating, expected, config }) => {
    it("passes compliant resources", () => {
      expect(violationsOf(policy, passing, config)).toEqual([]);
    });

    it("reports each violating resource with what is wrong", () => {
      const found = violationsOf(policy, violating, config);
      const level = POLICIES.find((p) => p.name === policy)!.enforcementLevel;
      expect(found.length).toBeGreaterThan(0);
      for (const v of found) expect(v).toMatchObject({ policy, enforcementLevel: level, resource: { type: expect.any(String), name: expect.any(String) } });
      for (const pattern of expected) expect(found.map((v) => v.message)).toContainEqual(expect.stringMatching(pattern));
    });
  });

  it("matches S3 companions to their own bucket: another bucket's companions do not count", () => {
    const replica = r("aws:s3/bucket:Bucket", "replica-bucket", { bucket: "payments-dr-replica-use1-123456789012-dev", forceDestroy: true });
    const found = checkPlan(plan([...bucketWith(), replica])).filter((v) => v.policy.startsWith("s3-"));
    expect(found.map((v) => `${v.policy} ${v.resource.name}`).sort()).toEqual([
      "s3-encryption-cmk replica-bucket",
      "s3-no-sse-c replica-bucket",
      "s3-public-access-blocked replica-bucket",
      "s3-tls-only replica-bucket",
      "s3-versioning replica-bucket",
    ]);
  });

  // AWS keeps one setting of each kind per bucket (per web ACL): of two companions, the one applied last wins.
  const WEAK_SECOND_COMPANIONS: [string, PlannedResource[], RegExp][] = [
    [
      "s3-public-access-blocked",
      [...bucketWith(), r("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-public-access-2", { bucket: BUCKET, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true })],
      /^its BucketPublicAccessBlock data-public-access-2: blockPublicPolicy not true \(2 BucketPublicAccessBlocks target this bucket: AWS keeps the one applied last\)$/,
    ],
    [
      "s3-tls-only",
      [...bucketWith(), r("aws:s3/bucketPolicy:BucketPolicy", "data-policy-2", { bucket: BUCKET, policy: policyDocument({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }) })],
      /^its BucketPolicy data-policy-2: no Deny statement for everyone on s3:\*/,
    ],
    [
      "s3-no-sse-c",
      [
        ...bucketWith(),
        r("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "data-encryption-2", {
          bucket: BUCKET,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, blockedEncryptionTypes: ["NONE"] }],
        }),
      ],
      /^its BucketServerSideEncryptionConfiguration data-encryption-2: no rule blocks SSE-C .*\(2 BucketServerSideEncryptionConfigurations target this bucket/,
    ],
    [
      "s3-encryption-cmk",
      [...bucketWith(), r("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "data-encryption-2", { bucket: BUCKET, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })],
      /^its BucketServerSideEncryptionConfiguration data-encryption-2: default encryption is AES256/,
    ],
    [
      "s3-versioning",
      [...bucketWith(), r("aws:s3/bucketVersioning:BucketVersioning", "data-versioning-2", { bucket: BUCKET, versioningConfiguration: { status: "Suspended" } })],
      /^its BucketVersioning data-versioning-2: versioning status is Suspended, not Enabled/,
    ],
    [
      "waf-logging",
      [webAcl(), wafLogGroup(), wafLogging(), wafLogging({ redactedFields: [] }, "api-waf-logging-2")],
      /^its WebAclLoggingConfiguration api-waf-logging-2: redactedFields does not redact the authorization header .*\(2 WebAclLoggingConfigurations target this web ACL/,
    ],
    [
      "apigateway-throttling",
      [stage(), methodSettings(), r("aws:apigateway/methodSettings:MethodSettings", "api-payments-settings", { restApi: REST_API, stageName: "v1", methodPath: "~1payments/POST", settings: { metricsEnabled: true } })],
      /^its MethodSettings api-payments-settings \(methodPath ~1payments\/POST\) sets no throttlingRateLimit and throttlingBurstLimit above 0/,
    ],
    [
      "apigateway-throttling",
      [
        stage(),
        r("aws:apigateway/usagePlan:UsagePlan", "api-plan", { name: "payments-dr-api-use1-dev", apiStages: [{ apiId: REST_API, stage: "v1" }], throttleSettings: { rateLimit: 10, burstLimit: 20 } }),
        r("aws:apigateway/usagePlan:UsagePlan", "api-open-plan", { name: "payments-dr-open-use1-dev", apiStages: [{ apiId: REST_API, stage: "v1" }] }),
      ],
      /^its UsagePlan api-open-plan has no throttleSettings/,
    ],
  ];

  it.each(WEAK_SECOND_COMPANIONS)("%s judges every companion: a second, weak one beside a compliant one is refused", (policy, resources, message) => {
    expect(violationsOf(policy, resources).map((v) => v.message)).toEqual([expect.stringMatching(message)]);
  });

  it("an unthrottled usage plan beside throttled MethodSettings does not lift the stage's limits", () => {
    const openPlan = r("aws:apigateway/usagePlan:UsagePlan", "api-open-plan", { name: "payments-dr-open-use1-dev", apiStages: [{ apiId: REST_API, stage: "v1" }] });
    expect(violationsOf("apigateway-throttling", [stage(), methodSettings(), openPlan])).toEqual([]);
  });

  it("leaves only GET /health anonymous: not another method on it, not a health resource under another path", () => {
    const found = violationsOf("apigateway-methods-authorized", CASES["apigateway-methods-authorized"].violating);
    expect(found.map((v) => v.resource.name).sort()).toEqual(["api-get-payments-health", "api-get-payments-id", "api-post-health", "api-post-payments", "api-rest-api", "export-api"]);
  });

  it("reads the environment suffix and the regions from the stack config", () => {
    const topic = r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-euw1-prod", kmsMasterKeyId: KEY }, { provider: "prod", region: "eu-west-1" });
    const topicPolicy = r(
      "aws:sns/topicPolicy:TopicPolicy",
      "alerts-policy",
      {
        arn: "arn:aws:sns:eu-west-1:123456789012:payments-dr-alerts-euw1-prod",
        policy: policyDocument({ Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      },
      { provider: "prod", region: "eu-west-1" },
    );
    const prod = plan([provider("prod", "eu-west-1", { ...TAGS, EnvironmentSuffix: "prod" }), topic, topicPolicy], {
      "payments-dr:environmentSuffix": "prod",
      "payments-dr:primaryRegion": "eu-west-1",
    });
    expect(checkPlan(prod).filter((v) => v.resource.name === "alerts-topic" || v.resource.name === "prod")).toEqual([]);
    expect(violationsOf("environment-suffix-in-names", [topic])).toEqual([expect.objectContaining({ message: 'name "payments-dr-alerts-euw1-prod" does not end with "-dev"' })]);
  });

  it("falls back to ENVIRONMENT_SUFFIX when the config has no suffix, as the programs do", () => {
    const topic = [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-pr42" })];
    const found = checkPlan(plan(topic), { environmentSuffixVariable: "pr42" }).filter((v) => v.policy === "environment-suffix-in-names");
    expect(found).toEqual([]);
  });

  it("lets a stack that keeps final snapshots retain its KMS keys (the snapshots are encrypted with them), and nothing else", () => {
    const retained = { options: { retainOnDelete: true } };
    const key = r("aws:kms/key:Key", "key-key", { enableKeyRotation: true }, retained);
    const topic = r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }, retained);
    const keepsSnapshots = { "payments-dr:skipFinalSnapshot": "false" };
    expect(violationsOf("no-retained-resources", [key, topic], keepsSnapshots).map((v) => v.resource.name)).toEqual(["alerts-topic"]);
    expect(violationsOf("no-retained-resources", [key]).map((v) => v.message)).toEqual(["retainOnDelete is set: destroy would leave it behind"]);
  });

  it("gives a protected stack's KMS keys 30 days to cancel a deletion (unset: KMS's default, 30), and lets an unprotected stack use 7", () => {
    const keys = [
      r("aws:kms/key:Key", "default-window", { enableKeyRotation: true }),
      r("aws:kms/key:Key", "protected-window", { enableKeyRotation: true, deletionWindowInDays: 30 }),
      r("aws:kms/key:Key", "short-window", { enableKeyRotation: true, deletionWindowInDays: 7 }),
      r("aws:kms/replicaKey:ReplicaKey", "short-replica", { primaryKeyArn: KEY, deletionWindowInDays: 7 }, { provider: "us-east-2", region: "us-east-2" }),
    ];
    expect(violationsOf("deletion-settings-match-config", keys, { "payments-dr:deletionProtection": "true" }).map((v) => v.resource.name)).toEqual(["short-window", "short-replica"]);
    expect(violationsOf("deletion-settings-match-config", keys)).toEqual([]);
  });

  it("pitfall: AWS cannot rotate HMAC and asymmetric keys (it refuses enableKeyRotation on them): kms-key-rotation skips them, and still asks a symmetric key", () => {
    const keys = [
      r("aws:kms/key:Key", "api-key-hmac", { description: "API key hashing", customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }),
      r("aws:kms/key:Key", "receipt-signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }),
      r("aws:kms/key:Key", "rsa-encryption", { customerMasterKeySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" }),
      r("aws:kms/key:Key", "key-key", { customerMasterKeySpec: "SYMMETRIC_DEFAULT" }),
      r("aws:kms/key:Key", "unreadable-spec", { customerMasterKeySpec: "[secret]" }),
    ];
    expect(violationsOf("kms-key-rotation", keys).map((v) => v.resource.name)).toEqual(["key-key", "unreadable-spec"]);
  });

  it("pitfall: missing ignoreChanges on globalClusterIdentifier / replicationSourceIdentifier — a member without them is a mandatory violation", () => {
    const found = violationsOf("aurora-global-member", [secondaryCluster()].map((c) => ({ ...c, options: {} })));
    expect(found).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining("globalClusterIdentifier, replicationSourceIdentifier, engineVersion") })]);
  });

  it("lambda-role-no-service-wildcard tells every action of a service from a family of its actions", () => {
    const flagged = (action: string) =>
      violationsOf("lambda-role-no-service-wildcard", [role("api-role", "payments-dr-api-use1-dev"), rolePolicy("api-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: action, Resource: SESSIONS_TABLE_ARN })]).length > 0;
    const wholeServices = ["*", "*:*", "dynamodb:*", "DynamoDB:*", "s3*", "kms:?*", "dyn*:*", "?3:*"];
    const families = ["s3:Get*", "dynamodb:Describe*", "*:Get*", "*Item", "s3:*Object", "s3:GetObject", "iam:???"];
    expect(wholeServices.filter(flagged)).toEqual(wholeServices);
    expect(families.filter(flagged)).toEqual([]);
  });

  it("replica-key-region sends an S3 replica to the other of the stack's two regions, whichever the source's", () => {
    const fromDr = (key: string) => ({ ...replicationConfig({ destination: { bucket: `arn:aws:s3:::${BUCKET}`, encryptionConfiguration: { replicaKmsKeyId: key } } }), provider: "us-east-2", region: "us-east-2" });
    expect(violationsOf("replica-key-region", [fromDr(KEY)])).toEqual([]);
    expect(violationsOf("replica-key-region", [fromDr(DR_KEY)]).map((v) => v.message)).toEqual([expect.stringMatching(/is a key of us-east-2, not of us-east-1, where it encrypts/)]);
  });

  it("the README's policy table lists every policy with its level, and nothing else", () => {
    const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (?:\*\*)?(mandatory|advisory)(?:\*\*)? \|/gm)].map(([, name, level]) => `${name} ${level}`);
    expect(rows.sort()).toEqual(POLICIES.map((p) => `${p.name} ${p.enforcementLevel}`).sort());
  });

  it("derives the taggable types from the installed @pulumi/aws schema (the committed list is up to date)", () => {
    const script = path.resolve(__dirname, "../scripts/taggable-types.mjs");
    expect(execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" })).toMatch(/up to date/);
  });
});

/**
 * One broken check per case, alone: the CASES above break several checks of a policy at once, so
 * a check that stopped working would still leave the others' messages. Each of these must be
 * reported on the named resource by itself.
 */
const SINGLE_CHECKS: { policy: string; what: string; resources: PlannedResource[]; on: string; message: RegExp; config?: Record<string, string> }[] = [
  {
    policy: "sns-tls-only",
    // Pitfall: judged per topic only, a TopicPolicy on a topic the stack does not create (its ARN from config or another stack) escaped the check it had as a resource rule.
    what: "a TopicPolicy on a topic this stack does not create, without the TLS refusal",
    resources: [
      r("aws:sns/topicPolicy:TopicPolicy", "imported-topic-policy", {
        arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-imported-use1-dev",
        policy: policyDocument({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      }),
    ],
    on: "imported-topic-policy",
    message: /^targets no topic of this stack: no Deny statement for everyone on sns:Publish/,
  },
  { policy: "environment-suffix-in-names", what: "an autonamed IAM role", resources: [role("api-role", "")], on: "api-role", message: /^has no name/ },
  { policy: "encryption-at-rest-cmk", what: "a stage with a cache cluster (GET responses cached by path, unencrypted by default)", resources: [stage({ cacheClusterEnabled: true, cacheClusterSize: "0.5" })], on: "api-stage", message: /^cacheClusterEnabled is true: the stage caches GET responses/ },
  {
    policy: "s3-versioning",
    what: "a BucketV2's inline lifecycle rule that lists an expiration of current versions",
    resources: [...bucketWith(), r("aws:s3/bucketV2:BucketV2", "other-bucket", { bucket: "payments-dr-other-use1-dev", lifecycleRules: [{ id: "purge", enabled: true, expirations: [{ days: 1 }] }] })],
    on: "other-bucket",
    message: /^lifecycleRules rule purge expires current versions \(expiration\.days 1\)/,
  },
  {
    policy: "apigateway-methods-authorized",
    what: "an OpenAPI body put onto the REST API by a RestApiPut",
    resources: [r("aws:apigateway/restApiPut:RestApiPut", "api-put", { restApiId: REST_API, body: JSON.stringify({ openapi: "3.0.1", paths: { "/payments/export": { get: {} } } }) })],
    on: "api-put",
    message: /^routes given in an OpenAPI body are not checked/,
  },
  { policy: "waf-logging", what: "a logging filter whose filters are a redacted secret", resources: [webAcl(), wafLogGroup(), wafLogging({ loggingFilter: { defaultBehavior: "KEEP", filters: "[secret]" } })], on: "api-waf", message: /cannot verify a secret-wrapped value of loggingFilter\.filters/ },
  { policy: "waf-logging", what: "a logging filter as a redacted secret", resources: [webAcl(), wafLogGroup(), wafLogging({ loggingFilter: "[secret]" })], on: "api-waf", message: /: cannot verify a secret-wrapped value of loggingFilter \(/ },
  {
    policy: "waf-logging",
    what: "a redacted logging filter after one that meets no blocked request",
    resources: [
      webAcl(),
      wafLogGroup(),
      wafLogging({ loggingFilter: { defaultBehavior: "KEEP", filters: [{ behavior: "KEEP", requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "ALLOW" } }] }, "[secret]"] } }),
    ],
    on: "api-waf",
    message: /: cannot verify a secret-wrapped value of loggingFilter\.filters\[1\] /,
  },
  { policy: "encryption-at-rest-cmk", what: "an Aurora cluster with a CMK but storageEncrypted false", resources: [primaryCluster({ storageEncrypted: false })], on: "aurora-cluster", message: /^storageEncrypted is not true$/ },
  {
    policy: "encryption-at-rest-cmk",
    what: "a log group without a key",
    resources: [r("aws:cloudwatch/logGroup:LogGroup", "flow-logs", { name: "payments-dr-vpc-flow-logs-use1-dev", retentionInDays: 30 })],
    on: "flow-logs",
    message: /^kmsKeyId is not a customer-managed KMS key$/,
  },
  {
    policy: "encryption-at-rest-cmk",
    what: "a DynamoDB table whose SSE is disabled (an AWS-owned key) though a key ARN is given",
    resources: [sessionsTable({ serverSideEncryption: { enabled: false, kmsKeyArn: KEY } })],
    on: "sessions-table",
    message: /^serverSideEncryption is not enabled/,
  },
  { policy: "encryption-at-rest-cmk", what: "a TableReplica without a key (aws/dynamodb)", resources: [tableReplica({ kmsKeyArn: undefined })], on: "sessions-replica", message: /^kmsKeyArn is not a customer-managed KMS key/ },
  {
    policy: "encryption-at-rest-cmk",
    what: "a method cache with cacheDataEncrypted false",
    resources: [methodSettings({ cachingEnabled: true, cacheDataEncrypted: false })],
    on: "api-throttling",
    message: /^settings\.cachingEnabled is true but settings\.cacheDataEncrypted is not/,
  },
  { policy: "encryption-at-rest-cmk", what: "a function without a key (environment under aws/lambda)", resources: [lambda({ kmsKeyArn: undefined })], on: "api-function", message: /^kmsKeyArn is not a customer-managed KMS key/ },
  { policy: "encryption-at-rest-cmk", what: "a function under Lambda's AWS-managed key", resources: [lambda({ kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/aws/lambda" })], on: "api-function", message: /^kmsKeyArn is not a customer-managed KMS key/ },
  { policy: "encryption-at-rest-cmk", what: "a secret under the AWS-managed key", resources: [secret({ kmsKeyId: "alias/aws/secretsmanager" })], on: "aurora-secret", message: /^kmsKeyId is not a customer-managed KMS key/ },
  // Pitfall: a secret-wrapped input reaches the offline check as "[secret]"; a check that cannot read it fails.
  ...[
    { what: "a topic's key", resources: [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev", kmsMasterKeyId: "[secret]" })], on: "alerts-topic", field: "kmsMasterKeyId" },
    { what: "an Aurora cluster's key", resources: [primaryCluster({ kmsKeyId: "[secret]" })], on: "aurora-cluster", field: "kmsKeyId" },
    { what: "an Aurora cluster's storageEncrypted", resources: [primaryCluster({ storageEncrypted: "[secret]" })], on: "aurora-cluster", field: "storageEncrypted" },
    { what: "a table's serverSideEncryption", resources: [sessionsTable({ serverSideEncryption: "[secret]" })], on: "sessions-table", field: "serverSideEncryption" },
    { what: "a table replica's key", resources: [sessionsTable({}, { kmsKeyArn: "[secret]" })], on: "sessions-table", field: "the replica in us-east-2's kmsKeyArn" },
    { what: "a TableReplica's key", resources: [tableReplica({ kmsKeyArn: "[secret]" })], on: "sessions-replica", field: "kmsKeyArn" },
    { what: "a method cache's cachingEnabled", resources: [methodSettings({ cachingEnabled: "[secret]" })], on: "api-throttling", field: "settings \\(cachingEnabled, cacheDataEncrypted\\)" },
    { what: "a secret replica's key", resources: [secret({ replicas: [{ region: "us-east-2", kmsKeyId: "[secret]" }] })], on: "aurora-secret", field: "the replica in us-east-2's kmsKeyId" },
    { what: "a function's key", resources: [lambda({ kmsKeyArn: "[secret]" })], on: "api-function", field: "kmsKeyArn" },
    { what: "a stage's cacheClusterEnabled", resources: [stage({ cacheClusterEnabled: "[secret]" })], on: "api-stage", field: "cacheClusterEnabled" },
  ].map(({ what, resources, on, field }) => ({ policy: "encryption-at-rest-cmk", what: `${what} as a redacted secret`, resources, on, message: new RegExp(`^cannot verify a secret-wrapped value of ${field} `) })),
  {
    policy: "s3-encryption-cmk",
    what: "a bucket key as a redacted secret",
    resources: bucketWith({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "[secret]" } }] } }),
    on: "data-bucket",
    message: /: cannot verify a secret-wrapped value of the default encryption \(rules\)/,
  },
  {
    policy: "s3-replication-kms-objects",
    what: "a replica key as a redacted secret",
    resources: [replicationConfig({ destination: { bucket: "arn:aws:s3:::payments-dr-data-use2-123456789012-dev", encryptionConfiguration: { replicaKmsKeyId: "[secret]" } } })],
    on: "replication-config",
    message: /^cannot verify a secret-wrapped value of rule replicate-all's replicaKmsKeyId/,
  },
  // Pitfall: SSE-KMS objects not selected, or no replica key → objects silently not replicated; by any enabled rule, not only the first.
  ...(
    [
      ["selection of SSE-KMS objects", /^rule replicate-archive does not select SSE-KMS objects/],
      ["replica key", /^rule replicate-archive has no customer-managed replicaKmsKeyId/],
    ] as const
  ).map(([missing, message]) => ({
    policy: "s3-replication-kms-objects",
    what: `a second enabled rule without ${missing}, beside a compliant one`,
    resources: [replicationConfig({}, [{ id: "replicate-archive", status: "Enabled", priority: 2, filter: { prefix: "archive/" }, destination: { bucket: "arn:aws:s3:::payments-dr-data-use2-123456789012-dev" } }])],
    on: "replication-config",
    message,
  })),
  ...(
    [
      [
        "a logging filter that drops every record (the blocked ones by a filter)",
        { defaultBehavior: "DROP", filters: [{ behavior: "DROP", requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "ALLOW" } }, { actionCondition: { action: "BLOCK" } }] }] },
        /: loggingFilter\.filters\[0\] has behavior DROP, not KEEP, and meets every request WAF blocks \(actionCondition BLOCK\): the attacks WAF stops would go unlogged$/,
      ],
      [
        "a logging filter that keeps allowed requests only (defaultBehavior DROP)",
        { defaultBehavior: "DROP", filters: [{ behavior: "KEEP", requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "ALLOW" } }] }] },
        /: loggingFilter\.defaultBehavior is DROP and no filter before it KEEPs every request WAF blocks/,
      ],
      [
        "a DROP filter on a label ahead of the filter keeping blocked requests",
        {
          defaultBehavior: "DROP",
          filters: [
            { behavior: "DROP", requirement: "MEETS_ALL", conditions: [{ labelNameCondition: { labelName: "awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList" } }] },
            { behavior: "KEEP", requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "BLOCK" } }] },
          ],
        },
        /: loggingFilter\.filters\[0\] has behavior DROP, not KEEP, and meets requests WAF may have blocked/,
      ],
    ] as const
  ).map(([what, loggingFilter, message]) => ({ policy: "waf-logging", what, resources: [webAcl(), wafLogGroup(), wafLogging({ loggingFilter })], on: "api-waf", message })),
  {
    policy: "waf-logging",
    what: "a WAF log group's key as a redacted secret",
    resources: [webAcl(), wafLogGroup({ kmsKeyId: "[secret]" }), wafLogging()],
    on: "api-waf",
    message: /cannot verify a secret-wrapped value of log group api-waf-logs's kmsKeyId/,
  },
  {
    policy: "database-not-public",
    what: "publiclyAccessible as a redacted secret",
    resources: [r("aws:rds/clusterInstance:ClusterInstance", "aurora-instance-1", { identifier: "payments-dr-aurora-1-use1-dev", publiclyAccessible: "[secret]" })],
    on: "aurora-instance-1",
    message: /^cannot verify a secret-wrapped value of publiclyAccessible /,
  },
  {
    policy: "iam-no-admin",
    what: "a role policy as a redacted secret",
    resources: [r("aws:iam/rolePolicy:RolePolicy", "api-access", { name: "payments-dr-api-access-use1-dev", role: "payments-dr-api-use1-dev", policy: "[secret]" })],
    on: "api-access",
    message: /^cannot verify a secret-wrapped value of policy /,
  },
  ...["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map((flag) => ({
    policy: "s3-public-access-blocked",
    what: `a public access block without ${flag}`,
    resources: bucketWith({ publicAccess: { [flag]: false } }),
    on: "data-bucket",
    message: new RegExp(`: ${flag} not true$`),
  })),
  ...(
    [
      ["a lifecycle rule expiring current versions", { id: "purge", status: "Enabled", filter: {}, expiration: { days: 365 } }, /^its BucketLifecycleConfiguration data-lifecycle: rule purge expires current versions \(expiration\.days 365\): S3 would delete the data on a timer$/],
      [
        "a lifecycle rule expiring noncurrent versions after a day",
        { id: "purge", status: "Enabled", filter: { prefix: "payments/" }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
        /^its BucketLifecycleConfiguration data-lifecycle: rule purge expires noncurrent versions after noncurrentVersionExpiration\.noncurrentDays 1, below 30 days: an overwritten or deleted object could not be recovered after that$/,
      ],
      ["a lifecycle rule expiring current versions on a date", { id: "purge", status: "Enabled", filter: {}, expiration: { date: "2030-01-01T00:00:00Z" } }, /: rule purge expires current versions \(expiration\.date 2030-01-01T00:00:00Z\)/],
      ["a lifecycle rule's expiration as a redacted secret", { id: "purge", status: "Enabled", filter: {}, expiration: "[secret]" }, /: cannot verify a secret-wrapped value of rule purge's expiration /],
      ["a lifecycle rule's expiration days as a redacted secret", { id: "purge", status: "Enabled", filter: {}, expiration: { days: "[secret]" } }, /: cannot verify a secret-wrapped value of rule purge's expiration\.days /],
      [
        "a lifecycle rule's noncurrent days as a redacted secret",
        { id: "purge", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: "[secret]" } },
        /: cannot verify a secret-wrapped value of rule purge's noncurrentVersionExpiration\.noncurrentDays /,
      ],
    ] as const
  ).map(([what, rule, message]) => ({
    policy: "s3-versioning",
    what,
    resources: [...bucketWith(), r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle", { bucket: BUCKET, rules: [rule] })],
    on: "data-bucket",
    message,
  })),
  {
    policy: "s3-versioning",
    what: "an inline lifecycle rule of the bucket expiring noncurrent versions after a day",
    resources: bucketWith().map((resource) => (resource.name === "data-bucket" ? { ...resource, inputs: { ...resource.inputs, lifecycleRules: [{ id: "purge", enabled: true, noncurrentVersionExpiration: { days: 1 } }] } } : resource)),
    on: "data-bucket",
    message: /^lifecycleRules rule purge expires noncurrent versions after noncurrentVersionExpiration\.days 1, below 30 days/,
  },
  {
    policy: "s3-versioning",
    what: "lifecycle rules as a redacted secret",
    resources: [...bucketWith(), r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle", { bucket: BUCKET, rules: "[secret]" })],
    on: "data-bucket",
    message: /^its BucketLifecycleConfiguration data-lifecycle: cannot verify a secret-wrapped value of rules /,
  },
  {
    policy: "s3-versioning",
    what: "a bucket's inline lifecycleRules as a redacted secret",
    resources: bucketWith().map((resource) => (resource.name === "data-bucket" ? { ...resource, inputs: { ...resource.inputs, lifecycleRules: "[secret]" } } : resource)),
    on: "data-bucket",
    message: /^cannot verify a secret-wrapped value of lifecycleRules /,
  },
  {
    policy: "s3-tls-only",
    what: "a TLS Deny for one principal only",
    resources: bucketWith({
      policy: { policy: policyDocument({ Effect: "Deny", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }) },
    }),
    on: "data-bucket",
    message: /no Deny statement for everyone/,
  },
  {
    policy: "no-public-ingress",
    what: "an inline IPv6 rule open to the internet",
    resources: [r("aws:ec2/securityGroup:SecurityGroup", "db-sg", { name: "payments-dr-database-sg-use1-dev", ingress: [{ ipv6CidrBlocks: ["::/0"], fromPort: 5432, toPort: 5432, protocol: "tcp" }] })],
    on: "db-sg",
    message: /^inline ingress\[0\] allows ::\/0$/,
  },
  {
    policy: "no-public-ingress",
    what: "an IPv6 range starting in fc00::/7 but wider than it",
    resources: [r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "wide-v6", { cidrIpv6: "fd00::/0" })],
    on: "wide-v6",
    message: /^ingress allows fd00::\/0$/,
  },
  {
    policy: "iam-no-admin",
    what: "AdministratorAccess in a role's managedPolicyArns",
    resources: [role("api-role", "payments-dr-api-use1-dev", "lambda.amazonaws.com", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })],
    on: "api-role",
    message: /^attaches arn:aws:iam::aws:policy\/AdministratorAccess$/,
  },
  ...(
    [
      ["NotAction (every action but one) on every resource", { Effect: "Allow", NotAction: "aws-portal:*", Resource: "*" }, /^policy allows every action but aws-portal:\* \(NotAction\) on Resource "\*"$/],
      ["every action on NotResource (every resource but one)", { Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::nothing" }, /^policy allows Action "\*" on every resource but arn:aws:s3:::nothing \(NotResource\)$/],
      ["every action on Resource arn:*", { Effect: "Allow", Action: "*", Resource: "arn:*" }, /^policy allows Action "\*" on Resource "arn:\*"$/],
      ["*:* on Resource arn:aws:*:*:*:*", { Effect: "Allow", Action: "*:*", Resource: "arn:aws:*:*:*:*" }, /^policy allows Action "\*:\*" on Resource "arn:aws:\*:\*:\*:\*"$/],
      ["iam:* on every resource (attach AdministratorAccess to itself)", { Effect: "Allow", Action: ["iam:*", "sts:AssumeRole"], Resource: "*" }, /^policy allows Action "iam:\*" on Resource "\*": IAM's own actions/],
      ["iam:* on every IAM resource", { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:*" }, /^policy allows Action "iam:\*" on Resource "arn:aws:iam::123456789012:\*": IAM's own actions/],
    ] as const
  ).map(([what, statement, message]) => ({
    policy: "iam-no-admin",
    what: `an administrator grant spelled as ${what}`,
    resources: [r("aws:iam/rolePolicy:RolePolicy", "sched-admin", { name: "payments-dr-sched-admin-use1-dev", role: "payments-dr-idem-cleanup-sched-use1-dev", policy: policyDocument(statement) })],
    on: "sched-admin",
    message,
  })),
  {
    policy: "iam-no-admin",
    what: "AdministratorAccess through RolePolicyAttachmentsExclusive (policyArns)",
    resources: [r("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "api-attachments", { roleName: "payments-dr-api-use1-dev", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })],
    on: "api-attachments",
    message: /^attaches arn:aws:iam::aws:policy\/AdministratorAccess to role payments-dr-api-use1-dev$/,
  },
  {
    policy: "iam-no-admin",
    what: "IAMFullAccess (one call from AdministratorAccess) attached to a function's role",
    resources: [r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-iam-full", { role: "payments-dr-api-use1-dev", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" })],
    on: "api-iam-full",
    message: /^attaches arn:aws:iam::aws:policy\/IAMFullAccess$/,
  },
  {
    policy: "iam-no-admin",
    what: "PowerUserAccess through a PolicyAttachment's roles",
    resources: [r("aws:iam/policyAttachment:PolicyAttachment", "power-users", { name: "payments-dr-power-users-dev", roles: ["payments-dr-api-use1-dev"], policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" })],
    on: "power-users",
    message: /^attaches arn:aws:iam::aws:policy\/PowerUserAccess to role payments-dr-api-use1-dev$/,
  },
  ...["if-exists", "wildcard"].map((name) => ({
    policy: "iam-trust-scoped",
    what: `a trust condition that pins nothing (${name})`,
    resources: CASES["iam-trust-scoped"].violating.filter((role) => role.name === name),
    on: name,
    message: /^assumeRolePolicy statement 0 lets .* assume the role/,
  })),
  {
    policy: "iam-trust-scoped",
    what: "a trust policy redacted as a secret",
    resources: [r("aws:iam/role:Role", "api-role", { name: "payments-dr-api-use1-dev", assumeRolePolicy: "[secret]" })],
    on: "api-role",
    message: /^cannot verify a secret-wrapped value of assumeRolePolicy /,
  },
  ...(
    [
      ["a secret's own policy", "aws:secretsmanager/secret:Secret", { name: "payments-dr-aurora-master-dev", kmsKeyId: KEY }],
      ["a replica key's policy", "aws:kms/replicaKey:ReplicaKey", { primaryKeyArn: KEY }],
      ["a topic's own policy", "aws:sns/topic:Topic", { name: "payments-dr-alerts-use1-dev", kmsMasterKeyId: KEY }],
      ["a bucket policy", "aws:s3/bucketPolicy:BucketPolicy", { bucket: BUCKET }],
    ] as const
  ).map(([what, type, inputs]) => ({
    policy: "no-public-resource-policy",
    what: `${what} open to everyone`,
    resources: [r(type, "exposed", { ...inputs, policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }) })],
    on: "exposed",
    message: /^policy statement 0 allows \* to everyone \(Principal "\*"\)/,
  })),
  {
    policy: "no-public-resource-policy",
    what: "a NotPrincipal Allow (everyone but one principal)",
    resources: [r("aws:sqs/queuePolicy:QueuePolicy", "queue-policy", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", policy: policyDocument({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sqs:*", Resource: "*" }) })],
    on: "queue-policy",
    message: /to everyone \(NotPrincipal: everyone but the principals it lists\)/,
  },
  {
    policy: "no-public-resource-policy",
    what: "a key policy redacted as a secret",
    resources: [r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, policy: "[secret]" })],
    on: "key-key",
    message: /^cannot verify a secret-wrapped value of policy /,
  },
  {
    policy: "lambda-in-vpc",
    what: "a function with the probe's variable and a database secret, outside the VPC",
    resources: [lambda({ vpcConfig: undefined, environment: { variables: { PROBE_TARGET_URL: "https://example.com/health", DB_SECRET_ID: "payments-dr-aurora-app-dev" } } })],
    on: "api-function",
    message: /^vpcConfig has no subnetIds$/,
  },
  ...["scheduler.amazonaws.com", "events.amazonaws.com"].map((principal) => ({
    policy: "lambda-invocation-scoped",
    what: `a permission for ${principal} without a sourceArn`,
    resources: [r("aws:lambda/permission:Permission", "cleanup-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-cleanup-use1-dev", principal })],
    on: "cleanup-invoke",
    message: new RegExp(`^principal ${principal.replace(/\./g, "\\.")} with no sourceArn`),
  })),
  {
    policy: "lambda-invocation-scoped",
    what: "a function URL permission for API Gateway (lambda:* includes lambda:InvokeFunctionUrl)",
    resources: [r("aws:lambda/permission:Permission", "api-everything", { action: "lambda:*", function: "payments-dr-api-use1-dev", principal: "apigateway.amazonaws.com", sourceArn: `arn:aws:execute-api:us-east-1:123456789012:${REST_API}/v1/*` })],
    on: "api-everything",
    message: /^lets function payments-dr-api-use1-dev be invoked through a function URL \(action lambda:\*\)/,
  },
  {
    policy: "lambda-invocation-scoped",
    what: "an InvokeFunction permission only valid through a function URL (invokedViaFunctionUrl)",
    resources: [r("aws:lambda/permission:Permission", "api-via-url", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "123456789012", invokedViaFunctionUrl: true })],
    on: "api-via-url",
    message: /through a function URL \(invokedViaFunctionUrl\)/,
  },
  {
    policy: "lambda-invocation-scoped",
    what: "a permission's principal redacted as a secret",
    resources: [r("aws:lambda/permission:Permission", "api-invoke", { action: "lambda:InvokeFunction", function: "payments-dr-api-use1-dev", principal: "[secret]" })],
    on: "api-invoke",
    message: /^cannot verify a secret-wrapped value of principal /,
  },
  {
    policy: "lambda-invocation-scoped",
    what: "a function URL's authorizationType redacted as a secret",
    resources: [r("aws:lambda/functionUrl:FunctionUrl", "api-url", { functionName: "payments-dr-api-use1-dev", authorizationType: "[secret]" })],
    on: "api-url",
    message: /^cannot verify a secret-wrapped value of authorizationType /,
  },
  {
    policy: "aurora-global-member",
    what: "an encrypted secondary (no credentials) without sourceRegion",
    resources: [secondaryCluster({ sourceRegion: undefined })],
    on: "aurora-secondary",
    message: /^encrypted secondary without kmsKeyId and sourceRegion/,
  },
  {
    policy: "aurora-global-member",
    what: "a secondary with a managed master password",
    resources: [secondaryCluster({ manageMasterUserPassword: true })],
    on: "aurora-secondary",
    message: /^secondary sets manageMasterUserPassword \(InvalidParameterCombination/,
  },
  { policy: "dynamodb-point-in-time-recovery", what: "a TableReplica without PITR", resources: [tableReplica({ pointInTimeRecovery: undefined })], on: "sessions-replica", message: /^pointInTimeRecovery is not true on this replica/ },
  {
    policy: "dynamodb-point-in-time-recovery",
    what: "PITR reaching one day back (recoveryPeriodInDays 1)",
    resources: [sessionsTable({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 1 } })],
    on: "sessions-table",
    message: /^pointInTimeRecovery\.recoveryPeriodInDays is 1, below 7 days: a bad write noticed after that cannot be undone$/,
  },
  {
    policy: "dynamodb-point-in-time-recovery",
    what: "a recovery period as a redacted secret",
    resources: [sessionsTable({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: "[secret]" } })],
    on: "sessions-table",
    message: /^cannot verify a secret-wrapped value of pointInTimeRecovery\.recoveryPeriodInDays /,
  },
  { policy: "apigateway-access-logs", what: "access logs with a format but no destination", resources: [stage({ accessLogSettings: { format: '{"requestId":"$context.requestId"}' } })], on: "api-stage", message: /^accessLogSettings has no destinationArn$/ },
  {
    policy: "apigateway-throttling",
    what: "a stage covered only by a usage plan without throttle settings",
    resources: [stage(), r("aws:apigateway/usagePlan:UsagePlan", "api-plan", { name: "payments-dr-api-use1-dev", apiStages: [{ apiId: REST_API, stage: "v1" }] })],
    on: "api-stage",
    message: /^no MethodSettings of this stage/,
  },
  {
    policy: "apigateway-tls",
    what: "a custom domain without a security policy",
    resources: [r("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "pay.example.com" })],
    on: "api-domain",
    message: /^securityPolicy is null: the domain accepts TLS 1\.0$/,
  },
  { policy: "waf-rate-limit", what: "a rate rule that only counts", resources: [webAcl({ rules: [{ ...RATE_RULE, action: { count: {} } }] })], on: "api-waf", message: /^no rule with a rateBasedStatement/ },
  ...(
    [
      ["FORWARDED_IP", { forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "NO_MATCH" } }, /the client writes that header itself/],
      ["CUSTOM_KEYS", { customKeys: [{ ip: {} }, { header: { name: "x-client-id", textTransformations: [{ priority: 0, type: "NONE" }] } }] }, /a key the client chooses/],
    ] as const
  ).map(([aggregateKeyType, keyConfig, why]) => ({
    policy: "waf-rate-limit",
    what: `the only rate rule over every request keyed on ${aggregateKeyType}`,
    resources: [webAcl({ rules: [{ ...RATE_RULE, statement: { rateBasedStatement: { aggregateKeyType, ...keyConfig, limit: 15000 } } }, COMMON_RULES] })],
    on: "api-waf",
    message: new RegExp(`^rule rate-per-ip aggregates by ${aggregateKeyType}, not IP \\(aggregateKeyType\\): ${why.source}`),
  })),
  {
    policy: "waf-rate-limit",
    what: "the only rate rule over every request keyed on FORWARDED_IP, given as ruleJson",
    resources: [webAcl({ rules: undefined, ruleJson: JSON.stringify([{ Name: "rate-per-ip", Priority: 0, Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: "FORWARDED_IP", Limit: 15000 } } }]) })],
    on: "api-waf",
    message: /^rule rate-per-ip aggregates by FORWARDED_IP, not IP/,
  },
  {
    policy: "waf-key-protection",
    what: "a protection that excludes rule match details",
    resources: [webAcl({ dataProtectionConfig: { dataProtections: [{ ...KEY_PROTECTION.dataProtections[0], excludeRuleMatchDetails: true }] } })],
    on: "api-waf",
    message: /^dataProtectionConfig does not protect the authorization header/,
  },
  {
    policy: "waf-key-protection",
    what: "a protection that excludes rate-based details",
    resources: [webAcl({ dataProtectionConfig: { dataProtections: [{ ...KEY_PROTECTION.dataProtections[0], excludeRateBasedDetails: true }] } })],
    on: "api-waf",
    message: /^dataProtectionConfig does not protect the authorization header/,
  },
  {
    policy: "api-keys-table-access",
    what: "UpdateItem whose LeadingKeys allow any item besides usage items",
    resources: [
      role("api-role", "payments-dr-api-use1-dev"),
      rolePolicy("api-access", "payments-dr-api-use1-dev", {
        Effect: "Allow",
        Action: "dynamodb:UpdateItem",
        Resource: KEYS_TABLE_ARN,
        Condition: { ...LAST_USED_ONLY, "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["used#*", "*"] } },
      }),
    ],
    on: "api-access",
    message: /beyond usage items/,
  },
  {
    policy: "api-keys-table-access",
    what: "UpdateTable (turns point-in-time recovery or the stream off) on the keys table",
    resources: [role("api-role", "payments-dr-api-use1-dev"), rolePolicy("api-access", "payments-dr-api-use1-dev", { Effect: "Allow", Action: "dynamodb:UpdateTable", Resource: KEYS_TABLE_ARN })],
    on: "api-access",
    message: /^policy allows dynamodb:UpdateTable on the API keys table/,
  },
  ...(
    [
      ["PolicyAttachment's roles", r("aws:iam/policyAttachment:PolicyAttachment", "keys-dump-on-api", { name: "payments-dr-keys-dump-dev", roles: ["payments-dr-api-use1-dev"], policyArn: "arn:aws:iam::123456789012:policy/payments-dr-keys-dump-dev" })],
      ["RolePolicyAttachmentsExclusive", r("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "api-attachments", { roleName: "payments-dr-api-use1-dev", policyArns: ["arn:aws:iam::123456789012:policy/payments-dr-keys-dump-dev"] })],
    ] as const
  ).map(([how, attachment]) => ({
    policy: "api-keys-table-access",
    what: `a managed policy a Lambda role holds through ${how}, also attached to a role Lambda cannot assume`,
    resources: [
      role("api-role", "payments-dr-api-use1-dev"),
      role("flow-logs-role", "payments-dr-vpc-flow-logs-use1-dev", "vpc-flow-logs.amazonaws.com"),
      r("aws:iam/policy:Policy", "keys-dump", { name: "payments-dr-keys-dump-dev", policy: policyDocument({ Effect: "Allow", Action: "dynamodb:Scan", Resource: KEYS_TABLE_ARN }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "keys-dump-on-flow-logs", { role: "payments-dr-vpc-flow-logs-use1-dev", policyArn: "arn:aws:iam::123456789012:policy/payments-dr-keys-dump-dev" }),
      attachment,
    ],
    on: "keys-dump",
    message: /^policy allows dynamodb:Scan on the API keys table/,
  })),
  {
    policy: "api-keys-table-access",
    what: "a managed policy attached to a role outside the stack (it might be a function's), also to a role Lambda cannot assume",
    resources: [
      role("flow-logs-role", "payments-dr-vpc-flow-logs-use1-dev", "vpc-flow-logs.amazonaws.com"),
      r("aws:iam/policy:Policy", "keys-dump", { name: "payments-dr-keys-dump-dev", policy: policyDocument({ Effect: "Allow", Action: "dynamodb:Scan", Resource: KEYS_TABLE_ARN }) }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "keys-dump-on-flow-logs", { role: "payments-dr-vpc-flow-logs-use1-dev", policyArn: "arn:aws:iam::123456789012:policy/payments-dr-keys-dump-dev" }),
      r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "keys-dump-elsewhere", { role: "payments-dr-elsewhere-use1-dev", policyArn: "arn:aws:iam::123456789012:policy/payments-dr-keys-dump-dev" }),
    ],
    on: "keys-dump",
    message: /^policy allows dynamodb:Scan on the API keys table/,
  },
  { policy: "allowed-regions", what: "a secondary replicating from another region", resources: [secondaryCluster({ sourceRegion: "us-west-2" })], on: "aurora-secondary", message: /^sourceRegion us-west-2 is not the primary/ },
  {
    policy: "allowed-regions",
    what: "a resource whose own region input (@pulumi/aws 7) overrides its provider's",
    resources: [r("aws:sns/topic:Topic", "eu-topic", { name: "payments-dr-alerts-use1-dev", region: "eu-west-1" })],
    on: "eu-topic",
    message: /^region input eu-west-1 is not the primary/,
  },
  {
    policy: "deletion-settings-match-config",
    what: "an unprotected global cluster in a protected stack",
    resources: [r("aws:rds/globalCluster:GlobalCluster", "aurora-global-cluster", { globalClusterIdentifier: "payments-dr-aurora-dev", storageEncrypted: true, deletionProtection: false })],
    on: "aurora-global-cluster",
    message: /^deletionProtection is false, the stack config says true$/,
    config: { "payments-dr:deletionProtection": "true" },
  },
  {
    policy: "deletion-settings-match-config",
    what: "an unprotected Aurora cluster in a protected stack",
    resources: [primaryCluster({ skipFinalSnapshot: false, finalSnapshotIdentifier: "payments-dr-aurora-use1-dev-final" })],
    on: "aurora-cluster",
    message: /^deletionProtection is false, the stack config says true$/,
    config: { "payments-dr:deletionProtection": "true", "payments-dr:skipFinalSnapshot": "false" },
  },
  {
    policy: "deletion-settings-match-config",
    what: "a protected table whose DR replica is not",
    resources: [sessionsTable({ deletionProtectionEnabled: true })],
    on: "sessions-table",
    message: /^replica us-east-2 deletionProtectionEnabled is false, the stack config says true$/,
    config: { "payments-dr:deletionProtection": "true" },
  },
  {
    policy: "deletion-settings-match-config",
    what: "an unprotected TableReplica in a protected stack",
    resources: [tableReplica()],
    on: "sessions-replica",
    message: /^deletionProtectionEnabled is false, the stack config says true$/,
    config: { "payments-dr:deletionProtection": "true" },
  },
  ...(
    [
      ["a disabled KMS key", r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, isEnabled: false }), /^isEnabled is false in a stack with deletionProtection: everything the key encrypts/],
      ["a KMS key deleted after 7 days", r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, deletionWindowInDays: 7 }), /^deletionWindowInDays is 7, below 30 in a stack with deletionProtection: a deleted key/],
      ["a disabled replica key", r("aws:kms/replicaKey:ReplicaKey", "key-key", { primaryKeyArn: KEY, enabled: false }, { provider: "us-east-2", region: "us-east-2" }), /^enabled is false in a stack with deletionProtection/],
      ["a replica key deleted after 7 days", r("aws:kms/replicaKey:ReplicaKey", "key-key", { primaryKeyArn: KEY, deletionWindowInDays: 7 }, { provider: "us-east-2", region: "us-east-2" }), /^deletionWindowInDays is 7, below 30/],
      ["a key's deletion window as a redacted secret", r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, deletionWindowInDays: "[secret]" }), /^cannot verify a secret-wrapped value of deletionWindowInDays /],
      ["a key's isEnabled as a redacted secret", r("aws:kms/key:Key", "key-key", { enableKeyRotation: true, isEnabled: "[secret]" }), /^cannot verify a secret-wrapped value of isEnabled /],
      ["a replica key's enabled as a redacted secret", r("aws:kms/replicaKey:ReplicaKey", "key-key", { primaryKeyArn: KEY, enabled: "[secret]" }, { provider: "us-east-2", region: "us-east-2" }), /^cannot verify a secret-wrapped value of enabled /],
    ] as const
  ).map(([what, key, message]) => ({ policy: "deletion-settings-match-config", what: `${what} in a protected stack`, resources: [key], on: "key-key", message, config: { "payments-dr:deletionProtection": "true" } })),
  // Admin access attached through the other attachment types: each names its holders differently.
  ...(
    [
      ["a PolicyAttachment to a user and a group", "aws:iam/policyAttachment:PolicyAttachment", { name: "payments-dr-admin-dev", users: ["ops"], groups: ["admins"], policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, / to user ops, group admins$/],
      ["a UserPolicyAttachmentsExclusive", "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", { userName: "ops", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }, / to user ops$/],
      ["a GroupPolicyAttachmentsExclusive", "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", { groupName: "admins", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }, / to group admins$/],
    ] as const
  ).map(([what, type, inputs, to]) => ({
    policy: "iam-no-admin",
    what: `AdministratorAccess through ${what}`,
    resources: [r(type, "admin-attachment", inputs)],
    on: "admin-attachment",
    message: new RegExp(`^attaches arn:aws:iam::aws:policy/AdministratorAccess${to.source}`),
  })),
  // A document the rule cannot parse is refused, not passed for lack of statements.
  {
    policy: "iam-no-admin",
    what: "a role policy that is not JSON",
    resources: [r("aws:iam/rolePolicy:RolePolicy", "api-access", { name: "payments-dr-api-access-use1-dev", role: "payments-dr-api-use1-dev", policy: "Allow *" })],
    on: "api-access",
    message: /^policy is not a readable JSON policy document$/,
  },
  { policy: "iam-trust-scoped", what: "a trust policy that is not JSON", resources: [role("api-role", "payments-dr-api-use1-dev", undefined, { assumeRolePolicy: "{" })], on: "api-role", message: /^assumeRolePolicy is not a readable JSON policy document$/ },
  {
    policy: "no-public-resource-policy",
    what: "a queue policy that is not JSON",
    resources: [r("aws:sqs/queuePolicy:QueuePolicy", "queue-policy", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", policy: "{" })],
    on: "queue-policy",
    message: /^policy is not a readable JSON policy document$/,
  },
  {
    policy: "no-public-resource-policy",
    what: "a KMS grant to a bare account id of another account",
    resources: [r("aws:kms/grant:Grant", "partner-grant", { name: "partner-dev", keyId: KEY, granteePrincipal: "999999999999", operations: ["Decrypt"] })],
    on: "partner-grant",
    message: /^granteePrincipal 999999999999 \(Decrypt\) is not a principal of the key's account 123456789012/,
  },
  {
    policy: "no-public-resource-policy",
    what: "a KMS grant whose retiring principal is a redacted secret",
    resources: [r("aws:kms/grant:Grant", "own-role-grant", { name: "payments-dr-api-dev", keyId: KEY, granteePrincipal: "arn:aws:iam::123456789012:role/payments-dr-api-use1-dev", retiringPrincipal: "[secret]", operations: ["Decrypt"] })],
    on: "own-role-grant",
    message: /^cannot verify a secret-wrapped value of retiringPrincipal /,
  },
  ...(
    [
      ["an inline policy that is not JSON", { policy: "{" }, [], /^its inline policy: the policy is not a readable JSON document$/],
      ["a TopicPolicy as a redacted secret", {}, [r("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", { arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-dev", policy: "[secret]" })], /^its TopicPolicy alerts-policy: cannot verify a secret-wrapped value of the policy /],
    ] as const
  ).map(([what, inputs, more, message]) => ({
    policy: "sns-tls-only",
    what: `a topic with ${what}`,
    resources: [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev", ...inputs }), ...more],
    on: "alerts-topic",
    message,
  })),
  { policy: "s3-tls-only", what: "a bucket policy that is not JSON", resources: bucketWith({ policy: { policy: "{" } }), on: "data-bucket", message: /^its BucketPolicy data-policy: the policy is not a readable JSON document$/ },
  { policy: "s3-tls-only", what: "a bucket policy as a redacted secret", resources: bucketWith({ policy: { policy: "[secret]" } }), on: "data-bucket", message: /^its BucketPolicy data-policy: cannot verify a secret-wrapped value of the policy / },
  { policy: "s3-no-sse-c", what: "encryption rules as a redacted secret", resources: bucketWith({ encryption: { rules: "[secret]" } }), on: "data-bucket", message: /: cannot verify a secret-wrapped value of the encryption rules / },
  {
    policy: "s3-no-sse-c",
    what: "blockedEncryptionTypes as a redacted secret",
    resources: bucketWith({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, blockedEncryptionTypes: ["[secret]"] }] } }),
    on: "data-bucket",
    message: /^its BucketServerSideEncryptionConfiguration data-encryption: cannot verify a secret-wrapped value of blockedEncryptionTypes /,
  },
  {
    policy: "waf-logging",
    what: "logs sent to a log group this stack does not create",
    resources: [webAcl(), wafLogging({ logDestinationConfigs: ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-elsewhere"] })],
    on: "api-waf",
    message: /^its WebAclLoggingConfiguration api-waf-logging: logs to no CloudWatch log group of this stack$/,
  },
  ...(
    [
      ["a DROP filter meeting all of BLOCK only (MEETS_ALL)", { requirement: "MEETS_ALL", conditions: [{ actionCondition: { action: "BLOCK" } }] }, /meets every request WAF blocks \(actionCondition BLOCK\)/],
      // COUNT may come with a block: a filter meeting it may drop blocked requests.
      ["a DROP filter meeting any of COUNT (MEETS_ANY)", { requirement: "MEETS_ANY", conditions: [{ actionCondition: { action: "COUNT" } }] }, /meets requests WAF may have blocked/],
    ] as const
  ).map(([what, filter, message]) => ({
    policy: "waf-logging",
    what,
    resources: [webAcl(), wafLogGroup(), wafLogging({ loggingFilter: { defaultBehavior: "KEEP", filters: [{ behavior: "DROP", ...filter }] } })],
    on: "api-waf",
    message: new RegExp(`: loggingFilter\\.filters\\[0\\] has behavior DROP, not KEEP, and ${message.source}`),
  })),
  {
    policy: "no-public-ingress",
    what: "a SecurityGroupRule ingress open to the internet",
    resources: [r("aws:ec2/securityGroupRule:SecurityGroupRule", "db-open", { type: "ingress", securityGroupId: "sg-1", cidrBlocks: ["10.0.0.0/16", "0.0.0.0/0"], fromPort: 5432, toPort: 5432, protocol: "tcp" })],
    on: "db-open",
    message: /^ingress allows 0\.0\.0\.0\/0$/,
  },
];

describe("each check on its own", () => {
  it.each(SINGLE_CHECKS.map((c) => [c.policy, c.what, c] as const))("%s reports %s", (policy, _what, { resources, on, message, config }) => {
    const found = violationsOf(policy, resources, config).filter((v) => v.resource.name === on);
    expect(found.map((v) => v.message)).toContainEqual(expect.stringMatching(message));
  });

  it("no-public-ingress passes egress to the internet and a compliant TopicPolicy of a topic the stack does not create passes sns-tls-only", () => {
    const egress = r("aws:ec2/securityGroupRule:SecurityGroupRule", "lambda-egress", { type: "egress", securityGroupId: "sg-1", cidrBlocks: ["0.0.0.0/0"], fromPort: 443, toPort: 443, protocol: "tcp" });
    expect(violationsOf("no-public-ingress", [egress])).toEqual([]);
    const imported = r("aws:sns/topicPolicy:TopicPolicy", "imported-topic-policy", {
      arn: "arn:aws:sns:us-east-1:123456789012:payments-dr-imported-use1-dev",
      policy: policyDocument({ Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    });
    expect(violationsOf("sns-tls-only", [imported])).toEqual([]);
  });

  it("required-tags names every missing tag, ManagedBy included", () => {
    const found = violationsOf("required-tags", [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" }, { provider: "untagged" })]);
    expect(found.map((v) => v.message).sort()).toEqual(["CostCenter", "Criticality", "EnvironmentSuffix", "ManagedBy", "Project", "Stack"].map((tag) => `tag ${tag} is missing`));
  });

  it("the stack config's environment suffix wins over ENVIRONMENT_SUFFIX, as in the programs", () => {
    const topic = [r("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" })];
    const found = checkPlan(plan(topic, { "payments-dr:environmentSuffix": "dev" }), { environmentSuffixVariable: "pr42" }).filter((v) => v.policy === "environment-suffix-in-names");
    expect(found).toEqual([]);
  });
});
