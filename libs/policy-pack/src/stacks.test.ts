import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { drRegionOutputs, primaryRegionOutputs, stackRegion, synthApp, synthesize, type PlannedResource, type StackPlan } from "@payments-dr/synth";
import { checkPlan } from "./check-plan";
import { runCli } from "./cli";

const APPS = path.resolve(__dirname, "../../../apps");
/** The stack the small programs below play. */
const SANDBOX = { project: "sandbox", environmentSuffix: "dev" };
const UPSTREAM = {
  "organization/primary-region/dev": { ...primaryRegionOutputs },
  "organization/dr-region/dev": { ...drRegionOutputs },
};

/** A small program breaking a few mandatory policies, run through the same harness as the apps. */
function nonCompliantProgram() {
  const { provider } = stackRegion("us-east-1", SANDBOX);
  new aws.s3.Bucket("loose-bucket", { bucket: "payments-dr-loose-use1-123456789012-dev", forceDestroy: true }, { provider });
  new aws.rds.Cluster(
    "member",
    { clusterIdentifier: "payments-dr-aurora-use1-dev", globalClusterIdentifier: "payments-dr-aurora-dev", engine: "aurora-postgresql", storageEncrypted: true, skipFinalSnapshot: true },
    { provider },
  );
  new aws.sns.Topic("alerts", { name: "payments-dr-alerts-use1-dev", kmsMasterKeyId: "alias/payments-dr-data-use1-dev" }, { provider, retainOnDelete: true });
  return {};
}

/** Settings the rules check, passed as secrets: the synth plan holds "[secret]" in their place. */
function secretSettingsProgram() {
  const { provider } = stackRegion("us-east-1", SANDBOX);
  new aws.rds.ClusterInstance(
    "aurora-instance-1",
    { identifier: "payments-dr-aurora-1-use1-dev", clusterIdentifier: "payments-dr-aurora-use1-dev", instanceClass: "db.r6g.large", engine: "aurora-postgresql", publiclyAccessible: pulumi.secret(true), performanceInsightsEnabled: true },
    { provider },
  );
  new aws.sns.Topic("alerts", { name: "payments-dr-alerts-use1-dev", kmsMasterKeyId: pulumi.secret("alias/aws/sns") }, { provider });
  new aws.cloudwatch.LogGroup("logs", { name: "payments-dr-logs-use1-dev", retentionInDays: 30, kmsKeyId: pulumi.secret("alias/aws/logs") }, { provider });
  return {};
}

const REGIONAL_APPS = ["primary-region", "dr-region"];

function only(plan: StackPlan, type: string, where: (r: PlannedResource) => boolean = () => true): PlannedResource {
  const found = plan.resources.filter((r) => r.type === type && where(r));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** One merchant-auth or edge protection (issue 7) taken out of a real regional stack, by the policy that must notice. */
const WEAKENINGS: Record<string, (plan: StackPlan) => void> = {
  "apigateway-stage-waf": (plan) => {
    plan.resources = plan.resources.filter((r) => r.type !== "aws:wafv2/webAclAssociation:WebAclAssociation");
  },
  "waf-logging": (plan) => {
    only(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs.redactedFields = [];
  },
  "waf-rate-limit": (plan) => {
    const acl = only(plan, "aws:wafv2/webAcl:WebAcl");
    // The /health rule stays: scoped to one path, it does not satisfy the policy.
    acl.inputs.rules = acl.inputs.rules.filter((rule: any) => rule.statement.rateBasedStatement?.scopeDownStatement !== undefined || rule.statement.rateBasedStatement === undefined);
  },
  "apigateway-methods-authorized": (plan) => {
    Object.assign(only(plan, "aws:apigateway/method:Method", (m) => m.inputs.httpMethod === "POST").inputs, { authorization: "NONE", authorizerId: undefined, apiKeyRequired: false });
  },
  "apigateway-authorizer-cache": (plan) => {
    only(plan, "aws:apigateway/authorizer:Authorizer").inputs.authorizerResultTtlInSeconds = 3600;
  },
  "api-keys-table-access": (plan) => {
    // The API function's UpdateItem on the keys table loses its attribute condition.
    const access = only(plan, "aws:iam/rolePolicy:RolePolicy", (p) => p.inputs.policy.includes("api-keys") && p.inputs.policy.includes("dynamodb:UpdateItem"));
    const document = JSON.parse(access.inputs.policy);
    for (const statement of document.Statement) if (String(statement.Resource).includes("api-keys")) delete statement.Condition;
    access.inputs.policy = JSON.stringify(document);
  },
};

/** One way to open a real regional stack to callers outside it, by the policy that must refuse it. */
const EXPOSURES: Record<string, (plan: StackPlan) => void> = {
  "lambda-invocation-scoped": (plan) => {
    // The API function behind an anonymous function URL, past the authorizer, WAF and throttling.
    const fn = only(plan, "aws:lambda/function:Function", (f) => f.name === "api-api-function");
    const at = { parent: null, custom: true, provider: fn.provider, region: fn.region, options: {} };
    plan.resources.push({ ...at, type: "aws:lambda/functionUrl:FunctionUrl", name: "api-public-url", inputs: { functionName: fn.inputs.name, authorizationType: "NONE" } });
    plan.resources.push({ ...at, type: "aws:lambda/permission:Permission", name: "api-public-url-permission", inputs: { function: fn.inputs.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" } });
  },
  "no-public-resource-policy": (plan) => {
    // The region's data key, usable by anyone for Decrypt.
    const key = only(plan, "aws:kms/key:Key");
    const policy = JSON.parse(key.inputs.policy);
    policy.Statement.push({ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: ["kms:Decrypt", "kms:CreateGrant"], Resource: "*" });
    key.inputs.policy = JSON.stringify(policy);
  },
  "iam-trust-scoped": (plan) => {
    // The API function's role, assumable by any AWS account besides Lambda.
    const apiRole = only(plan, "aws:iam/role:Role", (r) => r.name === "api-api-role");
    const trust = JSON.parse(apiRole.inputs.assumeRolePolicy);
    trust.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" });
    apiRole.inputs.assumeRolePolicy = JSON.stringify(trust);
  },
};

/** One gap the audit found, opened in the real stacks it applies to, by the policy that must close it. */
const GAPS: Record<string, { apps: string[]; open: (plan: StackPlan) => void }> = {
  "lambda-role-no-service-wildcard": {
    apps: REGIONAL_APPS,
    open: (plan) => {
      // The API function's role given the whole of DynamoDB on its sessions table.
      const access = only(plan, "aws:iam/rolePolicy:RolePolicy", (p) => p.name === "api-api-access");
      const document = JSON.parse(access.inputs.policy);
      for (const statement of document.Statement) if (statement.Sid === "UseSessionsTable") statement.Action = "dynamodb:*";
      access.inputs.policy = JSON.stringify(document);
    },
  },
  "lambda-reserved-concurrency": {
    apps: REGIONAL_APPS,
    open: (plan) => {
      delete only(plan, "aws:lambda/function:Function", (f) => f.name === "api-api-function").inputs.reservedConcurrentExecutions;
    },
  },
  "replica-key-region": {
    apps: ["primary-region", "dr-region", "global"],
    open: (plan) => {
      // Every key of the DR region swapped for the primary region's: the table and secret replicas, the secondary, the S3 destination.
      plan.resources = JSON.parse(JSON.stringify(plan.resources).replace(/arn:aws:kms:us-east-2:/g, "arn:aws:kms:us-east-1:"));
    },
  },
};

describe("policy pack over synthesized stacks", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
  const files: Record<string, string> = {};
  const plans: Record<string, StackPlan> = {};

  beforeAll(async () => {
    const apps: [string, typeof UPSTREAM | undefined][] = [
      ["primary-region", undefined],
      ["dr-region", UPSTREAM],
      ["global", UPSTREAM],
    ];
    for (const [app, upstream] of apps) {
      plans[app] = (await synthApp(path.join(APPS, app), { upstream })).data;
    }
    plans.sandbox = (await synthesize({ project: "sandbox", config: { "payments-dr:environmentSuffix": "dev" }, program: nonCompliantProgram })).data;
    plans.secrets = (await synthesize({ project: "sandbox", config: { "payments-dr:environmentSuffix": "dev" }, program: secretSettingsProgram })).data;
    for (const [name, plan] of Object.entries(plans)) {
      files[name] = path.join(dir, `${name}.json`);
      writeFileSync(files[name], JSON.stringify(plan));
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["primary-region", "dr-region", "global"])("the %s stack breaks no mandatory policy", (app) => {
    expect(checkPlan(plans[app]).filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });

  it("the primary-region stack with deletionProtection passes, and its keys deleted after 7 days break deletion-settings-match-config, and only it", async () => {
    const plan = (await synthApp(path.join(APPS, "primary-region"), { config: { deletionProtection: "true", skipFinalSnapshot: "false" } })).data;
    expect(checkPlan(plan).filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    for (const type of ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"]) only(plan, type).inputs.deletionWindowInDays = 7;
    const broken = checkPlan(plan).filter((v) => v.enforcementLevel === "mandatory");
    expect(broken.map((v) => `${v.policy} ${v.resource.name}`)).toEqual(["deletion-settings-match-config key-key", "deletion-settings-match-config key-replica-key"]);
  });

  it("checks the real stacks' resources, not an empty plan", () => {
    expect(plans["primary-region"].resources.filter((r) => r.custom).length).toBeGreaterThan(30);
    expect(plans["dr-region"].resources.some((r) => r.type === "aws:rds/cluster:Cluster" && r.options.ignoreChanges?.includes("replicationSourceIdentifier"))).toBe(true);
  });

  it.each(REGIONAL_APPS)("the %s stack keeps GET /health anonymous and every other method behind the authorizer, and passes", (app) => {
    const methods = plans[app].resources.filter((r) => r.type === "aws:apigateway/method:Method");
    expect(methods.filter((m) => m.inputs.authorization === "NONE").map((m) => m.inputs.httpMethod)).toEqual(["GET"]);
    expect(methods.filter((m) => m.inputs.authorization === "CUSTOM")).toHaveLength(methods.length - 1);
    expect(checkPlan(plans[app]).filter((v) => v.policy === "apigateway-methods-authorized")).toEqual([]);
  });

  it.each(REGIONAL_APPS.flatMap((app) => Object.keys(WEAKENINGS).map((policy) => [app, policy])))("the %s stack without its protection breaks %s, and only it", (app, policy) => {
    const plan = structuredClone(plans[app]);
    WEAKENINGS[policy](plan);
    const broken = checkPlan(plan).filter((v) => v.enforcementLevel === "mandatory");
    expect(broken.length).toBeGreaterThan(0);
    expect([...new Set(broken.map((v) => v.policy))]).toEqual([policy]);
  });

  it.each(REGIONAL_APPS.flatMap((app) => Object.keys(EXPOSURES).map((policy) => [app, policy])))("the %s stack opened to outside callers breaks %s, and only it", (app, policy) => {
    const plan = structuredClone(plans[app]);
    EXPOSURES[policy](plan);
    const broken = checkPlan(plan).filter((v) => v.enforcementLevel === "mandatory");
    expect(broken.length).toBeGreaterThan(0);
    expect([...new Set(broken.map((v) => v.policy))]).toEqual([policy]);
  });

  it.each(Object.entries(GAPS).flatMap(([policy, { apps }]) => apps.map((app) => [app, policy])))("the %s stack with the audit's gap opened breaks %s, and only it", (app, policy) => {
    const plan = structuredClone(plans[app]);
    GAPS[policy].open(plan);
    const broken = checkPlan(plan).filter((v) => v.enforcementLevel === "mandatory");
    expect(broken.length).toBeGreaterThan(0);
    expect([...new Set(broken.map((v) => v.policy))]).toEqual([policy]);
  });

  it("finds what a program gets wrong, through the synth harness", () => {
    const found = checkPlan(plans.sandbox).map((v) => `${v.policy} ${v.resource.name}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "s3-encryption-cmk loose-bucket",
        "s3-versioning loose-bucket",
        "s3-public-access-blocked loose-bucket",
        "s3-tls-only loose-bucket",
        "aurora-global-member member",
        "encryption-at-rest-cmk member",
        "aurora-backup-retention member",
        "no-retained-resources alerts",
      ]),
    );
    // The provider's defaultTags reach every resource: no tag violation.
    expect(found.filter((f) => f.startsWith("required-tags"))).toEqual([]);
  });

  it("pitfall: secret-wrapped settings reach the offline check redacted; the checks that cannot read them fail instead of passing", () => {
    expect(plans.secrets.resources.find((r) => r.type === "aws:rds/clusterInstance:ClusterInstance")?.inputs.publiclyAccessible).toBe("[secret]");
    expect(checkPlan(plans.secrets).map((v) => `${v.policy} ${v.resource.name}: ${v.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database-not-public aurora-instance-1: cannot verify a secret-wrapped value of publiclyAccessible/),
        expect.stringMatching(/^encryption-at-rest-cmk alerts: cannot verify a secret-wrapped value of kmsMasterKeyId/),
        expect.stringMatching(/^encryption-at-rest-cmk logs: cannot verify a secret-wrapped value of kmsKeyId/),
      ]),
    );
  });

  it.each(["primary-region", "dr-region", "global"])("the %s stack's own secrets (passwords, tokens) are redacted in its plan and fail no check", (app) => {
    const redacted = plans[app].resources.filter((r) => JSON.stringify(r.inputs).includes('"[secret]"'));
    expect(redacted.length).toBeGreaterThan(0);
    expect(checkPlan(plans[app]).filter((v) => v.message.startsWith("cannot verify"))).toEqual([]);
  });

  it("CLI: passes the real stacks with exit code 0 and one summary line", () => {
    const { exitCode, output } = runCli([files["primary-region"], files["dr-region"], files.global]);
    expect(exitCode).toBe(0);
    expect(output.split("\n").filter((line) => line.startsWith("policy-pack:"))).toEqual([expect.stringMatching(/^policy-pack: PASS — 3 stack\(s\), \d+ resources, \d+ policies: 0 mandatory violation\(s\)/)]);
  });

  it("CLI: exits 1 when a stack breaks a mandatory policy, grouped by resource and policy, with the fix", () => {
    const { exitCode, output } = runCli([files["primary-region"], files.sandbox]);
    expect(exitCode).toBe(1);
    expect(output).toContain("  aws:s3/bucket:Bucket loose-bucket\n    error   s3-encryption-cmk: no BucketServerSideEncryptionConfiguration targets this bucket");
    expect(output).toMatch(/How to fix:\n(.*\n)* {2}s3-versioning: Add a BucketVersioning/);
    expect(output).toMatch(/policy-pack: FAIL — 2 stack\(s\), .*: [1-9]\d* mandatory violation\(s\)/);
  });

  it("CLI: prints advisory findings as warnings and still exits 0", () => {
    const plan = structuredClone(plans["primary-region"]);
    const logGroup = plan.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
    delete logGroup.inputs.retentionInDays;
    const file = path.join(dir, "advisory.json");
    writeFileSync(file, JSON.stringify(plan));
    const { exitCode, output } = runCli([file]);
    expect(exitCode).toBe(0);
    expect(output).toContain(`    warning log-retention: retentionInDays is not set`);
    expect(output).toMatch(/PASS .* 0 mandatory violation\(s\), 1 advisory warning\(s\)/);
  });

  it("CLI: exits 2 without files or with a file that is not a synth plan", () => {
    expect(runCli([]).exitCode).toBe(2);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ hello: "world" }));
    expect(runCli([bad])).toEqual({ exitCode: 2, output: expect.stringContaining("is not a synth plan") });
    expect(runCli([path.join(dir, "missing.json")])).toEqual({ exitCode: 2, output: expect.stringContaining("cannot read") });
  });
});

describe("the synth target runs the pack", () => {
  const WORKSPACE = path.resolve(__dirname, "../../..");
  const json = (file: string) => JSON.parse(readFileSync(path.join(WORKSPACE, file), "utf8"));

  it("after every stack's synth, over the plan it wrote, so a mandatory violation fails `nx run-many -t synth`", () => {
    const synth = json("nx.json").targetDefaults.synth;
    // `&&`: the pack's exit code 1 is the target's; the CLI's own exit codes are tested above.
    expect(synth.options.command).toMatch(/^node dist\/tools\/synth\/cli\.js \{projectRoot\} && node dist\/libs\/policy-pack\/cli\.js dist\/synth\/\{projectName\}\.json$/);
    expect(synth.outputs).toContain("{workspaceRoot}/dist/synth/{projectName}.json");
    expect(synth.dependsOn).toContainEqual({ projects: expect.arrayContaining(["policy-pack"]), target: "build" });
    // A change to a policy is a change to every stack's synth result: not served from the cache.
    expect(synth.inputs).toContain("{workspaceRoot}/libs/policy-pack/src/**/*.ts");
  });

  it("for every Pulumi app, none of which replaces that command", () => {
    const apps = readdirSync(path.join(WORKSPACE, "apps")).filter((app) => existsSync(path.join(WORKSPACE, "apps", app, "Pulumi.yaml")));
    expect(apps.sort()).toEqual(["dr-region", "global", "primary-region"]);
    for (const app of apps) expect([app, json(`apps/${app}/project.json`).targets.synth]).toEqual([app, {}]);
  });
});
