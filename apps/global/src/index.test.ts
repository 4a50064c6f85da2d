import { dnsFailoverSeconds, dnsFailoverWorstSeconds, FAILOVER_TIMING } from "@payments-dr/failover";
import { MAX_SUFFIX_LENGTH, RECOVERY_TARGETS } from "@payments-dr/conventions";
import { API_GATEWAY_REGIONAL_ZONE_IDS, appRootOf, commentedSettings, drRegionOutputs, fakeId, Plan, primaryRegionOutputs, secretOutputsCiAccepts, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);
const PRIMARY = "organization/primary-region/dev";
const DR = "organization/dr-region/dev";
const UPSTREAM = { [PRIMARY]: { ...primaryRegionOutputs }, [DR]: { ...drRegionOutputs } };
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const DOMAIN = { domainName: "pay.example.com", hostedZoneId: "Z0123456789ABC" };
const WITH_DOMAIN = {
  [PRIMARY]: { ...primaryRegionOutputs, customDomainTarget: "d-aaaa111111.execute-api.us-east-1.amazonaws.com", customDomainZoneId: API_GATEWAY_REGIONAL_ZONE_IDS["us-east-1"], customDomainName: DOMAIN.domainName },
  [DR]: { ...drRegionOutputs, customDomainTarget: "d-bbbb222222.execute-api.us-east-2.amazonaws.com", customDomainZoneId: API_GATEWAY_REGIONAL_ZONE_IDS["us-east-2"], customDomainName: DOMAIN.domainName },
};

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, { upstream: UPSTREAM, ...opts });
}

describe("global stack without a custom domain", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
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
    // Against regional stacks deployed with the same domain (their files offer it too).
    const withExamples = await synth({ config: examples, upstream: WITH_DOMAIN });
    expect(withExamples.resources.length).toBeGreaterThan(0);
  });

  it("exports as secrets only outputs CI's stack-outputs step lets stay [secret] (any other fails every deploy after this stack's)", () => {
    expect(plan.secretOutputNames()).toEqual([]);
    expect(plan.secretOutputNames().filter((name) => !secretOutputsCiAccepts().includes(name))).toEqual([]);
  });

  it("health-checks each region's own /health over HTTPS with SNI every 10 s, threshold 3; the path carries the region's token, a secret", () => {
    const checks = plan.ofType("aws:route53/healthCheck:HealthCheck");
    expect(checks.map((c) => [c.inputs.fqdn, c.inputs.resourcePath])).toEqual(
      expect.arrayContaining([
        [new URL(primaryRegionOutputs.healthUrl).hostname, "[secret]"],
        [new URL(drRegionOutputs.healthUrl).hostname, "[secret]"],
      ]),
    );
    for (const check of checks) expect(check.inputs).toMatchObject({ type: "HTTPS", enableSni: true, requestInterval: 10, failureThreshold: 3, port: 443 });
    const text = plan.allStrings().join("\n");
    for (const token of [primaryRegionOutputs.healthCheckToken, drRegionOutputs.healthCheckToken]) expect(text).not.toContain(token);
  });

  it("gives each region's health check that region's token (the other's would be blocked by its WAF)", async () => {
    const revealed = await synth({ revealSecrets: true });
    const pathOn = (healthUrl: string) => revealed.ofType(HEALTH_CHECK).find((c) => c.inputs.fqdn === new URL(healthUrl).hostname)!.inputs.resourcePath;
    expect(pathOn(primaryRegionOutputs.healthUrl)).toEqual({ "[secret]": `/v1/health?check=${primaryRegionOutputs.healthCheckToken}` });
    expect(pathOn(drRegionOutputs.healthUrl)).toEqual({ "[secret]": `/v1/health?check=${drRegionOutputs.healthCheckToken}` });
  });

  it("alarms on each region's own health check: the dr alarm watches the check of the DR region's /health, not the primary's", () => {
    const idOfCheckOn = (healthUrl: string) => {
      const check = plan.ofType(HEALTH_CHECK).find((c) => c.inputs.fqdn === new URL(healthUrl).hostname)!;
      return fakeId("hc", `${HEALTH_CHECK}::${check.name}`);
    };
    const watched = (name: string) =>
      plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "HealthCheckStatus" && a.inputs.name.includes(`-health-${name}-`))!.inputs.dimensions.HealthCheckId;
    expect(watched("primary")).toBe(idOfCheckOn(primaryRegionOutputs.healthUrl));
    expect(watched("dr")).toBe(idOfCheckOn(drRegionOutputs.healthUrl));
    expect(watched("dr")).not.toBe(watched("primary"));
  });

  it("creates no DNS records, and says in its outputs that DNS failover needs a domain", () => {
    expect(plan.ofType("aws:route53/record:Record")).toEqual([]);
    expect(plan.outputs.dnsFailover).toMatch(/^disabled: DNS failover needs a custom domain/);
    expect(plan.outputs.failoverDomain).toBeUndefined();
  });

  it("replicates the primary bucket to the DR bucket with the DR key, after both buckets' versioning", () => {
    const config = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    expect(config.region).toBe("us-east-1");
    expect(config.inputs.bucket).toBe(primaryRegionOutputs.bucketName);
    expect(config.inputs.rules[0].destination).toMatchObject({ bucket: drRegionOutputs.bucketArn, encryptionConfiguration: { replicaKmsKeyId: drRegionOutputs.kmsKeyArn } });
    expect(plan.outputs.replicationRuleId).toBe(config.inputs.rules[0].id);
  });

  it("deploys the recovery budget's numbers: S3 Replication Time Control at the targets' minutes, DNS failover within the aimed RTO", () => {
    const rule = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules[0];
    expect(rule.destination.replicationTime).toMatchObject({ status: "Enabled", time: { minutes: RECOVERY_TARGETS.s3ReplicationMinutes } });
    expect(dnsFailoverSeconds()).toBe(RECOVERY_TARGETS.aimRtoSeconds);
    // At worst too, DNS leaves the promotion (≈ 60 s, alongside) and the on-call's decision room within the promise.
    expect(dnsFailoverWorstSeconds()).toBeLessThan(RECOVERY_TARGETS.rtoSeconds / 2);
    const apiChecks = plan.ofType("aws:route53/healthCheck:HealthCheck").filter((c) => c.inputs.type === "HTTPS");
    expect(apiChecks).toHaveLength(2);
    for (const check of apiChecks) {
      expect(check.inputs).toMatchObject({ requestInterval: FAILOVER_TIMING.requestIntervalSeconds, failureThreshold: FAILOVER_TIMING.failureThreshold });
    }
  });

  it("refuses to replicate while a regional bucket's versioning is not Enabled", async () => {
    await expect(synth({ upstream: { ...UPSTREAM, [DR]: { ...drRegionOutputs, bucketVersioningStatus: "Suspended" } } })).rejects.toThrow(/versioning "Suspended"/);
  });

  it("alarms where each metric is published: health checks, DynamoDB replication to us-east-2 and S3 failures in us-east-1 to the primary topic; S3 latency and backlog, and DynamoDB replication back to us-east-1, in us-east-2 to the DR topic", () => {
    const alarms = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    const where = (region: string) => alarms.filter((a) => a.region === region).map((a) => `${a.inputs.namespace}/${a.inputs.metricName}`).sort();
    expect(where("us-east-1")).toEqual(
      [
        "AWS/DynamoDB/ReplicationLatency",
        "AWS/DynamoDB/ReplicationLatency",
        "AWS/Route53/HealthCheckStatus",
        "AWS/Route53/HealthCheckStatus",
        "AWS/S3/OperationsFailedReplication",
      ].sort(),
    );
    expect(where("us-east-2")).toEqual(["AWS/DynamoDB/ReplicationLatency", "AWS/DynamoDB/ReplicationLatency", "AWS/S3/OperationsPendingReplication", "AWS/S3/ReplicationLatency"]);
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.inputs.alarmActions).toEqual([alarm.region === "us-east-1" ? primaryRegionOutputs.alertTopicArn : drRegionOutputs.alertTopicArn]);
    }
    const dynamo = alarms.filter((a) => a.inputs.namespace === "AWS/DynamoDB").map((a) => [a.region, a.inputs.dimensions]);
    expect(dynamo).toEqual(
      expect.arrayContaining([
        ["us-east-1", { TableName: primaryRegionOutputs.sessionsTableName, ReceivingRegion: "us-east-2" }],
        ["us-east-1", { TableName: primaryRegionOutputs.apiKeysTableName, ReceivingRegion: "us-east-2" }],
        ["us-east-2", { TableName: primaryRegionOutputs.sessionsTableName, ReceivingRegion: "us-east-1" }],
        ["us-east-2", { TableName: primaryRegionOutputs.apiKeysTableName, ReceivingRegion: "us-east-1" }],
      ]),
    );
  });

  it("with the primary in us-east-2 and DR in us-east-1, keeps the health checks' alarms in us-east-1, where Route 53 publishes their metrics, paging through that region's topic", async () => {
    const swapped = await synth({ config: { primaryRegion: "us-east-2", drRegion: "us-east-1" } });
    const health = swapped.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "HealthCheckStatus");
    expect(health).toHaveLength(2);
    for (const alarm of health) expect([alarm.region, alarm.inputs.alarmActions]).toEqual(["us-east-1", [drRegionOutputs.alertTopicArn]]);
  });

  it("takes the replication alarms' thresholds from its own alarmThresholds config, the API keys table's apart from the sessions table's", async () => {
    const tuned = await synth({ config: { alarmThresholds: JSON.stringify({ apiKeysReplicationLatencyMs: 5000 }) } });
    const thresholdOf = (table: string) =>
      tuned.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.namespace === "AWS/DynamoDB" && a.inputs.dimensions.TableName === table)!.inputs.threshold;
    expect(thresholdOf(primaryRegionOutputs.apiKeysTableName)).toBe(5000);
    expect(thresholdOf(primaryRegionOutputs.sessionsTableName)).toBe(15_000);
    await expect(synth({ config: { alarmThresholds: JSON.stringify({ keysLag: 5000 }) } })).rejects.toThrow(/payments-dr:alarmThresholds: unknown threshold "keysLag"/);
  });

  it("puts a dashboard of both regions in each region, naming the stacks' real resources", () => {
    const dashboards = plan.ofType("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards.map((d) => d.region).sort()).toEqual(["us-east-1", "us-east-2"]);
    for (const dashboard of dashboards) {
      const body = JSON.stringify(JSON.parse(dashboard.inputs.dashboardBody));
      for (const name of [primaryRegionOutputs.apiName, drRegionOutputs.apiName, primaryRegionOutputs.lambdaName, primaryRegionOutputs.healthLambdaName, drRegionOutputs.healthLambdaName, drRegionOutputs.clusterIdentifier, primaryRegionOutputs.sessionsTableName, primaryRegionOutputs.apiKeysTableName]) {
        expect(body).toContain(name);
      }
    }
    expect(plan.outputs.dashboardName).toBe(dashboards.find((d) => d.region === "us-east-1")!.inputs.dashboardName);
  });

  it("exports each region's own health check id: `dr status` and the runbook read the DR one", () => {
    const idOfCheckOn = (healthUrl: string) => {
      const check = plan.ofType(HEALTH_CHECK).find((c) => c.inputs.fqdn === new URL(healthUrl).hostname)!;
      return fakeId("hc", `${HEALTH_CHECK}::${check.name}`);
    };
    expect(plan.outputs.primaryHealthCheckId).toBe(idOfCheckOn(primaryRegionOutputs.healthUrl));
    expect(plan.outputs.drHealthCheckId).toBe(idOfCheckOn(drRegionOutputs.healthUrl));
  });

  it("reads the regional stacks under the names payments-dr:primaryStack and payments-dr:drStack give them", async () => {
    const named = await synth({
      config: { primaryStack: "acme/primary-region/prod", drStack: "acme/dr-region/prod" },
      upstream: { "acme/primary-region/prod": { ...primaryRegionOutputs }, "acme/dr-region/prod": { ...drRegionOutputs } },
    });
    expect(named.outputs).toMatchObject({ primaryClusterArn: primaryRegionOutputs.clusterArn, drClusterArn: drRegionOutputs.clusterArn });
  });

  it("creates no Region switch plan unless asked", () => {
    expect(plan.ofType("aws:arcregionswitch/plan:Plan")).toEqual([]);
    expect(plan.outputs.regionSwitchPlanArn).toBeUndefined();
  });
});

describe("global stack with a custom domain", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth({ config: { ...DOMAIN, regionSwitchPlan: "true" }, upstream: WITH_DOMAIN });
  });

  it("routes the domain to the primary's custom-domain target while it is healthy, else to the DR one", () => {
    const records = plan.ofType("aws:route53/record:Record");
    const primary = records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "PRIMARY")!;
    const secondary = records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "SECONDARY")!;
    expect(primary.inputs.aliases[0].name).toBe(WITH_DOMAIN[PRIMARY].customDomainTarget);
    expect(secondary.inputs.aliases[0].name).toBe(WITH_DOMAIN[DR].customDomainTarget);
    expect(plan.outputs).toMatchObject({ dnsFailover: "enabled: pay.example.com", failoverDomain: "pay.example.com" });
  });

  it("with the Region switch plan, the primary record follows its /health and ARC's primary check, both healthy; the DR record no check", () => {
    const records = plan.ofType("aws:route53/record:Record");
    const primaryRecord = records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "PRIMARY")!;
    const combined = plan.one(HEALTH_CHECK, "primary-record-health-check");
    expect(primaryRecord.inputs.healthCheckId).toBe(fakeId("hc", `${HEALTH_CHECK}::primary-record-health-check`));
    expect(combined.inputs).toMatchObject({ type: "CALCULATED", childHealthThreshold: 2 });
    expect(combined.inputs.childHealthchecks).toEqual([plan.outputs.primaryHealthCheckId, expect.stringMatching(/^arc-hc-/)]);
    // Automatic failover must not wait on ARC's check of the region it has not activated.
    expect(records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "SECONDARY")!.inputs.healthCheckId).toBeUndefined();
    expect(plan.ofType(HEALTH_CHECK).filter((c) => c.inputs.type === "CALCULATED")).toHaveLength(1);
  });

  it("with the Region switch plan, alarms on the primary record's check too: running the plan moves the traffic with every /health still passing", () => {
    const alarm = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.name.includes("-health-primary-record-"))!;
    expect(alarm.inputs).toMatchObject({ metricName: "HealthCheckStatus", dimensions: { HealthCheckId: fakeId("hc", `${HEALTH_CHECK}::primary-record-health-check`) }, threshold: 1 });
    expect(alarm.inputs.alarmDescription).toMatch(/DNS answers with the DR region/);
    expect(alarm.region).toBe("us-east-1");
  });

  it("without the plan, the primary record carries the primary's API health check itself, the DR record none (it is answered whenever the primary is unhealthy)", async () => {
    const noPlan = await synth({ config: DOMAIN, upstream: WITH_DOMAIN });
    const records = noPlan.ofType("aws:route53/record:Record");
    expect(records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "PRIMARY")!.inputs.healthCheckId).toBe(noPlan.outputs.primaryHealthCheckId);
    expect(records.find((r) => r.inputs.failoverRoutingPolicies[0].type === "SECONDARY")!.inputs.healthCheckId).toBeUndefined();
    // The DR region's check stays, for its alarm and `dr status`.
    expect(noPlan.ofType(HEALTH_CHECK).map((c) => c.inputs.type)).toEqual(["HTTPS", "HTTPS"]);
    // The record's check is the primary's, whose alarm is there already.
    expect(noPlan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.name.includes("-health-primary-record-"))).toEqual([]);
  });

  it("pitfall: failover record pointing at an execute-api hostname → refused, for either region's record", async () => {
    for (const [stack, outputs] of [[PRIMARY, primaryRegionOutputs], [DR, drRegionOutputs]] as const) {
      const rawApiHost = new URL(outputs.apiUrl).hostname;
      await expect(synth({ config: DOMAIN, upstream: { ...WITH_DOMAIN, [stack]: { ...WITH_DOMAIN[stack], customDomainTarget: rawApiHost } } })).rejects.toThrow(
        /not an API Gateway custom domain/,
      );
    }
  });

  it("says in each health check's alarm what its failure does: the primary's moves DNS only with a domain, the DR one's moves nothing; and that a fenced region fails it by design", async () => {
    const description = (p: Plan, check: string) => p.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name.endsWith(`-health-${check}`))!.inputs.alarmDescription as string;
    const withoutDomain = await synth();
    expect(description(plan, "primary")).toContain("/health fails from most checkers: DNS answers with the DR region");
    expect(description(withoutDomain, "primary")).toContain("no custom domain, so DNS does not move: clients keep failing there");
    expect(description(plan, "dr")).toContain("DNS still answers with it if the primary fails");
    for (const [check, region] of [["primary", "primary"], ["dr", "DR"]] as const) expect(description(plan, check)).toContain(`shows the ${region} region FENCED, that is expected until \`dr unfence\``);
  });

  it("refuses a domainName other than the one either region's custom domain serves (API Gateway answers a name it does not serve with 403), naming the key", async () => {
    for (const [stack, region] of [[PRIMARY, "primary"], [DR, "DR"]] as const) {
      await expect(synth({ config: DOMAIN, upstream: { ...WITH_DOMAIN, [stack]: { ...WITH_DOMAIN[stack], customDomainName: "api.example.com" } } })).rejects.toThrow(
        `payments-dr:domainName: the ${region} region's custom domain serves "api.example.com", not this stack's "pay.example.com"`,
      );
    }
    // A regional stack deployed before it exported the name (during an outage it cannot be deployed again) is not checked.
    for (const stack of [PRIMARY, DR] as const) {
      const { customDomainName: _older, ...older } = WITH_DOMAIN[stack];
      const records = (await synth({ config: DOMAIN, upstream: { ...WITH_DOMAIN, [stack]: older } })).ofType("aws:route53/record:Record");
      expect([stack, records.length]).toEqual([stack, 2]);
    }
  });

  it("adds the opt-in Region switch plan over the global database and the failover records", () => {
    const arc = plan.one("aws:arcregionswitch/plan:Plan");
    expect(arc.inputs.workflows[0].steps.map((s: { executionBlockType: string }) => s.executionBlockType)).toEqual(["AuroraGlobalDatabase", "Route53HealthCheck"]);
    expect(plan.outputs.regionSwitchPlanArn).toBeDefined();
    expect(arc.inputs.name).toBe("payments-dr-region-switch-dev");
  });

  it("takes the longest suffix the regional stacks take (MAX_SUFFIX_LENGTH), the plan included: its name then ends in the suffix's digest, within ARC's 32 characters", async () => {
    const longest = await synth({ config: { ...DOMAIN, regionSwitchPlan: "true", environmentSuffix: "a".repeat(MAX_SUFFIX_LENGTH) }, upstream: WITH_DOMAIN });
    expect(longest.one("aws:arcregionswitch/plan:Plan").inputs.name).toMatch(/^payments-dr-region-switch-[0-9a-f]{6}$/);
  });

  it("names the missing output and stack when a regional stack has no custom domain yet", async () => {
    await expect(synth({ config: DOMAIN, upstream: UPSTREAM })).rejects.toThrow(/Required output 'customDomainTarget' does not exist on stack 'organization\/(primary|dr)-region\/dev'/);
  });
});
