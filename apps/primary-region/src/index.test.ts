import * as pulumi from "@pulumi/pulumi";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { COMPLIANCE_TAGS, MAX_SUFFIX_LENGTH, type PrimaryRegionOutputs } from "@payments-dr/conventions";
import { apiErrorsQuery } from "@payments-dr/monitoring";
import { auroraRpoLagQuery } from "@payments-dr/monitoring/aurora-lag";
import { appRootOf, commentedSettings, FAKE_ACCOUNT_ID, Plan, REDACTED, secretOutputsCiAccepts, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, opts);
}

/** Every output name of the contract: a renamed output breaks this list at compile time. */
const OUTPUT_NAMES: Record<keyof PrimaryRegionOutputs, boolean> = {
  createTimeConfig: true, region: true, vpcId: true, globalClusterId: true, globalWriterEndpoint: true, engineVersion: true, clusterArn: true,
  clusterIdentifier: true, clusterEndpoint: true, readerEndpoint: true, writerInstanceId: true, dbSecretArn: true,
  dbSecretName: true, dbAppSecretArn: true, dbAppSecretName: true, dbHealthSecretArn: true, dbHealthSecretName: true, servingCapacity: true, kmsKeyArn: true, drReplicaKeyArn: true, writerConnections: true, sessionsTableName: true, apiKeysTableName: true, bucketName: true, bucketArn: true,
  bucketVersioningStatus: true, alertTopicArn: true, apiId: true, apiName: true, apiUrl: true, apiStage: true, healthUrl: true, healthCheckToken: true,
  lambdaName: true, healthLambdaName: true, usagePlanId: true, webAclArn: true,
  // Only with a custom domain:
  customDomainTarget: false, customDomainZoneId: false, customDomainName: false, certificateValidationRecord: false,
};
const ALWAYS = Object.entries(OUTPUT_NAMES).filter(([, always]) => always).map(([name]) => name);
const LAMBDA = "aws:lambda/function:Function";

describe("primary-region stack", () => {
  let plan: Plan;
  /** The program's exports as it returned them: Outputs, which the plan's resolved values cannot show the dependencies of. */
  let exported: Record<string, unknown> = {};
  /** Each function's environment as the program gave it (by logical name): its Outputs' dependencies, which the plan cannot show either. */
  const environmentOf: Record<string, pulumi.Output<unknown>> = {};
  beforeAll(async () => {
    plan = await synth({
      program: () => {
        pulumi.runtime.registerStackTransformation(({ type, name, props }) => {
          if (type === "aws:lambda/function:Function") environmentOf[name] = pulumi.output(props.environment);
          return undefined;
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        jest.isolateModules(() => (exported = require("./index")));
        return exported;
      },
    });
  });

  it("exports as secrets only outputs CI's stack-outputs step lets stay [secret] (any other fails every deploy after this stack's)", () => {
    expect(plan.secretOutputNames()).toEqual(["healthCheckToken"]);
    expect(plan.secretOutputNames().filter((name) => !secretOutputsCiAccepts().includes(name))).toEqual([]);
  });

  it("Pulumi.dev.yaml holds only the defaults, as it says: with the regions alone the stack plans the same (a default changed in code reaches dev)", async () => {
    const defaults = await synth({ stackFileKeys: ["pulumi:disable-default-providers", "payments-dr:primaryRegion", "payments-dr:drRegion"] });
    expect(defaults.resources.length).toBeGreaterThan(0);
    expect(defaults.resources).toEqual(plan.resources);
    expect(defaults.outputs).toEqual(plan.outputs);
  });

  it("accepts every setting its Pulumi.dev.yaml offers commented out, all uncommented at once (an example the stack refused would fail a user's first preview)", async () => {
    const examples = commentedSettings(APP_ROOT, "dev");
    expect(Object.keys(examples).length).toBeGreaterThan(0);
    const withExamples = await synth({ config: examples });
    expect(withExamples.resources.length).toBeGreaterThan(0);
  });

  it("exports every output of its contract", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual([...ALWAYS].sort());
    expect(plan.outputs.region).toBe("us-east-1");
    expect(plan.outputs.globalWriterEndpoint).toMatch(/\.global-[a-z0-9]+\.global\.rds\.amazonaws\.com$/);
  });

  it("pitfall: replication config before both buckets' versioning — exports the bucket's versioning status from its BucketVersioning, not a constant the global stack would trust before versioning exists", () => {
    // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
    const dependsOn = [...(exported.bucketVersioningStatus as { resources(): Set<{ __pulumiType?: string }> }).resources()];
    expect(dependsOn.map((resource) => resource.__pulumiType)).toContain("aws:s3/bucketVersioning:BucketVersioning");
  });

  it("creates every AWS resource through an explicit provider in the primary region, except the DR replicas", () => {
    const aws = plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(30);
    for (const resource of aws) expect(resource.provider).not.toBeNull();
    const inDr = aws.filter((r) => r.region === "us-east-2").map((r) => r.type);
    expect(new Set(inDr)).toEqual(new Set(["aws:kms/replicaKey:ReplicaKey", "aws:kms/alias:Alias"]));
    expect(plan.providers().map((p) => p.name).sort()).toEqual(["us-east-1", "us-east-2"]);
    expect(aws.filter((r) => r.region !== "us-east-1" && r.region !== "us-east-2")).toEqual([]);
  });

  it("tags every resource through its provider's default tags", () => {
    const providers = plan.providers();
    expect(providers.map((p) => p.inputs.region).sort()).toEqual(["us-east-1", "us-east-2"]);
    for (const resource of plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(plan.defaultTagsOf(resource)).toMatchObject({ ...COMPLIANCE_TAGS, EnvironmentSuffix: "dev", Stack: "primary-region/dev", ManagedBy: "pulumi" });
    }
  });

  it("owns the Aurora global cluster and its primary member, encrypted with the region's key", () => {
    const global = plan.one("aws:rds/globalCluster:GlobalCluster");
    const cluster = plan.one("aws:rds/cluster:Cluster");
    expect(global.inputs).toMatchObject({ engine: "aurora-postgresql", engineVersion: "16.6", storageEncrypted: true });
    expect(cluster.inputs).toMatchObject({ globalClusterIdentifier: global.inputs.globalClusterIdentifier, storageEncrypted: true, engineVersion: "16.6" });
    expect(cluster.inputs.kmsKeyId).toBe(plan.outputs.kmsKeyArn);
    expect(plan.ofType("aws:rds/clusterInstance:ClusterInstance")).toHaveLength(2);
  });

  it("keeps the master password out of the plan: secret in the program, secret in the plan", () => {
    // Anywhere: also inside a string (a secret's JSON document, a function's payload), not only as a whole value.
    expect(plan.allStrings().filter((s) => s.includes("synth-fake-password-0123456789"))).toEqual([]);
    expect(plan.one("aws:rds/cluster:Cluster").inputs.masterPassword).toBe(REDACTED);
    // The master's secret and the app role's, both replicated to the DR region with the replica key.
    for (const secret of [plan.named("aurora-secret"), plan.named("aurora-app-secret")]) {
      expect(secret.inputs.replicas).toEqual([{ region: "us-east-2", kmsKeyId: plan.outputs.drReplicaKeyArn }]);
    }
    expect(plan.named("aurora-app-secret").inputs.name).toBe(plan.outputs.dbAppSecretName);
  });

  it.each([
    ["sessions", "sessionsTableName"],
    ["api-keys", "apiKeysTableName"],
  ])("replicates the %s table to the DR region with the replica key and PITR", (role, output) => {
    const table = plan.one("aws:dynamodb/table:Table", `${role}-table`);
    expect(table.inputs.name).toBe(plan.outputs[output]);
    expect(table.inputs.replicas).toEqual([expect.objectContaining({ regionName: "us-east-2", kmsKeyArn: plan.outputs.drReplicaKeyArn, pointInTimeRecovery: true })]);
    expect(table.inputs).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", pointInTimeRecovery: { enabled: true } });
  });

  it("points the authorizer at the keys table this stack owns", () => {
    const authorizer = plan.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name.endsWith("-authorizer-function"));
    expect(authorizer?.inputs.environment.variables.API_KEYS_TABLE).toBe(plan.outputs.apiKeysTableName);
  });

  it("puts the environment suffix in every physical name", () => {
    // Not the StackReference to this stack's last deploy: its name is the stack's.
    const named = plan.resources.filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference").flatMap((r) =>
      ["name", "bucket", "clusterIdentifier", "identifier", "globalClusterIdentifier"].map((k) => r.inputs[k]).filter((v) => typeof v === "string"),
    );
    expect(named.length).toBeGreaterThan(10);
    // The exceptions: AWS fixes the names of a stage's execution log group and of a cluster's log
    // group (the cluster id inside carries the suffix).
    for (const name of named.filter((n) => !n.startsWith("API-Gateway-Execution-Logs_") && !n.startsWith("/aws/rds/cluster/"))) expect(name).toMatch(/-dev$/);
    for (const name of named.filter((n) => n.startsWith("/aws/rds/cluster/"))) expect(name).toMatch(/^\/aws\/rds\/cluster\/[a-z0-9-]+-dev\/postgresql$/);
  });

  it("deploys the payments API with the primary role: writes to the global writer, reads from this region", () => {
    const fn = plan.one(LAMBDA, "api-function");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs22.x", reservedConcurrentExecutions: 50, timeout: 10 });
    expect(fn.inputs.environment.variables).toMatchObject({
      REGION_ROLE: "primary",
      DB_WRITER_HOST: plan.outputs.globalWriterEndpoint,
      DB_READER_HOST: plan.outputs.clusterEndpoint,
      // The app role's secret, never the master user's.
      DB_SECRET_ID: plan.outputs.dbAppSecretName,
      SESSIONS_TABLE: plan.outputs.sessionsTableName,
    });
    expect(fn.inputs.vpcConfig.subnetIds).toHaveLength(3);
    expect(plan.outputs.healthUrl).toBe(`${plan.outputs.apiUrl}/health`);
    expect(plan.outputs.healthUrl).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/v1\/health$/);
  });

  it("runs the authorizer, which parses untrusted headers, in the network's authorizer security group (DynamoDB only), not the other functions' (the database)", () => {
    const groupId = (role: string) => plan.one("aws:ec2/securityGroup:SecurityGroup", `-${role}-sg`).inputs.name;
    expect(plan.one(LAMBDA, "authorizer-function").inputs.vpcConfig.securityGroupIds).toEqual([groupId("authorizer")]);
    expect(plan.one(LAMBDA, "api-function").inputs.vpcConfig.securityGroupIds).toEqual([groupId("lambda")]);
  });

  it("reserves 107 concurrent executions, README's Lambda quota: API 50, authorizer 50, /health 5, key cleanup 1, migrations 1", () => {
    const reserved = plan.ofType(LAMBDA).map((fn) => fn.inputs.reservedConcurrentExecutions);
    expect(reserved.sort((a, b) => a - b)).toEqual([1, 1, 5, 50, 50]);
    // AWS keeps 100 unreserved: the quota the README tells the deployer to check.
    const total = reserved.reduce((sum, n) => sum + n, 0);
    expect(readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8").replace(/\s+/g, " ")).toContain(`at least ${total + 100} in us-east-1`);
  });

  it("takes the /health function's reserved concurrency from payments-dr:healthReservedConcurrency", async () => {
    const more = await synth({ config: { healthReservedConcurrency: "8" } });
    expect(more.one(LAMBDA, "api-health-function").inputs.reservedConcurrentExecutions).toBe(8);
  });

  it("deletes expired idempotency keys hourly through this region's cluster endpoint, one run at a time", () => {
    const fn = plan.one(LAMBDA, "idem-cleanup-function");
    expect(fn.inputs).toMatchObject({ reservedConcurrentExecutions: 1, timeout: 60, vpcConfig: { subnetIds: expect.any(Array) } });
    expect(fn.inputs.environment.variables).toMatchObject({
      DB_WRITER_HOST: plan.outputs.clusterEndpoint,
      // Asked only when the cluster endpoint cannot be reached: after a switchover, this cluster is a secondary.
      DB_READER_HOST: plan.outputs.readerEndpoint,
      DB_SECRET_ID: plan.outputs.dbAppSecretName,
    });
    expect(plan.one("aws:scheduler/schedule:Schedule").inputs).toMatchObject({ scheduleExpression: "rate(1 hour)", flexibleTimeWindow: { mode: "OFF" } });
  });

  it("applies the migrations on deploy, again whenever they change, once the writer, the master secret and the network it is reached through exist", () => {
    const invocation = plan.one("aws:lambda/invocation:Invocation");
    expect(invocation.inputs.triggers).toEqual({ migrations: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // And again when the app role's password changes (CREATE_ONLY invokes again on a new input): it carries the password, a secret.
    expect(invocation.inputs.input).toBe("[secret]");
    const migrate = plan.one(LAMBDA, "migrations-function");
    expect(migrate.inputs.environment.variables).toMatchObject({ DB_SECRET_ID: plan.outputs.dbSecretName });
    expect(migrate.inputs.environment.variables).not.toHaveProperty("APP_DB_SECRET_ID");
    // The network: its security-group rules and endpoints (Secrets Manager) may change in the same update.
    expect(invocation.options.dependsOn).toEqual(["aurora-instance-1", "aurora-secret-version", "network"]);
  });

  it("writes each function role's password into its secret only after the migrate function gave it to the role: a run that fails leaves the functions on the password the database has", async () => {
    const secretOf = { "api-api-function": "app", "api-idem-cleanup-function": "app", "api-api-health-function": "health" } as const;
    for (const role of new Set(Object.values(secretOf))) expect(plan.named(`aurora-${role}-secret-version`).options.dependsOn).toEqual(["migrations"]);
    // And each function takes its role's secret name only once that version is written.
    for (const [fn, role] of Object.entries(secretOf)) {
      // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
      const dependsOn = [...(environmentOf[fn] as unknown as { resources(): Set<{ __pulumiType?: string; __name?: string }> }).resources()];
      const versions = dependsOn.filter((r) => r.__pulumiType === "aws:secretsmanager/secretVersion:SecretVersion").map((r) => r.__name);
      expect([fn, versions]).toEqual([fn, [`aurora-${role}-secret-version`]]);
    }
    const revealed = await synth({ revealSecrets: true });
    const passwordOf = (role: string) => JSON.parse(revealed.named(`aurora-${role}-secret-version`).inputs.secretString["[secret]"]).password;
    expect(JSON.parse(revealed.one("aws:lambda/invocation:Invocation").inputs.input["[secret]"])).toMatchObject({ appPassword: passwordOf("app"), healthPassword: passwordOf("health") });
  });

  it("gives the migrate run each function role's own password, the one its secret then holds (the fake cloud makes every password alike: /health's is letters and digits only here, to tell them apart)", async () => {
    const revealed = await synth({
      revealSecrets: true,
      program: () => {
        pulumi.runtime.registerStackTransformation(({ type, name, props, opts }) =>
          type === "random:index/randomPassword:RandomPassword" && name === "aurora-health-password" ? { props: { ...props, special: false }, opts } : undefined,
        );
        let program: unknown;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        jest.isolateModules(() => (program = require("./index")));
        return program;
      },
    });
    const passwordOf = (role: string) => JSON.parse(revealed.named(`aurora-${role}-secret-version`).inputs.secretString["[secret]"]).password;
    expect(passwordOf("app")).not.toBe(passwordOf("health"));
    expect(JSON.parse(revealed.one("aws:lambda/invocation:Invocation").inputs.input["[secret]"])).toMatchObject({ appPassword: passwordOf("app"), healthPassword: passwordOf("health") });
  });

  it("leaves the app role its heartbeat grant for one run when upgrading a stack whose /health still connects as it (its function takes the health secret only after that run), and takes it away at the next", async () => {
    const inputOf = (p: Plan) => JSON.parse(p.one("aws:lambda/invocation:Invocation").inputs.input["[secret]"]);
    // A first deploy has no old /health: nothing kept.
    expect(inputOf(await synth({ revealSecrets: true }))).not.toHaveProperty("keepAppHeartbeat");
    const deployed = { createTimeConfig: plan.outputs.createTimeConfig };
    const upgrading = await synth({ revealSecrets: true, deployed });
    expect(inputOf(upgrading)).toMatchObject({ keepAppHeartbeat: true });
    const upgraded = await synth({ revealSecrets: true, deployed: { ...deployed, dbHealthSecretName: plan.outputs.dbHealthSecretName } });
    expect(inputOf(upgraded)).not.toHaveProperty("keepAppHeartbeat");
  });

  it("records dbHealthSecretName only once /health's function runs with that secret (the upgrade's signal above)", () => {
    // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
    const dependsOn = [...(exported.dbHealthSecretName as { resources(): Set<{ __pulumiType?: string; __name?: string }> }).resources()];
    expect(dependsOn.filter((r) => r.__pulumiType === "aws:lambda/function:Function").map((r) => r.__name)).toEqual(["api-api-health-function"]);
  });

  it("connects /health as the health role, whose secret names a role a migration creates, and the payment functions as the app role", () => {
    const secretOf = (fn: string) => plan.one(LAMBDA, fn).inputs.environment.variables.DB_SECRET_ID;
    expect(secretOf("api-health-function")).toBe(plan.outputs.dbHealthSecretName);
    expect(secretOf("api-function")).toBe(plan.outputs.dbAppSecretName);
    expect(secretOf("api-idem-cleanup-function")).toBe(plan.outputs.dbAppSecretName);
    // Each function reads its own secret only.
    const secretsReadBy = (fn: string) => JSON.stringify(plan.one("aws:iam/rolePolicy:RolePolicy", `${fn}-access`).inputs.policy).match(/secret:payments-dr-aurora-[a-z]+/g);
    expect(secretsReadBy("api-health")).toEqual(["secret:payments-dr-aurora-health"]);
    // The migrations create what the secrets name.
    const migrations = path.join(APP_ROOT, "../../libs/payment-lambda/migrations");
    const sql = readdirSync(migrations).map((file) => readFileSync(path.join(migrations, file), "utf8")).join("\n");
    for (const role of ["payments_app", "payments_health"]) expect(sql).toContain(`CREATE ROLE ${role} NOLOGIN`);
  });

  it("alarms on the Lambda, /health's function, the API, the primary cluster (its lag too, for while the roles are swapped) and the key cleanup, to this region's topic", () => {
    const alarms = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    // Errors twice: the API function's, and the idempotency key cleanup's (with its Invocations: not running, and its backlog: behind).
    // Throttles twice: the API function's and /health's.
    // The lag by its Metrics Insights query (libs/monitoring auroraRpoLagQuery), the others by metric.
    expect(alarms.map((a) => a.inputs.metricName ?? a.inputs.metricQueries?.[0]?.expression).sort()).toEqual(
      [apiErrorsQuery({ apiName: plan.outputs.apiName, stageName: plan.outputs.apiStage, excludedResource: "/health" }), auroraRpoLagQuery(plan.outputs.clusterIdentifier), "CPUUtilization", "DatabaseConnections", "Duration", "Errors", "Errors", "IdempotencyKeyBacklogAge", "Invocations", "Latency", "Throttles", "Throttles"].sort(),
    );
    expect(alarms.find((a) => a.name === "api-alarms-health-throttles")!.inputs.dimensions).toEqual({ FunctionName: plan.one(LAMBDA, "api-health-function").inputs.name });
    for (const alarm of alarms) expect(alarm.inputs.alarmActions).toEqual([plan.outputs.alertTopicArn]);
  });

  it("rotates a function role's password when its rotation label changes: a new password, which the migrate function's input carries (so it runs again) before its secret's new version", async () => {
    expect(plan.named("aurora-app-password").inputs).not.toHaveProperty("keepers");
    const rotated = await synth({ config: { appPasswordRotation: "2026-12" } });
    expect(rotated.named("aurora-app-password").inputs.keepers).toEqual({ rotation: "2026-12" });
    expect(rotated.named("aurora-password").inputs).not.toHaveProperty("keepers");
    const health = await synth({ config: { healthPasswordRotation: "2026-12" } });
    expect(health.named("aurora-health-password").inputs.keepers).toEqual({ rotation: "2026-12" });
    expect(health.named("aurora-app-password").inputs).not.toHaveProperty("keepers");
  });

  it("takes alarm thresholds from config, and names the key when one is unknown", async () => {
    const tuned = await synth({ config: { alarmThresholds: JSON.stringify({ api5xxPerMinute: 25 }) } });
    expect(tuned.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name === "api-alarms-api-5xx")!.inputs.threshold).toBe(25);
    await expect(synth({ config: { alarmThresholds: JSON.stringify({ api5xx: 25 }) } })).rejects.toThrow(/payments-dr:alarmThresholds: unknown threshold "api5xx"/);
  });

  it("with deletionProtection on, protects both DynamoDB global tables and their DR replicas, as the policy pack requires, and gives the keys 30 days to cancel a deletion", async () => {
    const production = await synth({ config: { deletionProtection: "true", skipFinalSnapshot: "false" } });
    const tables = production.ofType("aws:dynamodb/table:Table");
    expect(tables.map((t) => t.name).sort()).toEqual(["api-keys-table", "sessions-table"]);
    for (const table of tables) {
      expect(table.inputs.deletionProtectionEnabled).toBe(true);
      expect(table.inputs.replicas.map((r: { deletionProtectionEnabled: boolean }) => r.deletionProtectionEnabled)).toEqual([true]);
    }
    const keys = [production.one("aws:kms/key:Key"), production.one("aws:kms/replicaKey:ReplicaKey")];
    expect(keys.map((k) => k.inputs.deletionWindowInDays)).toEqual([30, 30]);
    for (const key of keys) expect(JSON.parse(key.inputs.policy).Statement.map((s: { Sid: string }) => s.Sid)).toContain("DenyShortDeletionWindow");
    expect([plan.one("aws:kms/key:Key"), plan.one("aws:kms/replicaKey:ReplicaKey")].map((k) => k.inputs.deletionWindowInDays)).toEqual([7, 7]);
  });

  it("keeps its key when the stack keeps a final snapshot (encrypted with it: deleting the key would make the snapshot unreadable), and only then", async () => {
    const keepsSnapshot = await synth({ config: { skipFinalSnapshot: "false" } });
    expect(keepsSnapshot.one("aws:rds/cluster:Cluster").inputs).toMatchObject({ skipFinalSnapshot: false, kmsKeyId: keepsSnapshot.outputs.kmsKeyArn });
    expect(keepsSnapshot.one("aws:kms/key:Key").options.retainOnDelete).toBe(true);
    expect(plan.one("aws:kms/key:Key").options.retainOnDelete).toBe(false);
    // The DR copy of the key encrypts no snapshot: it goes with the stack.
    expect(keepsSnapshot.one("aws:kms/replicaKey:ReplicaKey").options.retainOnDelete).toBeUndefined();
  });

  it("sets the connections alarm from the configured instance class, not from db.r6g.large", async () => {
    const connectionsAlarm = (p: Plan) => p.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "DatabaseConnections")!;
    expect(connectionsAlarm(plan).inputs.threshold).toBe(1377);
    const xlarge = await synth({ config: { dbInstanceClass: "db.r6g.xlarge" } });
    expect(connectionsAlarm(xlarge).inputs.threshold).toBe(2783);
  });

  it("creates the custom domain only when one is configured, exports its regional target, and owns its certificate's validation record", async () => {
    expect(plan.ofType("aws:apigateway/domainName:DomainName")).toEqual([]);
    expect(plan.ofType("aws:route53/record:Record")).toEqual([]);
    const withDomain = await synth({ config: { domainName: "pay.example.com", hostedZoneId: "Z0123456789ABC" } });
    expect(withDomain.one("aws:apigateway/domainName:DomainName").inputs.domainName).toBe("pay.example.com");
    expect(withDomain.outputs.customDomainTarget).toMatch(/^d-[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com$/);
    expect(withDomain.outputs.customDomainZoneId).toBe("Z1UJRXOUMOOFQ8");
    // For the global stack to check its records' name against.
    expect(withDomain.outputs.customDomainName).toBe("pay.example.com");
    // The one validation record both regions' certificates use (same logical name as before: existing stacks keep it); exported for the DR stack.
    const [record, ...others] = withDomain.ofType("aws:route53/record:Record");
    expect(others).toEqual([]);
    expect(record.name).toBe("api-api-certificate-validation-record");
    expect(record.inputs).toEqual({ zoneId: "Z0123456789ABC", name: expect.stringMatching(/\.pay\.example\.com\.$/), type: "CNAME", records: [expect.any(String)], ttl: 300 });
    expect(withDomain.outputs.certificateValidationRecord).toEqual({ name: record.inputs.name, type: "CNAME", value: record.inputs.records[0] });
    // Route 53 checks the execute-api URL, so only this alarm sees the domain's certificate running out.
    const certificateArn = `arn:aws:acm:us-east-1:${FAKE_ACCOUNT_ID}:certificate/`;
    const expiry = withDomain.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "DaysToExpiry");
    expect(expiry).toHaveLength(1);
    expect(expiry[0].inputs.dimensions.CertificateArn).toMatch(new RegExp(`^${certificateArn}[0-9a-f]{32}$`));
    expect(plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "DaysToExpiry")).toEqual([]);
  });

  it("follows deletionProtection for the global database, its primary cluster and the data bucket (no forceDestroy when protected)", async () => {
    const production = await synth({ config: { deletionProtection: "true", skipFinalSnapshot: "false" } });
    expect(production.one("aws:rds/globalCluster:GlobalCluster").inputs.deletionProtection).toBe(true);
    expect(production.one("aws:rds/cluster:Cluster").inputs.deletionProtection).toBe(true);
    expect(production.ofType("aws:s3/bucket:Bucket").map((b) => b.inputs.forceDestroy)).toEqual([false]);
    // The dev defaults: everything goes with the stack.
    expect(plan.one("aws:rds/globalCluster:GlobalCluster").inputs.deletionProtection).toBe(false);
    expect(plan.one("aws:rds/cluster:Cluster").inputs.deletionProtection).toBe(false);
    expect(plan.ofType("aws:s3/bucket:Bucket").map((b) => b.inputs.forceDestroy)).toEqual([true]);
  });

  it("runs the migrations through the global writer endpoint, which follows the writer after a switchover", () => {
    expect(plan.one(LAMBDA, "migrations-function").inputs.environment.variables.DB_WRITER_HOST).toBe(plan.outputs.globalWriterEndpoint);
  });

  it("refuses a reserved concurrency over the writer's connection budget", async () => {
    await expect(synth({ config: { apiReservedConcurrency: "400" } })).rejects.toThrow(/payments-dr:apiReservedConcurrency/);
  });

  it("stops the preview with the key and the rule when environmentSuffix is uppercase", async () => {
    await expect(synth({ config: { environmentSuffix: "Prod" } })).rejects.toThrow(/payments-dr:environmentSuffix: "Prod" is not valid/);
  });

  it("exports its functions' reserved concurrency and its writer's connection budget, which the DR stack checks the pair with", () => {
    // db.r6g.large: max_connections 1,722, 50 % for the Lambdas.
    expect(plan.outputs.writerConnections).toEqual({ apiReservedConcurrency: 50, healthReservedConcurrency: 5, writerConnectionBudget: 861 });
  });

  it("exports what it can serve, from its config, which the DR stack may not be below", async () => {
    expect(plan.outputs.servingCapacity).toEqual({ apiReservedConcurrency: 50, throttleRateLimit: 100, throttleBurstLimit: 200, merchantRateLimit: 50, merchantBurstLimit: 100, dbInstanceClass: "db.r6g.large" });
    const scaled = await synth({ config: { apiThrottleRateLimit: "300", merchantBurstLimit: "150", dbInstanceClass: "db.r7g.xlarge" } });
    expect(scaled.outputs.servingCapacity).toMatchObject({ throttleRateLimit: 300, merchantBurstLimit: 150, dbInstanceClass: "db.r7g.xlarge" });
  });

  it("records what it was deployed with that cannot change: the suffix, the regions, the VPC's range", () => {
    expect(plan.outputs.createTimeConfig).toEqual({ environmentSuffix: "dev", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" });
  });

  it("refuses, before any resource, a suffix or VPC range other than the deployed stack's (every data store would be replaced)", async () => {
    const deployed = { createTimeConfig: { environmentSuffix: "dev", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" } };
    await expect(synth({ deployed, config: { environmentSuffix: "qa7" } })).rejects.toThrow(/payments-dr:environmentSuffix: stack dev was deployed with "dev", and "qa7" cannot be applied/);
    await expect(synth({ deployed, config: { vpcCidr: "10.9.0.0/16" } })).rejects.toThrow(/payments-dr:vpcCidr: stack dev was deployed with "10.0.0.0\/16"/);
    // The same values: an ordinary update.
    expect((await synth({ deployed })).outputs.region).toBe("us-east-1");
  });

  it("takes the longest suffix every stack takes, and refuses a longer one at once (not after the DR stack refuses it)", async () => {
    const longest = "a".repeat(MAX_SUFFIX_LENGTH);
    expect((await synth({ config: { environmentSuffix: longest } })).outputs.createTimeConfig).toMatchObject({ environmentSuffix: longest });
    await expect(synth({ config: { environmentSuffix: `${longest}a` } })).rejects.toThrow(/payments-dr:environmentSuffix: .* at most 26\./);
  });
});
