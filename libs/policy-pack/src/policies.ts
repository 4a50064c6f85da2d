import type { EnforcementLevel, ResourceRule, StackRule } from "./model";
import { apiGatewayAccessLogs, apiGatewayAuthorizerCache, apiGatewayMethodSettingsPath, apiGatewayMethodsAuthorized, apiGatewayThrottling, apiGatewayTls } from "./rules/api-gateway";
import { alarmMissingDataNotBreaching, auroraAlarmByRole, auroraGlobalLagByQuery } from "./rules/alarms";
import { apiKeysTableAccess } from "./rules/api-keys";
import { auroraBackupRetention, auroraGlobalMember, auroraLogExports, auroraPerformanceInsights } from "./rules/aurora";
import { deletionSettingsMatchConfig, noRetainedResources } from "./rules/deletion";
import { dynamodbPointInTimeRecovery } from "./rules/dynamodb";
import { encryptionAtRest, replicaKeyRegion } from "./rules/encryption";
import { iamNoAdmin, iamTrustScoped, lambdaRoleNoServiceWildcard } from "./rules/iam";
import { kmsKeyRotation } from "./rules/kms";
import { lambdaInvocationScoped, lambdaInVpc, lambdaReservedConcurrency, lambdaRuntime, lambdaTimeout } from "./rules/lambda";
import { logRetention } from "./rules/logs";
import { environmentSuffixInNames } from "./rules/names";
import { databaseNotPublic, noPublicIngress } from "./rules/network";
import { allowedRegions } from "./rules/regions";
import { snsTlsOnly } from "./rules/sns";
import { s3Encryption, s3NoSseC, s3PublicAccessBlocked, s3ReplicationKmsObjects, s3TlsOnly, s3Versioning } from "./rules/s3";
import { secretsRecoveryWindow } from "./rules/secrets";
import { noPublicResourcePolicy } from "./rules/resource-policies";
import { requiredTags } from "./rules/tags";
import { apiGatewayStageWaf, wafAcceptedText, wafKeyProtection, wafLogging, wafRateLimit } from "./rules/waf";

interface PolicyInfo {
  /** Unique id, as `pulumi preview` and the CLI print it. */
  readonly name: string;
  readonly description: string;
  /** Mandatory policies fail the check and block `pulumi preview/up`; advisory ones warn. */
  readonly enforcementLevel: EnforcementLevel;
  /** What to change when the policy is broken. */
  readonly remediation: string;
}

/** A policy checked on each resource alone. */
interface ResourcePolicy extends PolicyInfo {
  readonly scope: "resource";
  readonly rule: ResourceRule;
}

/** A policy that needs the whole stack (a resource and its companions). */
interface StackPolicy extends PolicyInfo {
  readonly scope: "stack";
  readonly rule: StackRule;
}

export type CompliancePolicy = ResourcePolicy | StackPolicy;

const MANDATORY = "mandatory";
const ADVISORY = "advisory";

/** The compliance policies of payments-dr: the list, DESIGN §4-§6, and a few advisories. */
export const POLICIES: readonly CompliancePolicy[] = [
  // Tags and names (DESIGN §4).
  {
    name: "required-tags",
    description: "Every taggable resource carries Environment=DR, CostCenter=Operations, Criticality=High, Project, Stack, EnvironmentSuffix and ManagedBy.",
    enforcementLevel: MANDATORY,
    remediation: "Create the resource through the stack's explicit aws.Provider, whose defaultTags come from stackTags() in @payments-dr/conventions; do not override these tags on the resource.",
    scope: "resource",
    rule: requiredTags,
  },
  {
    name: "environment-suffix-in-names",
    description: "Every physical name ends with -<environmentSuffix> (S3 buckets: -<account id>-<suffix>; X-Ray sampling rules and ARC plans may end with the suffix's digest).",
    enforcementLevel: MANDATORY,
    remediation: "Build the name with the stack's ResourceNamer (namer.regional / namer.global / namer.bucket / namer.fitted) and pass it explicitly; never rely on autonaming.",
    scope: "resource",
    rule: environmentSuffixInNames,
  },
  // Encryption at rest.
  {
    name: "encryption-at-rest-cmk",
    description: "Aurora clusters, the global cluster, DynamoDB (table and replicas, inline or TableReplica), SNS topics, Secrets Manager secrets (and replicas), log groups and Lambda functions' environment variables are encrypted with a customer-managed KMS key; API Gateway method caches are encrypted (cacheDataEncrypted: API Gateway takes no customer-managed key there).",
    enforcementLevel: MANDATORY,
    remediation:
      "Pass the region's RegionalKey (or its replica in the other region) ARN: kmsKeyId / kmsKeyArn / kmsMasterKeyId, and storageEncrypted: true on Aurora; set cacheDataEncrypted: true beside cachingEnabled: true in a MethodSettings' settings.",
    scope: "resource",
    rule: encryptionAtRest,
  },
  {
    name: "replica-key-region",
    description:
      "Replicas in another region (DynamoDB replicas, inline or TableReplica; S3 replication destinations; Aurora clusters; Secrets Manager replicas) are encrypted with a KMS key of the replica's region: a key ARN of that region (a key id or alias, which AWS resolves there, for Aurora and Secrets Manager).",
    enforcementLevel: MANDATORY,
    remediation:
      "Pass the ARN of the key in the replica's region: the primary key's ReplicaKey there (drReplicaKey.keyArn in apps/primary-region) for DynamoDB and Secrets Manager replicas, the DR stack's own key for the Aurora secondary and the S3 destination (its kmsKeyArn output).",
    scope: "resource",
    rule: replicaKeyRegion,
  },
  {
    name: "kms-key-rotation",
    description: "Customer-managed symmetric encryption KMS keys rotate (replica keys follow their primary; HMAC and asymmetric keys, which AWS cannot rotate, are not asked to).",
    enforcementLevel: MANDATORY,
    remediation: "Set enableKeyRotation: true on aws.kms.Key (customerMasterKeySpec SYMMETRIC_DEFAULT, the default).",
    scope: "resource",
    rule: kmsKeyRotation,
  },
  // S3 (DESIGN §5).
  {
    name: "s3-encryption-cmk",
    description: "Every S3 bucket has a server-side encryption configuration, and every one it has uses aws:kms and a customer-managed key.",
    enforcementLevel: MANDATORY,
    remediation: "Create buckets with SecureBucket from @payments-dr/storage, or add a BucketServerSideEncryptionConfiguration { sseAlgorithm: \"aws:kms\", kmsMasterKeyId: <CMK> } for the bucket.",
    scope: "stack",
    rule: s3Encryption,
  },
  {
    name: "s3-no-sse-c",
    description: "Every S3 bucket blocks uploads with customer-provided keys (SSE-C), in every BucketServerSideEncryptionConfiguration that targets it.",
    enforcementLevel: MANDATORY,
    remediation: 'Set blockedEncryptionTypes ["SSE-C"] on the encryption rule (SecureBucket from @payments-dr/storage does); SSE-C objects are encrypted outside KMS and pass every SSE-KMS condition of a bucket policy.',
    scope: "stack",
    rule: s3NoSseC,
  },
  {
    name: "s3-versioning",
    description:
      "Every S3 bucket has versioning Enabled, in every BucketVersioning that targets it, and no lifecycle rule (BucketLifecycleConfiguration or inline lifecycleRules) expires current versions or expires noncurrent versions within 30 days.",
    enforcementLevel: MANDATORY,
    remediation:
      "Add a BucketVersioning with versioningConfiguration.status \"Enabled\" for the bucket (SecureBucket does), and no other BucketVersioning for it; in a lifecycle rule set no expiration days or date (expiredObjectDeleteMarker alone is fine) and noncurrentVersionExpiration.noncurrentDays of 30 or more.",
    scope: "stack",
    rule: s3Versioning,
  },
  {
    name: "s3-public-access-blocked",
    description: "Every S3 bucket blocks public access with all four flags, in every BucketPublicAccessBlock that targets it.",
    enforcementLevel: MANDATORY,
    remediation: "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true (SecureBucket does), and no other BucketPublicAccessBlock for the bucket.",
    scope: "stack",
    rule: s3PublicAccessBlocked,
  },
  {
    name: "s3-tls-only",
    description: "Every S3 bucket has a policy, and every policy of it denies requests that do not use TLS.",
    enforcementLevel: MANDATORY,
    remediation: "Attach a BucketPolicy with secureBucketPolicy() from @payments-dr/storage (it includes a Deny on s3:* when aws:SecureTransport is false).",
    scope: "stack",
    rule: s3TlsOnly,
  },
  {
    name: "sns-tls-only",
    description: "Every SNS topic has a policy (a TopicPolicy, or its inline policy), and every policy of it (and every TopicPolicy on a topic the stack does not create) denies sns:Publish to everyone when aws:SecureTransport is false.",
    enforcementLevel: MANDATORY,
    remediation: 'Attach a TopicPolicy with { Effect: "Deny", Principal: "*", Action: "sns:Publish", Condition: { Bool: { "aws:SecureTransport": "false" } } } (alertTopicPolicy in @payments-dr/monitoring has it).',
    scope: "stack",
    rule: snsTlsOnly,
  },
  {
    name: "s3-replication-kms-objects",
    description: "Every enabled S3 replication rule selects SSE-KMS objects and encrypts replicas with a customer-managed key of the destination.",
    enforcementLevel: MANDATORY,
    remediation: "Set sourceSelectionCriteria.sseKmsEncryptedObjects.status \"Enabled\" and destination.encryptionConfiguration.replicaKmsKeyId to the destination region's CMK (BucketReplication from @payments-dr/storage does).",
    scope: "resource",
    rule: s3ReplicationKmsObjects,
  },
  // Network.
  {
    name: "no-public-ingress",
    description: "No security group ingress from outside the private ranges (RFC 1918 for IPv4, fc00::/7 for IPv6): 0.0.0.0/0, ::/0, and any other public range such as 0.0.0.0/1.",
    enforcementLevel: MANDATORY,
    remediation: "Allow ingress from a security group (referencedSecurityGroupId) or a private range only.",
    scope: "resource",
    rule: noPublicIngress,
  },
  {
    name: "database-not-public",
    description: "Aurora (and RDS) instances are not publicly accessible.",
    enforcementLevel: MANDATORY,
    remediation: "Leave publiclyAccessible unset or false; reach the database from inside the VPC.",
    scope: "resource",
    rule: databaseNotPublic,
  },
  // IAM.
  {
    name: "iam-no-admin",
    description:
      "No IAM policy (inline or managed) allows every action on every resource (Action \"*\" or a NotAction, on Resource \"*\", \"arn:*\" or a NotResource) or IAM's own actions (iam:*) on every resource, and no AdministratorAccess, IAMFullAccess or PowerUserAccess attachment.",
    enforcementLevel: MANDATORY,
    remediation: "List the actions the role needs (no NotAction, no iam:*) and scope Resource to the ARNs it uses (its secret, its table, its key); attach no AWS managed admin policy.",
    scope: "resource",
    rule: iamNoAdmin,
  },
  {
    name: "iam-trust-scoped",
    description:
      "No role's trust policy lets any AWS account assume it (Principal \"*\", AWS \"*\" or a NotPrincipal) without a condition on aws:PrincipalAccount, aws:PrincipalOrgID or aws:SourceAccount, nor a named account or IAM principal without one of them or sts:ExternalId, nor an AWS service without a condition on aws:SourceAccount or aws:SourceArn (except API Gateway's CloudWatch Logs role, S3 replication and ARC Region switch, which AWS documents without one).",
    enforcementLevel: MANDATORY,
    remediation:
      "Trust the AWS service that uses the role (Principal { Service: \"lambda.amazonaws.com\" }) under a StringEquals condition on aws:SourceAccount (and aws:SourceArn where the service names its source); for an AWS principal add a StringEquals condition on aws:PrincipalAccount (this account's roles), aws:PrincipalOrgID, or sts:ExternalId (a third party).",
    scope: "resource",
    rule: iamTrustScoped,
  },
  {
    name: "no-public-resource-policy",
    description:
      "No resource policy (Secrets Manager secret, KMS key, SNS topic, DynamoDB table, S3 bucket, SQS queue) allows everyone (Principal \"*\", AWS \"*\" or a NotPrincipal) without a condition on aws:SourceAccount, aws:SourceArn, aws:PrincipalAccount, aws:PrincipalOrgID (or aws:SourceOrgID, aws:PrincipalArn, kms:CallerAccount, aws:SourceOwner), and no KMS grant goes to a principal outside the key's account.",
    enforcementLevel: MANDATORY,
    remediation:
      "Name the principal (this account's root or role, or the AWS service with aws:SourceAccount / aws:SourceArn), or keep Principal \"*\" under a StringEquals condition on aws:PrincipalAccount or aws:PrincipalOrgID; give a kms.Grant the key's ARN as keyId and a grantee of the key's account.",
    scope: "resource",
    rule: noPublicResourcePolicy,
  },
  {
    name: "api-keys-table-access",
    description: "No Lambda role's policy allows Scan, Query, PutItem, DeleteItem, BatchWriteItem or PartiQL on the API keys table (a table ARN with api-keys in its name, or a wildcard covering it), and any UpdateItem there has ForAllValues conditions on dynamodb:Attributes and on dynamodb:LeadingKeys (usage items only: used#…).",
    enforcementLevel: MANDATORY,
    remediation: "Grant the authorizer dynamodb:GetItem only and the API function dynamodb:UpdateItem with ForAllValues:StringEquals dynamodb:Attributes [keyId, lastUsedAt] and ForAllValues:StringLike dynamodb:LeadingKeys [used#*] (functionAccessPolicy in @payments-dr/serverless-api); keys are created and revoked by the keys CLI, not by a function.",
    scope: "stack",
    rule: apiKeysTableAccess,
  },
  {
    name: "lambda-role-no-service-wildcard",
    description:
      "No Lambda role's policy (inline, role policy, or managed policy of the stack) allows every action of a service (dynamodb:*, kms:*, s3*, *) or uses an Allow with NotAction, whatever its Resource or conditions, and no AWS managed …FullAccess policy is attached to a Lambda role; prefixes such as s3:Get* pass.",
    enforcementLevel: MANDATORY,
    remediation:
      "List the actions the function calls (functionAccessPolicy in @payments-dr/serverless-api does): dynamodb:GetItem and dynamodb:PutItem, not dynamodb:*; kms:Decrypt, not kms:*; no NotAction in an Allow; a policy of the stack in place of AmazonDynamoDBFullAccess and its kind.",
    scope: "stack",
    rule: lambdaRoleNoServiceWildcard,
  },
  // Lambda (DESIGN §6).
  {
    name: "lambda-runtime",
    description: "Lambda functions run nodejs22.x or nodejs24.x.",
    enforcementLevel: MANDATORY,
    remediation: "Set runtime to nodejs22.x (the runtime the handler bundle targets).",
    scope: "resource",
    rule: lambdaRuntime,
  },
  {
    name: "lambda-in-vpc",
    description:
      "Lambda functions run in the VPC (vpcConfig with subnetIds and securityGroupIds), except the health probe (PROBE_TARGET_URL set, and only PROBE_* and POWERTOOLS_* variables), which must reach another region's public /health.",
    enforcementLevel: MANDATORY,
    remediation: "Set vpcConfig to the RegionalNetwork's private subnets and Lambda security group.",
    scope: "resource",
    rule: lambdaInVpc,
  },
  {
    name: "lambda-timeout-under-api-gateway",
    description: "Lambda functions that API Gateway invokes (a Lambda permission for apigateway.amazonaws.com) time out under API Gateway's 29 s integration timeout.",
    enforcementLevel: MANDATORY,
    remediation: "Set timeout below 29 seconds (the handler's own budgets: connect ≤ 3 s, statement ≤ 5 s).",
    scope: "stack",
    rule: lambdaTimeout,
  },
  {
    name: "lambda-reserved-concurrency",
    description:
      "Lambda functions reserve their concurrency (reservedConcurrentExecutions ≥ 1; unset and -1 are unreserved, 0 throttles every invocation): it bounds the database connections they open and keeps each function's share of the account's concurrency (DESIGN §6).",
    enforcementLevel: MANDATORY,
    remediation:
      "Set reservedConcurrentExecutions to the function's share (reservedConcurrency of VpcFunctionArgs in @payments-dr/serverless-api: payments-dr:apiReservedConcurrency for the API and its authorizer, payments-dr:healthReservedConcurrency for /health, 1 for migrations and the key cleanup), within the writer's connection budget.",
    scope: "resource",
    rule: lambdaReservedConcurrency,
  },
  {
    name: "lambda-invocation-scoped",
    description:
      "Lambda permissions let only a named AWS service invoke a function, from one account's resource: no principal \"*\" nor any account or IAM principal, a service principal (apigateway, scheduler, events, …) only with a sourceArn of a concrete account (or a sourceAccount), nothing through a function URL (lambda:InvokeFunctionUrl, functionUrlAuthType, invokedViaFunctionUrl); function URLs use AWS_IAM, never NONE.",
    enforcementLevel: MANDATORY,
    remediation:
      "Give the permission principal \"apigateway.amazonaws.com\" and sourceArn the API's execution ARN for its stage (allowApiGatewayInvoke in libs/serverless-api does); schedules invoke through the scheduler role's identity policy. Remove function URLs and lambda:InvokeFunctionUrl permissions (or set authorizationType AWS_IAM).",
    scope: "resource",
    rule: lambdaInvocationScoped,
  },
  // Aurora (DESIGN §5, §10).
  {
    name: "aurora-backup-retention",
    description: "Aurora clusters keep automated backups for at least 7 days.",
    enforcementLevel: MANDATORY,
    remediation: "Set backupRetentionPeriod to 7 or more (config payments-dr:backupRetentionDays).",
    scope: "resource",
    rule: auroraBackupRetention,
  },
  {
    name: "aurora-log-exports",
    description: "Aurora PostgreSQL clusters export the postgresql log to CloudWatch.",
    enforcementLevel: MANDATORY,
    remediation: "Set enabledCloudwatchLogsExports: [\"postgresql\"].",
    scope: "resource",
    rule: auroraLogExports,
  },
  {
    name: "aurora-global-member",
    description: "Global cluster members ignore changes to globalClusterIdentifier, replicationSourceIdentifier and engineVersion; a secondary sets no credentials or database name and, when encrypted, sets kmsKeyId and sourceRegion.",
    enforcementLevel: MANDATORY,
    remediation: "Create members with the @payments-dr/aurora components (memberClusterOptions); for a secondary drop masterUsername/masterPassword/databaseName and pass sourceRegion and the region's kmsKeyId.",
    scope: "resource",
    rule: auroraGlobalMember,
  },
  // DynamoDB (DESIGN §5: an explained choice, see the rule).
  {
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery on the table and on every replica (inline or aws.dynamodb.TableReplica), reaching at least 7 days back (recoveryPeriodInDays; unset, 35).",
    enforcementLevel: MANDATORY,
    remediation: "Set pointInTimeRecovery: { enabled: true } on the table (recoveryPeriodInDays unset or 7-35) and pointInTimeRecovery: true on each replica, inline or TableReplica (SessionsTable and ApiKeysTable in @payments-dr/storage do).",
    scope: "resource",
    rule: dynamodbPointInTimeRecovery,
  },
  // API Gateway (DESIGN §6).
  {
    name: "apigateway-access-logs",
    description: "API Gateway stages write access logs (accessLogSettings with destinationArn and format); a JSON format keeps every $context variable inside a JSON string, since API Gateway writes a bare - for a variable without a value; no format logs $context.error.message, which can quote the request's Authorization header.",
    enforcementLevel: MANDATORY,
    remediation: "Set accessLogSettings on the stage: an encrypted log group's ARN and a JSON format whose every $context variable is quoted (\"errorType\":\"$context.error.responseType\"), without $context.error.message or messageString.",
    scope: "resource",
    rule: apiGatewayAccessLogs,
  },
  {
    name: "apigateway-throttling",
    description: "API Gateway stages are throttled by MethodSettings (throttlingRateLimit and throttlingBurstLimit) or by a throttled usage plan; no MethodSettings of the stage lifts the limits, nor, when plans throttle the stage, an unthrottled plan.",
    enforcementLevel: MANDATORY,
    remediation: "Add an aws.apigateway.MethodSettings for the stage (methodPath \"*/*\") with throttlingRateLimit and throttlingBurstLimit above 0, and give every other MethodSettings of the stage (e.g. ~1health/GET) its own limits above 0.",
    scope: "stack",
    rule: apiGatewayThrottling,
  },
  {
    name: "apigateway-method-settings-path",
    description:
      "Every API Gateway MethodSettings names its methods as API Gateway keys them: methodPath \"*/*\", or one method as ~1<resource path with each / as ~1>/<METHOD> (~1health/GET); a key such as health/GET is stored but matches no method, so the stage-wide settings stay in force there.",
    enforcementLevel: MANDATORY,
    remediation: "Build methodPath with methodSettingsPath(route) from @payments-dr/serverless-api (\"/health\" GET → \"~1health/GET\", \"/payments/{id}\" GET → \"~1payments~1{id}/GET\").",
    scope: "resource",
    rule: apiGatewayMethodSettingsPath,
  },
  // Merchant authentication and edge protection (issue 7).
  {
    name: "apigateway-methods-authorized",
    description:
      "Every API Gateway method except GET /health uses the Lambda authorizer (authorization CUSTOM with an authorizerId) and requires an API key (apiKeyRequired); no route escapes the check (an OpenAPI body on the REST API, an API Gateway v2 HTTP or WebSocket API).",
    enforcementLevel: MANDATORY,
    remediation: "Declare the route with caller \"merchant\" (routeDefinitions in @payments-dr/serverless-api): authorization \"CUSTOM\", authorizerId of the API's authorizer, apiKeyRequired: true. Only GET /health is anonymous.",
    scope: "stack",
    rule: apiGatewayMethodsAuthorized,
  },
  {
    name: "apigateway-authorizer-cache",
    description: "API Gateway authorizers cache their answer for at most 300 s (authorizerResultTtlInSeconds), keyed by the Authorization header alone (identitySource), so a revoked key stops working within minutes.",
    enforcementLevel: MANDATORY,
    remediation: "Set identitySource to method.request.header.Authorization and authorizerResultTtlInSeconds to 300 or less (config payments-dr:authorizerCacheTtlSeconds).",
    scope: "resource",
    rule: apiGatewayAuthorizerCache,
  },
  {
    name: "apigateway-tls",
    description: "Every REST API names an enhanced security policy (SecurityPolicy_…) with an endpoint access mode, and no custom domain accepts TLS 1.0.",
    enforcementLevel: MANDATORY,
    remediation: "Spread API_TLS from @payments-dr/serverless-api (SecurityPolicy_TLS13_1_2_2021_06, STRICT) into the RestApi and the DomainName.",
    scope: "resource",
    rule: apiGatewayTls,
  },
  {
    name: "apigateway-stage-waf",
    description: "Every API Gateway stage has a WAFv2 WebAclAssociation whose resourceArn is the stage.",
    enforcementLevel: MANDATORY,
    remediation: "Associate the region's web ACL with the stage: aws.wafv2.WebAclAssociation { resourceArn: stage.arn, webAclArn } (createWebAcl in @payments-dr/serverless-api does).",
    scope: "stack",
    rule: apiGatewayStageWaf,
  },
  {
    name: "waf-logging",
    description:
      "Every WAFv2 web ACL logs (WebAclLoggingConfiguration; every one of the ACL) to a CloudWatch log group named aws-waf-logs-* and encrypted with a customer-managed KMS key, with the authorization header redacted, and no loggingFilter leaves out a request WAF blocked.",
    enforcementLevel: MANDATORY,
    remediation:
      "Add a WebAclLoggingConfiguration for the ACL with logDestinationConfigs [the ARN of a log group named aws-waf-logs-<name>, kmsKeyId the region's key] and redactedFields [{ singleHeader: { name: \"authorization\" } }]; leave loggingFilter unset, or give it a first filter { behavior: \"KEEP\", requirement: \"MEETS_ANY\", conditions: [{ actionCondition: { action: \"BLOCK\" } }] }.",
    scope: "stack",
    rule: wafLogging,
  },
  {
    name: "waf-rate-limit",
    description:
      "Every WAFv2 web ACL has a rate-based rule over every request, by source IP (aggregateKeyType IP), that blocks (a per-source-IP request limit; a rule scoped to one path, or keyed on a forwarded IP header or custom keys the client sends, does not count).",
    enforcementLevel: MANDATORY,
    remediation: "Add a rule with action { block: {} } and statement { rateBasedStatement: { aggregateKeyType: \"IP\", limit: <config payments-dr:wafRateLimitPer5Min> } } and no scopeDownStatement (a rule scoped to one path limits only that path).",
    scope: "resource",
    rule: wafRateLimit,
  },
  {
    name: "waf-key-protection",
    description: "Every WAFv2 web ACL's data protection replaces the authorization header (merchants' API keys) in everything WAF keeps, sampled requests included.",
    enforcementLevel: MANDATORY,
    remediation: "Set dataProtectionConfig { dataProtections: [{ field: { fieldType: \"SINGLE_HEADER\", fieldKeys: [\"authorization\"] }, action: \"SUBSTITUTION\" }] } on the web ACL (createWebAcl in @payments-dr/serverless-api does).",
    scope: "resource",
    rule: wafKeyProtection,
  },
  {
    name: "waf-accepted-text",
    description: "WAFv2 web ACLs, IP sets, regex pattern sets and rule groups have names and descriptions that WAF accepts (the provider does not check descriptions: AWS refuses them at deploy).",
    enforcementLevel: MANDATORY,
    remediation: "Names: letters, digits, _ and - (1-128). Descriptions: letters, digits, _, spaces and + = : # @ / - , . (no parentheses or quotes), not starting or ending with a space, at most 256.",
    scope: "resource",
    rule: wafAcceptedText,
  },
  // Regions.
  {
    name: "allowed-regions",
    description: "Providers, resources and replicas are only in the configured primary and DR regions.",
    enforcementLevel: MANDATORY,
    remediation: "Create resources through the providers of StackContext.region() for payments-dr:primaryRegion or payments-dr:drRegion; never set region on a resource.",
    scope: "resource",
    rule: allowedRegions,
  },
  // Deletion (DESIGN §4).
  {
    name: "no-retained-resources",
    description: "Nothing is retained on delete: no retainOnDelete, protect or skipDestroy; only a KMS key may be retained, while the stack keeps final snapshots (skipFinalSnapshot false) that it encrypts.",
    enforcementLevel: MANDATORY,
    remediation: "Remove retainOnDelete / protect / skipDestroy; deletion safety comes from deletionProtection and final snapshots, set by stack config.",
    scope: "resource",
    rule: noRetainedResources,
  },
  {
    name: "deletion-settings-match-config",
    description:
      "Aurora skipFinalSnapshot/deletionProtection (and finalSnapshotIdentifier), global cluster deletionProtection, S3 forceDestroy and DynamoDB deletionProtectionEnabled (table and replicas, inline or TableReplica) follow the stack config; with deletionProtection, KMS keys (and replica keys) stay enabled and wait at least 30 days once scheduled for deletion (deletionWindowInDays).",
    enforcementLevel: MANDATORY,
    remediation:
      "Pass config.skipFinalSnapshot and config.deletionProtection through (forceDestroy: !deletionProtection); set finalSnapshotIdentifier when a final snapshot is kept; create keys with RegionalKey / RegionalKeyReplica from @payments-dr/storage with deletionProtection (deletionWindowInDays 30), and leave isEnabled / enabled unset or true.",
    scope: "resource",
    rule: deletionSettingsMatchConfig,
  },
  // Alarms that watch what they claim to.
  {
    name: "aurora-alarm-by-role",
    description: "Alarms on an Aurora instance metric (AWS/RDS CPUUtilization, DatabaseConnections, FreeableMemory, …) under DBClusterIdentifier also name the Role (WRITER or READER): alone, DBClusterIdentifier averages writer and readers.",
    enforcementLevel: MANDATORY,
    remediation: "Add Role: \"WRITER\" (AURORA_WRITER_ROLE in @payments-dr/monitoring) or \"READER\" to the alarm's dimensions; cluster-level metrics (VolumeBytesUsed, …) keep DBClusterIdentifier alone.",
    scope: "resource",
    rule: auroraAlarmByRole,
  },
  {
    name: "aurora-global-lag-by-query",
    description: "Alarms on the Aurora global database's lag (AuroraGlobalDBRPOLag, AuroraGlobalDBReplicationLag, AuroraGlobalDBProgressLag) read it with a Metrics Insights query over every dimension set: AWS does not document the dimensions it is published with.",
    enforcementLevel: MANDATORY,
    remediation: "Alarm on metricQueries [{ expression: auroraRpoLagQuery(clusterIdentifier) }] (@payments-dr/monitoring; a query spec of RegionalAlarms), not on namespace/metricName/dimensions.",
    scope: "resource",
    rule: auroraGlobalLagByQuery,
  },
  {
    name: "alarm-missing-data",
    description:
      "Alarms on metrics that are silent while all is well (Lambda's, but Invocations; API Gateway's; Aurora's under Role WRITER, which the DR cluster has none of) do not treat missing data as breaching: they would sit in ALARM from the deploy on and page nobody when something breaks.",
    enforcementLevel: MANDATORY,
    remediation: "Set treatMissingData to notBreaching (a count of failures: none is good news) or missing; keep breaching for metrics a healthy system always publishes (a probe's, a schedule's Invocations).",
    scope: "resource",
    rule: alarmMissingDataNotBreaching,
  },
  // Advisory: judgement calls that warn and never fail the run.
  {
    name: "log-retention",
    description: "ADVISORY. CloudWatch log groups set a retention of at most 400 days.",
    enforcementLevel: ADVISORY,
    remediation: "Set retentionInDays from config payments-dr:logRetentionDays.",
    scope: "resource",
    rule: logRetention,
  },
  {
    name: "aurora-performance-insights",
    description: "ADVISORY. Aurora instances have Performance Insights on.",
    enforcementLevel: ADVISORY,
    remediation: "Set performanceInsightsEnabled: true (with the region's KMS key).",
    scope: "resource",
    rule: auroraPerformanceInsights,
  },
  {
    name: "secrets-recovery-window",
    description: "ADVISORY. In a stack with deletionProtection, deleted secrets stay recoverable for at least 7 days.",
    enforcementLevel: ADVISORY,
    remediation: "Set recoveryWindowInDays to 7-30 when deletionProtection is true (0 suits dev stacks only).",
    scope: "resource",
    rule: secretsRecoveryWindow,
  },
];
