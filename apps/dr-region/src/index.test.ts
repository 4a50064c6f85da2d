import { readFileSync } from "node:fs";
import * as path from "node:path";
import { COMPLIANCE_TAGS, MAX_SUFFIX_LENGTH, type DrRegionOutputs, type PrimaryRegionOutputs } from "@payments-dr/conventions";
import { FAILOVER_TIMING } from "@payments-dr/failover";
import { apiErrorsQuery } from "@payments-dr/monitoring";
import { auroraRpoLagQuery } from "@payments-dr/monitoring/aurora-lag";
import { appRootOf, commentedSettings, Plan, primaryRegionOutputs, secretOutputsCiAccepts, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);
const PRIMARY_STACK = "organization/primary-region/dev";
const DOMAIN = { domainName: "pay.example.com", hostedZoneId: "Z0123456789ABC" };
const RECORD = "aws:route53/record:Record";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, {
    upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs } },
    ...opts,
  });
}

const OUTPUT_NAMES: Record<keyof DrRegionOutputs, boolean> = {
  createTimeConfig: true, region: true, vpcId: true, clusterArn: true, clusterIdentifier: true, clusterEndpoint: true, readerEndpoint: true, kmsKeyArn: true,
  bucketName: true, bucketArn: true, bucketVersioningStatus: true, alertTopicArn: true, apiId: true, apiName: true, apiUrl: true,
  apiStage: true, healthUrl: true, healthCheckToken: true, lambdaName: true, healthLambdaName: true, usagePlanId: true, webAclArn: true,
  // Only with a custom domain:
  customDomainTarget: false, customDomainZoneId: false, customDomainName: false,
};
const ALWAYS = Object.entries(OUTPUT_NAMES).filter(([, always]) => always).map(([name]) => name);

describe("dr-region stack", () => {
  let plan: Plan;
  /** The program's exports as it returned them: Outputs, which the plan's resolved values cannot show the dependencies of. */
  let exported: Record<string, unknown> = {};
  beforeAll(async () => {
    plan = await synth({
      program: () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        jest.isolateModules(() => (exported = require("./index")));
        return exported;
      },
    });
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
    // Against a primary deployed with its own file's examples (the same domain among them).
    const primaryRoot = path.resolve(APP_ROOT, "../primary-region");
    const primary = (await synthApp(primaryRoot, { config: commentedSettings(primaryRoot, "dev") })).outputs;
    const withExamples = await synth({ config: examples, upstream: { [PRIMARY_STACK]: primary } });
    expect(withExamples.resources.length).toBeGreaterThan(0);
  });

  it("exports as secrets only outputs CI's stack-outputs step lets stay [secret] (any other fails every deploy after this stack's)", () => {
    expect(plan.secretOutputNames()).toEqual(["healthCheckToken"]);
    expect(plan.secretOutputNames().filter((name) => !secretOutputsCiAccepts().includes(name))).toEqual([]);
  });

  it("exports every output of its contract", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual([...ALWAYS].sort());
    expect(plan.outputs.region).toBe("us-east-2");
  });

  it("creates everything in the DR region through one explicit, tagged provider: nothing touches the primary region", () => {
    expect(plan.providers().map((p) => p.inputs.region)).toEqual(["us-east-2"]);
    for (const resource of plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(resource.region).toBe("us-east-2");
      expect(plan.defaultTagsOf(resource)).toMatchObject({ ...COMPLIANCE_TAGS, Stack: "dr-region/dev" });
    }
  });

  it("joins the primary stack's global cluster as an encrypted secondary without credentials", () => {
    const cluster = plan.one("aws:rds/cluster:Cluster");
    expect(cluster.inputs).toMatchObject({
      globalClusterIdentifier: primaryRegionOutputs.globalClusterId,
      engineVersion: primaryRegionOutputs.engineVersion,
      sourceRegion: "us-east-1",
      storageEncrypted: true,
      kmsKeyId: plan.outputs.kmsKeyArn,
    });
    for (const field of ["masterUsername", "masterPassword", "databaseName", "manageMasterUserPassword"]) {
      expect(cluster.inputs[field]).toBeUndefined();
    }
  });

  it("uses its own VPC range and a replica bucket that is versioned", () => {
    expect(plan.one("aws:ec2/vpc:Vpc").inputs.cidrBlock).toBe("10.1.0.0/16");
    expect(plan.outputs.bucketVersioningStatus).toBe("Enabled");
  });

  it("pitfall: replication config before both buckets' versioning — exports the bucket's versioning status from its BucketVersioning, not a constant the global stack would trust before versioning exists", () => {
    // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
    const dependsOn = [...(exported.bucketVersioningStatus as { resources(): Set<{ __pulumiType?: string }> }).resources()];
    expect(dependsOn.map((resource) => resource.__pulumiType)).toContain("aws:s3/bucketVersioning:BucketVersioning");
  });

  it("deploys the same API with the DR role, reading the replicated secret and sessions through the replica key", () => {
    const fn = plan.one("aws:lambda/function:Function", "api-function");
    expect(fn.inputs.environment.variables).toMatchObject({
      REGION_ROLE: "dr",
      DB_SECRET_ID: primaryRegionOutputs.dbAppSecretName,
      DB_WRITER_HOST: primaryRegionOutputs.globalWriterEndpoint,
      // Reads and /health through the reader endpoint: a secondary's cluster endpoint is inactive,
      // and a /health probing it would keep this region unhealthy, so Route 53 could never fail over.
      DB_READER_HOST: plan.outputs.readerEndpoint,
      SESSIONS_TABLE: primaryRegionOutputs.sessionsTableName,
      API_KEYS_TABLE: primaryRegionOutputs.apiKeysTableName,
    });
    // The authorizer reads the keys table's replica here: nothing in the auth path lives only in the primary region.
    expect(plan.one("aws:lambda/function:Function", "authorizer-function").inputs.environment.variables.API_KEYS_TABLE).toBe(primaryRegionOutputs.apiKeysTableName);
    const readKeys = plan.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name.includes("authorizer"))!.inputs.policy as string;
    expect(readKeys).toContain(`arn:aws:dynamodb:us-east-2:`);
    expect(readKeys).not.toContain("us-east-1");
    const policies = plan.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy as string);
    expect(policies.some((p) => p.includes(primaryRegionOutputs.drReplicaKeyArn))).toBe(true);
    expect(plan.ofType("aws:lambda/invocation:Invocation")).toEqual([]);
  });

  it("pitfall: DR /health failing because its DB is read-only: the function that answers Route 53's check and the CLI's also runs as dr, on this region's reader endpoint", () => {
    const health = plan.one("aws:lambda/function:Function", "api-health-function");
    expect(health.inputs.environment.variables).toMatchObject({ REGION_ROLE: "dr", DB_READER_HOST: plan.outputs.readerEndpoint });
  });

  it("deploys against a primary deployed before the health role, with /health on the app role's secret and a warning (refusing could block it during an outage of the primary's region)", async () => {
    const { dbHealthSecretName: _, ...olderPrimary } = primaryRegionOutputs;
    // The program's own @pulumi/pulumi logs through the console under the mocks.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const older = await synth({ upstream: { [PRIMARY_STACK]: olderPrimary } });
      expect(older.one("aws:lambda/function:Function", "api-health-function").inputs.environment.variables.DB_SECRET_ID).toBe(primaryRegionOutputs.dbAppSecretName);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/primary-region exports no dbHealthSecretName .* Deploy primary-region, then this stack again/));
    } finally {
      warn.mockRestore();
    }
  });

  it("connects /health as the health role, through its secret's replica here (the heartbeat row only: /health answers anyone)", () => {
    const health = plan.one("aws:lambda/function:Function", "api-health-function");
    expect(health.inputs.environment.variables.DB_SECRET_ID).toBe(primaryRegionOutputs.dbHealthSecretName);
    const access = plan.one("aws:iam/rolePolicy:RolePolicy", "api-health-access").inputs.policy as string;
    expect(access).toContain(`:secret:${primaryRegionOutputs.dbHealthSecretName}-`);
    expect(access).not.toContain(primaryRegionOutputs.dbAppSecretName);
    expect(access).toContain("arn:aws:secretsmanager:us-east-2:");
  });

  it("runs the authorizer, which parses untrusted headers, in the network's authorizer security group (DynamoDB only), not the other functions' (the database)", () => {
    const groupId = (role: string) => plan.one("aws:ec2/securityGroup:SecurityGroup", `-${role}-sg`).inputs.name;
    expect(plan.one("aws:lambda/function:Function", "authorizer-function").inputs.vpcConfig.securityGroupIds).toEqual([groupId("authorizer")]);
    expect(plan.one("aws:lambda/function:Function", "api-function").inputs.vpcConfig.securityGroupIds).toEqual([groupId("lambda")]);
  });

  it("deploys the same hourly key cleanup on its own cluster endpoint: out of reach while a secondary (it skips, asking the reader endpoint), the writer after a failover", () => {
    const fn = plan.one("aws:lambda/function:Function", "idem-cleanup-function");
    expect(fn.inputs.environment.variables).toMatchObject({
      DB_WRITER_HOST: plan.outputs.clusterEndpoint,
      DB_READER_HOST: plan.outputs.readerEndpoint,
      DB_SECRET_ID: primaryRegionOutputs.dbAppSecretName,
    });
    expect(fn.inputs.environment.variables.DB_WRITER_HOST).not.toBe(primaryRegionOutputs.globalWriterEndpoint);
    expect(fn.inputs.reservedConcurrentExecutions).toBe(1);
    expect(plan.one("aws:scheduler/schedule:Schedule", "idem-cleanup-schedule").inputs.scheduleExpression).toBe("rate(1 hour)");
    // A read-only skip is an invocation, not an error, and reports no backlog: no alarm fires while it skips.
    const alarms = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.dimensions?.FunctionName === fn.inputs.name);
    expect(alarms.map((a) => a.inputs.metricName).sort()).toEqual(["Errors", "IdempotencyKeyBacklogAge", "Invocations"]);
    expect(alarms.find((a) => a.inputs.metricName === "IdempotencyKeyBacklogAge")!.inputs.treatMissingData).toBe("notBreaching");
  });

  it("probes the primary's own /health from here and pages through this region's topic, judged as Route 53 judges: an outage of all of us-east-1 still pages", () => {
    const probe = plan.one("aws:lambda/function:Function", "primary-probe-function");
    expect(probe.region).toBe("us-east-2");
    expect(probe.inputs.environment.variables).toMatchObject({
      PROBE_TARGET_URL: primaryRegionOutputs.healthUrl,
      PROBE_TARGET: "primary",
      PROBE_INTERVAL_MS: String(FAILOVER_TIMING.requestIntervalSeconds * 1000),
    });
    const alarm = plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", "primary-probe-unhealthy-alarm");
    expect(alarm.region).toBe("us-east-2");
    expect(alarm.inputs).toMatchObject({
      period: FAILOVER_TIMING.requestIntervalSeconds,
      evaluationPeriods: FAILOVER_TIMING.failureThreshold,
      alarmActions: [plan.outputs.alertTopicArn],
    });
  });

  it("alarms on the Lambda, /health's function, the API, the secondary cluster (its lag too) and the key cleanup, in this region, to this region's topic", () => {
    const alarms = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    // As primary-region's (the same RegionalPaymentsApi), plus the probe of the primary's /health (unhealthy, silent).
    expect(alarms.map((a) => a.inputs.metricName ?? a.inputs.metricQueries?.[0]?.expression).sort()).toEqual(
      [apiErrorsQuery({ apiName: plan.outputs.apiName, stageName: plan.outputs.apiStage, excludedResource: "/health" }), auroraRpoLagQuery(plan.outputs.clusterIdentifier), "ApiHealthy", "ApiHealthy", "CPUUtilization", "DatabaseConnections", "Duration", "Errors", "Errors", "IdempotencyKeyBacklogAge", "Invocations", "Latency", "Throttles", "Throttles"].sort(),
    );
    expect(alarms.find((a) => a.name === "api-alarms-aurora-cpu")!.inputs.dimensions).toMatchObject({ DBClusterIdentifier: plan.outputs.clusterIdentifier });
    expect(alarms.find((a) => a.name === "api-alarms-lambda-errors")!.inputs.dimensions).toEqual({ FunctionName: plan.outputs.lambdaName });
    for (const alarm of alarms) {
      expect(alarm.region).toBe("us-east-2");
      expect(alarm.inputs.alarmActions).toEqual([plan.outputs.alertTopicArn]);
    }
  });

  it("alarms on replication lag of the secondary cluster, derived from the RPO target", () => {
    const lag = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricQueries?.[0]?.expression?.includes("AuroraGlobalDBRPOLag"))!;
    expect(lag.inputs).toMatchObject({ metricQueries: [{ expression: auroraRpoLagQuery(plan.outputs.clusterIdentifier) }], alarmActions: [plan.outputs.alertTopicArn] });
    expect(lag.inputs.threshold).toBeLessThan(60_000);
  });

  it("pitfall: secondary Aurora cluster created before the primary instance — refuses while primary-region has no writer", async () => {
    await expect(synth({ upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs, writerInstanceId: "" } } })).rejects.toThrow(/primary-region/);
  });

  describe("with a custom domain", () => {
    /** What primary-region exports with the same domain, as `nx run-many -t synth` hands it over. */
    let primaryWithDomain: PrimaryRegionOutputs;
    let withDomain: Plan;
    const synthWithDomain = (primaryOutputs: Partial<PrimaryRegionOutputs>) =>
      synth({ config: DOMAIN, upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs, ...primaryOutputs } } });
    beforeAll(async () => {
      primaryWithDomain = (await synthApp(path.resolve(APP_ROOT, "../primary-region"), { config: DOMAIN })).outputs as PrimaryRegionOutputs;
      withDomain = await synthWithDomain(primaryWithDomain);
    });

    it("creates no validation record, so destroying this stack never deletes the one primary-region owns; its certificate waits for that record", () => {
      const owned = primaryWithDomain.certificateValidationRecord!;
      expect(withDomain.ofType(RECORD)).toEqual([]);
      expect(withDomain.one(VALIDATION).inputs.validationRecordFqdns).toEqual([owned.name.replace(/\.$/, "")]);
      expect(withDomain.one("aws:apigateway/domainName:DomainName").inputs.regionalCertificateArn).toBe(withDomain.one(VALIDATION).inputs.certificateArn);
      expect(withDomain.outputs.customDomainTarget).toMatch(/\.execute-api\.us-east-2\.amazonaws\.com$/);
      expect(withDomain.outputs).not.toHaveProperty("certificateValidationRecord");
    });

    it("stops when its certificate asks for another record than primary-region exports (e.g. another AWS account)", async () => {
      const otherAccount = { ...primaryWithDomain.certificateValidationRecord!, name: "_0123456789abcdef0123456789abcdef.pay.example.com." };
      await expect(synthWithDomain({ ...primaryWithDomain, certificateValidationRecord: otherAccount })).rejects.toThrow(
        /the certificate for pay\.example\.com in this region asks for the DNS validation record .* but the stack that owns that record exports "CNAME _0123456789abcdef0123456789abcdef\.pay\.example\.com\./,
      );
    });

    describe("upgrading a stack deployed before primary-region owned the validation record (before 1fdf6b3)", () => {
      // Such a stack holds api-api-certificate-validation-record in its state; this program no longer
      // declares it, so a plain update would delete the CNAME that primary-region's certificate renews with.
      const upgrade = (deployed: Record<string, unknown>, config: Record<string, string> = {}) =>
        synth({ config: { ...DOMAIN, ...config }, upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs, ...primaryWithDomain } }, deployed });
      const before1fdf6b3 = () => ({ customDomainTarget: withDomain.outputs.customDomainTarget, apiUrl: withDomain.outputs.apiUrl });

      it("refuses a plain update, pointing at the runbook's one-time migration", async () => {
        await expect(upgrade(before1fdf6b3())).rejects.toThrow(/payments-dr:validationRecordMigration: .*may still hold that record.*Upgrading: the certificate validation record moves to primary-region/);
      });

      it("goes ahead when the migration is under way (validationRecordMigration), without declaring the record", async () => {
        const migrating = await upgrade(before1fdf6b3(), { validationRecordMigration: "true" });
        expect(migrating.ofType(RECORD)).toEqual([]);
      });
    });

    it("stops, naming the output and the stack, when primary-region exports no validation record (no domain there, or not redeployed yet)", async () => {
      await expect(synthWithDomain({})).rejects.toThrow("Required output 'certificateValidationRecord' does not exist on stack 'organization/primary-region/dev'");
    });
  });

  it("without a custom domain, has no certificate and reads no validation record from primary-region", () => {
    expect(primaryRegionOutputs).not.toHaveProperty("certificateValidationRecord");
    expect(plan.ofType("aws:acm/certificate:Certificate")).toEqual([]);
    expect(plan.ofType(VALIDATION)).toEqual([]);
    expect(plan.ofType(RECORD)).toEqual([]);
  });

  it("with deletionProtection on, gives its key 30 days to cancel a deletion, for anyone (its policy refuses a shorter window)", async () => {
    const key = (await synth({ config: { deletionProtection: "true", skipFinalSnapshot: "false" } })).one("aws:kms/key:Key");
    expect(key.inputs.deletionWindowInDays).toBe(30);
    expect(JSON.parse(key.inputs.policy).Statement.map((s: { Sid: string }) => s.Sid)).toContain("DenyShortDeletionWindow");
    expect(plan.one("aws:kms/key:Key").inputs.deletionWindowInDays).toBe(7);
  });

  it("keeps its key when the stack keeps a final snapshot (encrypted with it: deleting the key would make the snapshot unreadable), and only then", async () => {
    const keepsSnapshot = await synth({ config: { skipFinalSnapshot: "false" } });
    expect(keepsSnapshot.one("aws:rds/cluster:Cluster").inputs).toMatchObject({ skipFinalSnapshot: false, kmsKeyId: keepsSnapshot.outputs.kmsKeyArn });
    expect(keepsSnapshot.one("aws:kms/key:Key").options.retainOnDelete).toBe(true);
    expect(plan.one("aws:kms/key:Key").options.retainOnDelete).toBe(false);
  });

  it("reserves the budgeted concurrency for its API and authorizer, and refuses one over the writer's connection budget (its containers write to the same writer)", async () => {
    for (const name of ["api-function", "authorizer-function"]) expect(plan.one("aws:lambda/function:Function", name).inputs.reservedConcurrentExecutions).toBe(50);
    // Below the primary's 50: on purpose only (drBelowPrimary).
    const lowered = await synth({ config: { apiReservedConcurrency: "20", drBelowPrimary: "true" } });
    expect(lowered.one("aws:lambda/function:Function", "api-function").inputs.reservedConcurrentExecutions).toBe(20);
    await expect(synth({ config: { apiReservedConcurrency: "500" } })).rejects.toThrow(/payments-dr:apiReservedConcurrency: 500 per region/);
  });

  it("reserves 109 concurrent executions, README's Lambda quota: API 50, authorizer 50, /health 5, key cleanup 1, the primary's probe 3", () => {
    const reserved = plan.ofType("aws:lambda/function:Function").map((fn) => fn.inputs.reservedConcurrentExecutions);
    expect(reserved.sort((a, b) => a - b)).toEqual([1, 3, 5, 50, 50]);
    // AWS keeps 100 unreserved: the quota the README tells the deployer to check.
    const total = reserved.reduce((sum, n) => sum + n, 0);
    expect(readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8").replace(/\s+/g, " ")).toContain(`${total + 100} in us-east-2`);
  });

  it("follows deletionProtection for its secondary cluster and its replica bucket (no forceDestroy when protected)", async () => {
    const production = await synth({ config: { deletionProtection: "true", skipFinalSnapshot: "false" } });
    expect(production.one("aws:rds/cluster:Cluster").inputs.deletionProtection).toBe(true);
    expect(production.ofType("aws:s3/bucket:Bucket").map((b) => b.inputs.forceDestroy)).toEqual([false]);
    expect(plan.one("aws:rds/cluster:Cluster").inputs.deletionProtection).toBe(false);
    expect(plan.ofType("aws:s3/bucket:Bucket").map((b) => b.inputs.forceDestroy)).toEqual([true]);
  });

  it("reads the primary stack under the name payments-dr:primaryStack gives it", async () => {
    const named = await synth({ config: { primaryStack: "acme/primary-region/prod" }, upstream: { "acme/primary-region/prod": { ...primaryRegionOutputs } } });
    expect(named.one("aws:rds/cluster:Cluster").inputs.globalClusterIdentifier).toBe(primaryRegionOutputs.globalClusterId);
  });

  it("refuses, before any resource, a DR region smaller than the primary (it serves all of the primary's traffic after a failover), unless drBelowPrimary says it is on purpose", async () => {
    const bigPrimary = { ...primaryRegionOutputs, servingCapacity: { ...primaryRegionOutputs.servingCapacity, apiReservedConcurrency: 200, dbInstanceClass: "db.r6g.2xlarge" } };
    await expect(synth({ upstream: { [PRIMARY_STACK]: bigPrimary } })).rejects.toThrow(
      /payments-dr:apiReservedConcurrency: 50 here is below primary-region's 200; also dbInstanceClass db\.r6g\.large \(16 GiB\) here is smaller than primary-region's db\.r6g\.2xlarge \(64 GiB\)/,
    );
    expect((await synth({ config: { apiReservedConcurrency: "200", dbInstanceClass: "db.r6g.2xlarge" }, upstream: { [PRIMARY_STACK]: bigPrimary } })).outputs.region).toBe("us-east-2");
    expect((await synth({ config: { drBelowPrimary: "true" }, upstream: { [PRIMARY_STACK]: bigPrimary } })).outputs.region).toBe("us-east-2");
  });

  it("refuses, before any resource, a pair whose fleets its writer could not hold after a move (a smaller DR instance class than the primary's)", async () => {
    const bigPrimary = { ...primaryRegionOutputs, writerConnections: { apiReservedConcurrency: 800, healthReservedConcurrency: 5, writerConnectionBudget: 2500 } };
    await expect(synth({ upstream: { [PRIMARY_STACK]: bigPrimary } })).rejects.toThrow(
      /payments-dr:apiReservedConcurrency: the two regions' functions need up to 912 connections to the DR region's writer after a move .* over its budget of 861/,
    );
    // The same primary with a DR writer large enough (db.r6g.xlarge: 1,739 at 50 % of 3,479).
    expect((await synth({ config: { dbInstanceClass: "db.r6g.xlarge" }, upstream: { [PRIMARY_STACK]: bigPrimary } })).outputs.region).toBe("us-east-2");
  });

  it("deploys against a primary-region deployed before it exported writerConnections (the pair is then not checked, with a warning): an outage of the primary must not block it", async () => {
    const { writerConnections: _absent, ...older } = primaryRegionOutputs;
    expect((await synth({ upstream: { [PRIMARY_STACK]: older } })).outputs.region).toBe("us-east-2");
  });

  it("deploys against a primary-region deployed before it exported servingCapacity and the health secret (the capacity is then not checked, with a warning): an outage of the primary must not block it", async () => {
    const { servingCapacity: _capacity, dbHealthSecretName: _name, dbHealthSecretArn: _arn, ...older } = primaryRegionOutputs;
    // The program's own @pulumi/pulumi logs through the console under the mocks.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect((await synth({ upstream: { [PRIMARY_STACK]: older } })).outputs.region).toBe("us-east-2");
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/primary-region exports no servingCapacity .* Deploy primary-region, then this stack again/));
    } finally {
      warn.mockRestore();
    }
  });

  it("takes the longest suffix the primary stack takes (MAX_SUFFIX_LENGTH): its own names hold it too", async () => {
    const longest = "a".repeat(MAX_SUFFIX_LENGTH);
    expect((await synth({ config: { environmentSuffix: longest } })).outputs.createTimeConfig).toMatchObject({ environmentSuffix: longest });
  });

  it("fails clearly when primary-region has not been deployed", async () => {
    await expect(synth({ upstream: {} })).rejects.toThrow(/organization\/primary-region\/dev/);
  });
});
