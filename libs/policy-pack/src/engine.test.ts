import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { engineContext, pulumiPolicies, resourceOfEngine, type EngineResource } from "./engine";
import { POLICIES } from "./policies";

const TAGS = { Environment: "DR", CostCenter: "Operations", Criticality: "High", Project: "payments-dr", Stack: "primary-region/dev", EnvironmentSuffix: "dev", ManagedBy: "pulumi" };
const CTX = engineContext({ PULUMI_CONFIG: JSON.stringify({ "payments-dr:environmentSuffix": "dev" }), PULUMI_PROJECT: "primary-region", PULUMI_STACK: "dev" });
const urn = (type: string, name: string) => `urn:pulumi:dev::primary-region::${type}::${name}`;

/** A resource as the engine hands it to a policy pack: inputs, options, and the provider's inputs. */
function engineResource(type: string, name: string, props: Record<string, unknown>, more: Partial<EngineResource> = {}): EngineResource {
  return {
    type,
    name,
    urn: urn(type, name),
    props,
    opts: { protect: false, ignoreChanges: [] },
    provider: { props: { region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS }) } },
    ...more,
  };
}

class NotApplicable extends Error {}

/** Runs one resource policy the way @pulumi/policy does, collecting reported messages. */
function validate(policyName: string, resource: EngineResource): string[] {
  const policy = pulumiPolicies(CTX).find((p) => p.name === policyName) as ResourceValidationPolicy;
  const reported: string[] = [];
  const args = {
    ...resource,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  } as unknown as ResourceValidationArgs;
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const validation of validations) void validation(args, (message) => reported.push(message));
  return reported;
}

/** Runs one stack policy the way @pulumi/policy does, collecting each message with the URN it is reported on. */
function validateStack(policyName: string, resources: EngineResource[]): [string, string | undefined][] {
  const policy = pulumiPolicies(CTX).find((p) => p.name === policyName) as StackValidationPolicy;
  const reported: [string, string | undefined][] = [];
  void policy.validateStack({ resources } as unknown as StackValidationArgs, (message, onUrn) => reported.push([message, onUrn]));
  return reported;
}

describe("policy pack under the Pulumi engine", () => {
  it("reads the stack config and identity from the environment the CLI gives a policy pack", () => {
    expect(CTX).toEqual({ environmentSuffix: "dev", primaryRegion: "us-east-1", drRegion: "us-east-2", deletionProtection: false, skipFinalSnapshot: true, project: "primary-region", stack: "dev" });
    expect(engineContext({ PULUMI_CONFIG: JSON.stringify({ "payments-dr:deletionProtection": "true", "payments-dr:drRegion": "us-west-2" }), ENVIRONMENT_SUFFIX: "pr7" })).toMatchObject({
      environmentSuffix: "pr7",
      drRegion: "us-west-2",
      deletionProtection: true,
    });
  });

  it("offers every policy with its enforcement level and remediation, resource or stack scoped", () => {
    const policies = pulumiPolicies(CTX);
    expect(policies.map((p) => [p.name, p.enforcementLevel, p.remediationSteps])).toEqual(POLICIES.map((p) => [p.name, p.enforcementLevel, p.remediation]));
    for (const [i, p] of policies.entries()) expect("validateStack" in p).toBe(POLICIES[i].scope === "stack");
  });

  it("merges the provider's defaultTags (JSON string or object) with the resource's own tags", () => {
    const fromString = resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", { tags: { Name: "alerts" } }));
    expect(fromString.tags).toEqual({ ...TAGS, Name: "alerts" });
    const fromObject = resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", {}, { provider: { props: { defaultTags: { tags: { Environment: "DR" } } } } }));
    expect(fromObject.tags).toEqual({ Environment: "DR" });
  });

  it("falls back to tagsAll when the provider is not visible, and says so when neither is", () => {
    expect(resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", { tagsAll: TAGS }, { provider: undefined })).tags).toEqual(TAGS);
    expect(resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", {}, { provider: undefined })).tags).toBeUndefined();
    expect(() => validate("required-tags", engineResource("aws:sns/topic:Topic", "t", {}, { provider: undefined }))).toThrow(NotApplicable);
  });

  it("reports a resource policy's violations on the resource", () => {
    const untagged = engineResource("aws:rds/cluster:Cluster", "aurora-cluster", {}, { provider: { props: { region: "us-east-1", defaultTags: JSON.stringify({ tags: { Environment: "DR" } }) } } });
    expect(validate("required-tags", untagged)).toContain("tag Criticality is missing");
    expect(validate("lambda-runtime", engineResource("aws:lambda/function:Function", "fn", { runtime: "nodejs22.x" }))).toEqual([]);
    expect(validate("lambda-runtime", engineResource("aws:lambda/function:Function", "fn", { runtime: "python3.12" }))).toEqual(["runtime python3.12 is not one of nodejs22.x, nodejs24.x"]);
  });

  it("pitfall: missing ignoreChanges on globalClusterIdentifier / replicationSourceIdentifier — read from the engine's resource options", () => {
    const member = (ignoreChanges: string[]) =>
      engineResource("aws:rds/cluster:Cluster", "aurora-cluster", { globalClusterIdentifier: "payments-dr-aurora-dev", masterUsername: "admin" }, { opts: { protect: false, ignoreChanges } });
    expect(validate("aurora-global-member", member(["globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion"]))).toEqual([]);
    expect(validate("aurora-global-member", member([]))).toEqual([expect.stringContaining("ignoreChanges lacks globalClusterIdentifier, replicationSourceIdentifier, engineVersion")]);
  });

  it("takes the region from the provider, and a provider's from its own region input", () => {
    expect(resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", {})).region).toBe("us-east-1");
    expect(validate("allowed-regions", engineResource("pulumi:providers:aws", "eu", { region: "eu-west-1" }, { provider: undefined }))).toEqual([
      "region eu-west-1 is not the primary (us-east-1) or DR (us-east-2) region",
    ]);
  });

  it("matches S3 companions through property dependencies and reports on the bucket's URN", () => {
    const bucket = engineResource("aws:s3/bucket:Bucket", "data-bucket", { bucket: "payments-dr-data-use1-123456789012-dev" });
    // Its `bucket` output differs from the name (e.g. unknown during preview): the dependency decides.
    const versioning = engineResource("aws:s3/bucketVersioning:BucketVersioning", "data-versioning", { bucket: "other", versioningConfiguration: { status: "Enabled" } }, {
      propertyDependencies: { bucket: [{ urn: bucket.urn }] },
    });
    expect(validateStack("s3-versioning", [bucket, versioning])).toEqual([]);
    expect(validateStack("s3-versioning", [bucket, { ...versioning, propertyDependencies: {} }])).toEqual([["no BucketVersioning targets this bucket", bucket.urn]]);
  });

  it("matches a bucket's lifecycle configuration through property dependencies, and reads an expiration left unset in its outputs (0, \"\") as unset", () => {
    const bucket = engineResource("aws:s3/bucket:Bucket", "data-bucket", { bucket: "payments-dr-data-use1-123456789012-dev" });
    const versioning = engineResource("aws:s3/bucketVersioning:BucketVersioning", "data-versioning", { bucket: "unknown", versioningConfiguration: { status: "Enabled" } }, {
      propertyDependencies: { bucket: [{ urn: bucket.urn }] },
    });
    const lifecycle = (expiration: Record<string, unknown>) =>
      engineResource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle", { bucket: "unknown", rules: [{ id: "tidy", status: "Enabled", expiration }] }, {
        propertyDependencies: { bucket: [{ urn: bucket.urn }] },
      });
    expect(validateStack("s3-versioning", [bucket, versioning, lifecycle({ days: 0, date: "", expiredObjectDeleteMarker: true })])).toEqual([]);
    expect(validateStack("s3-versioning", [bucket, versioning, lifecycle({ days: 90, date: "", expiredObjectDeleteMarker: false })])).toEqual([
      [expect.stringMatching(/^its BucketLifecycleConfiguration data-lifecycle: rule tidy expires current versions \(expiration\.days 90\)/), bucket.urn],
    ]);
  });

  it("judges every companion computed from the bucket: a second, weak public access block is refused", () => {
    const bucket = engineResource("aws:s3/bucket:Bucket", "data-bucket", { bucket: "payments-dr-data-use1-123456789012-dev" });
    const from = { propertyDependencies: { bucket: [{ urn: bucket.urn }] } };
    const flags = (on: boolean) => ({ bucket: "unknown", blockPublicAcls: on, blockPublicPolicy: on, ignorePublicAcls: on, restrictPublicBuckets: on });
    const good = engineResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", flags(true), from);
    const weak = engineResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab-2", flags(false), from);
    expect(validateStack("s3-public-access-blocked", [bucket, good])).toEqual([]);
    expect(validateStack("s3-public-access-blocked", [bucket, good, weak])).toEqual([[expect.stringMatching(/^its BucketPublicAccessBlock pab-2: blockPublicAcls, blockPublicPolicy/), bucket.urn]]);
  });

  it("finds GET /health by the resource its resourceId comes from, whatever the names (the engine shows the resource's path)", () => {
    const health = engineResource("aws:apigateway/resource:Resource", "probe", { pathPart: "health", path: "/health" });
    const payments = engineResource("aws:apigateway/resource:Resource", "orders", { pathPart: "payments", path: "/payments" });
    const anonymousGet = (resource: EngineResource) =>
      engineResource("aws:apigateway/method:Method", "anonymous-get", { httpMethod: "GET", authorization: "NONE", apiKeyRequired: false }, { propertyDependencies: { resourceId: [{ urn: resource.urn }] } });
    expect(validateStack("apigateway-methods-authorized", [health, payments, anonymousGet(health)])).toEqual([]);
    const open = anonymousGet(payments);
    expect(validateStack("apigateway-methods-authorized", [health, payments, open])).toEqual([[expect.stringContaining("GET method open to callers without an API key"), open.urn]]);
  });

  it("matches the stage's WAF association and the ACL's logging through property dependencies, not their ARNs", () => {
    const stage = engineResource("aws:apigateway/stage:Stage", "api-stage", { restApi: "a1b2c3d4e5", stageName: "v1" });
    const association = engineResource("aws:wafv2/webAclAssociation:WebAclAssociation", "guard", { resourceArn: "unknown" }, { propertyDependencies: { resourceArn: [{ urn: stage.urn }] } });
    expect(validateStack("apigateway-stage-waf", [stage, association])).toEqual([]);
    expect(validateStack("apigateway-stage-waf", [stage, { ...association, propertyDependencies: {} }])).toEqual([[expect.stringContaining("no WebAclAssociation"), stage.urn]]);

    const acl = engineResource("aws:wafv2/webAcl:WebAcl", "acl", { name: "payments-dr-api-acl-use1-dev" });
    const group = engineResource("aws:cloudwatch/logGroup:LogGroup", "waf-logs", { name: "aws-waf-logs-payments-dr-api-acl-use1-dev", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/mrk-1" });
    const logging = engineResource(
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
      "waf-logging",
      { resourceArn: "unknown", logDestinationConfigs: ["unknown"], redactedFields: [{ singleHeader: { name: "Authorization" } }] },
      { propertyDependencies: { resourceArn: [{ urn: acl.urn }], logDestinationConfigs: [{ urn: group.urn }] } },
    );
    expect(validateStack("waf-logging", [acl, group, logging])).toEqual([]);
  });

  it("matches a stage's MethodSettings and usage plans through property dependencies, whatever their stageName", () => {
    const stage = engineResource("aws:apigateway/stage:Stage", "api-stage", { restApi: "a1b2c3d4e5", stageName: "v1" });
    const throttled = { throttlingRateLimit: 50, throttlingBurstLimit: 100 };
    const settings = engineResource("aws:apigateway/methodSettings:MethodSettings", "throttling", { restApi: "a1b2c3d4e5", stageName: "unknown", methodPath: "*/*", settings: throttled }, {
      propertyDependencies: { stageName: [{ urn: stage.urn }] },
    });
    expect(validateStack("apigateway-throttling", [stage, settings])).toEqual([]);
    expect(validateStack("apigateway-throttling", [stage, { ...settings, propertyDependencies: {} }])).toEqual([[expect.stringContaining("no MethodSettings of this stage"), stage.urn]]);
    const unthrottled = { ...settings, name: "health-settings", props: { ...settings.props, methodPath: "~1health/GET", settings: {} } };
    expect(validateStack("apigateway-throttling", [stage, settings, unthrottled])).toEqual([[expect.stringMatching(/^its MethodSettings health-settings \(methodPath ~1health\/GET\) sets no throttlingRateLimit/), stage.urn]]);

    const plan = engineResource("aws:apigateway/usagePlan:UsagePlan", "merchants", { apiStages: [{ apiId: "unknown", stage: "unknown" }], throttleSettings: { rateLimit: 50, burstLimit: 100 } }, {
      propertyDependencies: { apiStages: [{ urn: stage.urn }] },
    });
    expect(validateStack("apigateway-throttling", [stage, plan])).toEqual([]);
    const unthrottledPlan = { ...plan, name: "free", props: { ...plan.props, throttleSettings: {} } };
    expect(validateStack("apigateway-throttling", [stage, plan, unthrottledPlan])).toEqual([[expect.stringMatching(/^its UsagePlan free has no throttleSettings/), stage.urn]]);
  });

  it("finds the roles of a keys-table policy through property dependencies: a role Lambda cannot assume exempts it, a Lambda role does not", () => {
    const lambdaTrust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const stepsTrust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const scan = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:Scan", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/payments-dr-api-keys-dev" }] });
    const api = engineResource("aws:iam/role:Role", "api-role", { name: "payments-dr-api-use1-dev", assumeRolePolicy: lambdaTrust });
    const admin = engineResource("aws:iam/role:Role", "keys-admin-role", { name: "payments-dr-keys-admin-dev", assumeRolePolicy: stepsTrust });
    const from = (input: string, ...resources: EngineResource[]) => ({ [input]: resources.map((r) => ({ urn: r.urn })) });
    const SCAN_FOUND = expect.stringMatching(/^policy allows dynamodb:Scan on the API keys table/);

    // A RolePolicy's role, computed from the role (its value differs, e.g. an ARN the rule cannot read as the name).
    const inline = (holder: EngineResource) => engineResource("aws:iam/rolePolicy:RolePolicy", "keys-access", { role: "unknown", policy: scan }, { propertyDependencies: from("role", holder) });
    expect(validateStack("api-keys-table-access", [api, admin, inline(admin)])).toEqual([]);
    expect(validateStack("api-keys-table-access", [api, admin, inline(api)])).toEqual([[SCAN_FOUND, inline(api).urn]]);

    // A managed policy, attached by an attachment or a role's managedPolicyArns computed from it.
    const policy = engineResource("aws:iam/policy:Policy", "keys-dump", { name: "payments-dr-keys-dump-dev", policy: scan });
    const attachment = (holder: EngineResource) =>
      engineResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "keys-dump-attachment", { role: "unknown", policyArn: "unknown" }, { propertyDependencies: { ...from("role", holder), ...from("policyArn", policy) } });
    expect(validateStack("api-keys-table-access", [api, admin, policy, attachment(admin)])).toEqual([]);
    expect(validateStack("api-keys-table-access", [api, admin, policy, attachment(api)])).toEqual([[SCAN_FOUND, policy.urn]]);
    const holding = (role: EngineResource) => ({ ...role, props: { ...role.props, managedPolicyArns: ["unknown"] }, propertyDependencies: from("managedPolicyArns", policy) });
    expect(validateStack("api-keys-table-access", [api, holding(admin), policy])).toEqual([]);
    expect(validateStack("api-keys-table-access", [holding(api), admin, policy])).toEqual([[SCAN_FOUND, policy.urn]]);
  });

  it("finds the role of a service-wide grant through property dependencies: a Lambda role's fails, a service role's does not", () => {
    const trust = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
    const api = engineResource("aws:iam/role:Role", "api-role", { name: "payments-dr-api-use1-dev", assumeRolePolicy: trust("lambda.amazonaws.com") });
    const replication = engineResource("aws:iam/role:Role", "replication-role", { name: "payments-dr-s3-replication-dev", assumeRolePolicy: trust("s3.amazonaws.com") });
    const s3All = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::payments-dr-data-use1-123456789012-dev/*" }] });
    const access = (holder: EngineResource) => engineResource("aws:iam/rolePolicy:RolePolicy", "bucket-access", { role: "unknown", policy: s3All }, { propertyDependencies: { role: [{ urn: holder.urn }] } });
    expect(validateStack("lambda-role-no-service-wildcard", [api, replication, access(replication)])).toEqual([]);
    expect(validateStack("lambda-role-no-service-wildcard", [api, replication, access(api)])).toEqual([[expect.stringMatching(/^policy allows Action "s3:\*": every action of a service/), access(api).urn]]);
  });

  it("pitfall: one PolicyAttachment for a role Lambda cannot assume and a Lambda role — the dependencies of its roles list are both roles', so the Lambda role still holds the policy", () => {
    const trust = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
    const admin = engineResource("aws:iam/role:Role", "keys-admin-role", { name: "payments-dr-keys-admin-dev", assumeRolePolicy: trust("states.amazonaws.com") });
    const api = engineResource("aws:iam/role:Role", "api-role", { name: "payments-dr-api-use1-dev", assumeRolePolicy: trust("lambda.amazonaws.com") });
    const scan = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:Scan", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/payments-dr-api-keys-dev" }] });
    const policy = engineResource("aws:iam/policy:Policy", "keys-dump", { name: "payments-dr-keys-dump-dev", policy: scan });
    const attachment = engineResource(
      "aws:iam/policyAttachment:PolicyAttachment",
      "keys-dump-attachment",
      { name: "payments-dr-keys-dump-dev", roles: ["payments-dr-keys-admin-dev", "payments-dr-api-use1-dev"], policyArn: "unknown" },
      { propertyDependencies: { roles: [{ urn: admin.urn }, { urn: api.urn }], policyArn: [{ urn: policy.urn }] } },
    );
    expect(validateStack("api-keys-table-access", [admin, api, policy, attachment])).toEqual([[expect.stringMatching(/^policy allows dynamodb:Scan on the API keys table/), policy.urn]]);
    const adminOnly = { ...attachment, props: { ...attachment.props, roles: ["payments-dr-keys-admin-dev"] }, propertyDependencies: { roles: [{ urn: admin.urn }], policyArn: [{ urn: policy.urn }] } };
    expect(validateStack("api-keys-table-access", [admin, api, policy, adminOnly])).toEqual([]);
  });

  it("finds the functions API Gateway invokes through the permission's property dependencies, whatever its function value", () => {
    const fn = engineResource("aws:lambda/function:Function", "api-function", { name: "payments-dr-api-use1-dev", timeout: 60 });
    const permission = engineResource("aws:lambda/permission:Permission", "api-invoke", { principal: "apigateway.amazonaws.com", function: "unknown" }, { propertyDependencies: { function: [{ urn: fn.urn }] } });
    expect(validateStack("lambda-timeout-under-api-gateway", [fn, permission])).toEqual([[expect.stringMatching(/^API Gateway invokes it, but its timeout 60 s is not under API Gateway's 29 s/), fn.urn]]);
    expect(validateStack("lambda-timeout-under-api-gateway", [fn, { ...permission, propertyDependencies: {} }])).toEqual([]);
  });

  it("matches a TopicPolicy to its topic through property dependencies, not its arn", () => {
    const topic = engineResource("aws:sns/topic:Topic", "alerts-topic", { name: "payments-dr-alerts-use1-dev" });
    const document = (effect: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Principal: "*", Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
    const policy = (effect: string) => engineResource("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", { arn: "unknown", policy: document(effect) }, { propertyDependencies: { arn: [{ urn: topic.urn }] } });
    expect(validateStack("sns-tls-only", [topic, policy("Deny")])).toEqual([]);
    expect(validateStack("sns-tls-only", [topic, policy("Allow")])).toEqual([[expect.stringMatching(/^its TopicPolicy alerts-policy: no Deny statement for everyone on sns:Publish/), topic.urn]]);
    expect(validateStack("sns-tls-only", [topic, { ...policy("Deny"), propertyDependencies: {} }])).toEqual([[expect.stringMatching(/^no TopicPolicy targets this topic/), topic.urn]]);
  });

  it("without property dependencies, matches the WAF association and logging by the stage's and the ACL's ARN (engine outputs), and counts one without a resourceArn for none", () => {
    const stageArn = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/v1";
    const stage = engineResource("aws:apigateway/stage:Stage", "api-stage", { restApi: "a1b2c3d4e5", stageName: "v1", arn: stageArn });
    const association = (props: Record<string, unknown>) => engineResource("aws:wafv2/webAclAssociation:WebAclAssociation", "guard", props);
    const UNGUARDED = [[expect.stringContaining("no WebAclAssociation"), stage.urn]];
    expect(validateStack("apigateway-stage-waf", [stage, association({ resourceArn: stageArn })])).toEqual([]);
    // The same API id and stage name in another region: the ARN decides, not its ending.
    expect(validateStack("apigateway-stage-waf", [stage, association({ resourceArn: "arn:aws:apigateway:us-east-2::/restapis/a1b2c3d4e5/stages/v1" })])).toEqual(UNGUARDED);
    expect(validateStack("apigateway-stage-waf", [stage, association({})])).toEqual(UNGUARDED);
    expect(validateStack("apigateway-stage-waf", [{ ...stage, props: { restApi: "a1b2c3d4e5", stageName: "v1" } }, association({})])).toEqual(UNGUARDED);

    const aclArn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/payments-dr-api-acl-use1-dev/0a1b2c3d";
    const acl = engineResource("aws:wafv2/webAcl:WebAcl", "acl", { name: "payments-dr-api-acl-use1-dev", arn: aclArn });
    const group = engineResource("aws:cloudwatch/logGroup:LogGroup", "waf-logs", {
      name: "aws-waf-logs-payments-dr-api-acl-use1-dev",
      arn: "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-payments-dr-api-acl-use1-dev",
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/mrk-1",
    });
    const logging = (resourceArn?: string) =>
      engineResource("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging", { resourceArn, logDestinationConfigs: [group.props.arn], redactedFields: [{ singleHeader: { name: "Authorization" } }] });
    const UNLOGGED = [[expect.stringContaining("no WebAclLoggingConfiguration"), acl.urn]];
    expect(validateStack("waf-logging", [acl, group, logging(aclArn)])).toEqual([]);
    // Another ACL of the same name (another id): the ARN decides, not the name in it.
    expect(validateStack("waf-logging", [acl, group, logging("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/payments-dr-api-acl-use1-dev/9f8e7d6c")])).toEqual(UNLOGGED);
    expect(validateStack("waf-logging", [acl, group, logging()])).toEqual(UNLOGGED);
    expect(validateStack("waf-logging", [{ ...acl, props: { name: "payments-dr-api-acl-use1-dev" } }, group, logging()])).toEqual(UNLOGGED);
  });

  it("judges a TableReplica's key by its own provider's region", () => {
    const replica = (region: string) =>
      engineResource("aws:dynamodb/tableReplica:TableReplica", "sessions-replica", { kmsKeyArn: "arn:aws:kms:us-east-2:123456789012:key/mrk-1" }, { provider: { props: { region, defaultTags: JSON.stringify({ tags: TAGS }) } } });
    expect(validate("replica-key-region", replica("us-east-2"))).toEqual([]);
    expect(validate("replica-key-region", replica("us-east-1"))).toEqual([expect.stringMatching(/^kmsKeyArn \S+ is a key of us-east-2, not of us-east-1, where it encrypts/)]);
  });

  it("reads the provider's default reserved concurrency (-1) as unreserved", () => {
    const fn = (reservedConcurrentExecutions: number) => engineResource("aws:lambda/function:Function", "api-function", { name: "payments-dr-api-use1-dev", reservedConcurrentExecutions });
    expect(validate("lambda-reserved-concurrency", fn(50))).toEqual([]);
    expect(validate("lambda-reserved-concurrency", fn(-1))).toEqual([expect.stringMatching(/^reservedConcurrentExecutions is -1: the function is unreserved/)]);
  });

  it("takes a resource's region from its own provider, so a resource of another region's provider is refused", () => {
    const elsewhere = { provider: { props: { region: "eu-west-1", defaultTags: JSON.stringify({ tags: TAGS }) } } };
    expect(resourceOfEngine(engineResource("aws:sns/topic:Topic", "t", {}, elsewhere)).region).toBe("eu-west-1");
    expect(validate("allowed-regions", engineResource("aws:sns/topic:Topic", "t", {}, elsewhere))).toEqual(["region eu-west-1 is not the primary (us-east-1) or DR (us-east-2) region"]);
  });
});
