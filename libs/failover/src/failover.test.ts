import { createHash } from "node:crypto";
import { fakeId, type Plan, stackRegion, synthesize } from "@payments-dr/synth";
import { ApiHealthCheck, checkFailoverTarget, CombinedHealthCheck, dnsFailoverNoAnswerSeconds, dnsFailoverSeconds, dnsFailoverWorstSeconds, FailoverRecords, failoverSetIdentifier, RegionSwitchPlan } from "./index";
import { healthCheckFqdn, healthCheckResourcePath } from "./health-check";
import { regionHealthCheckId } from "./region-switch-plan";

const PRIMARY_TARGET = "d-abc123.execute-api.us-east-1.amazonaws.com";
const DR_TARGET = "d-def456.execute-api.us-east-2.amazonaws.com";
const GLOBAL_STACK = { project: "global", environmentSuffix: "qa" };

function synth(primaryTarget = PRIMARY_TARGET, secondaryTarget = DR_TARGET): Promise<Plan> {
  return synthesize({
    project: "global",
    program: () => {
      const { namer, provider } = stackRegion("us-east-1", GLOBAL_STACK, "use1");
      const primary = new ApiHealthCheck("primary-health", { namer, role: "primary", healthUrl: "https://abc.execute-api.us-east-1.amazonaws.com/v1/health", healthCheckToken: "t0ken" }, { provider });
      new FailoverRecords(
        "api",
        {
          domain: { name: "pay.example.com", hostedZoneId: "Z0123456789ABC" },
          primary: { domainTarget: primaryTarget, domainZoneId: "Z1UJRXOUMOOFQ8", healthCheckId: primary.healthCheckId },
          secondary: { domainTarget: secondaryTarget, domainZoneId: "ZOJJZC49E0EPZ" },
        },
        { provider },
      );
      return {};
    },
  });
}

describe("ApiHealthCheck", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  it("checks each region's /health over HTTPS with SNI, every 10 s, unhealthy after 3 failures; its path, which carries the region's token, is a secret", () => {
    const check = plan.ofType("aws:route53/healthCheck:HealthCheck").find((r) => r.name === "primary-health-check")!;
    expect(check.inputs).toMatchObject({
      type: "HTTPS",
      fqdn: "abc.execute-api.us-east-1.amazonaws.com",
      port: 443,
      // Passed in the clear here, kept a secret anyway.
      resourcePath: "[secret]",
      enableSni: true,
      requestInterval: 10,
      failureThreshold: 3,
      tags: { Name: "payments-dr-primary-api-health-qa" },
    });
  });

  it("pitfall: health check RequestInterval changed in place → it cannot be; it is replaced, new check first", () => {
    const checks = plan.ofType("aws:route53/healthCheck:HealthCheck");
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) {
      expect(check.options.replaceOnChanges).toEqual(["requestInterval"]);
      expect(check.options.deleteBeforeReplace).toBeUndefined();
    }
  });

  it("keeps the path, which carries the token, a secret in the state too", () => {
    expect(plan.one("aws:route53/healthCheck:HealthCheck", "primary-health-check").options.additionalSecretOutputs).toEqual(["resourcePath"]);
  });

  it("makes DNS detection plus TTL the 90 s RTO aim (RECOVERY_TARGETS.aimRtoSeconds equals it: apps/global tests that)", () => {
    expect(dnsFailoverSeconds()).toBe(90);
  });

  it("when the region does not answer at all, adds Route 53's time to connect to each failing check: 3 × (10 + 4) + 60 s", () => {
    expect(dnsFailoverNoAnswerSeconds()).toBe(102);
  });

  it("at worst adds /health's cache and the own timeouts of the last passing check and of each failing one: 5 + 6 + 3 × (10 + 4 + 2) + 60 s", () => {
    expect(dnsFailoverWorstSeconds()).toBe(119);
  });

  it("requests /health with the token that lets Route 53's checkers past the region's WAF", () => {
    expect(healthCheckResourcePath("https://abc.execute-api.us-east-1.amazonaws.com/v1/health", "t0ken")).toBe("/v1/health?check=t0ken");
    expect(healthCheckResourcePath("https://pay.example.com/health", "aB3")).toBe("/health?check=aB3");
  });

  it("rejects a health URL that is not https", () => {
    expect(() => healthCheckFqdn("http://abc/health")).toThrow(/must be https/);
    expect(() => healthCheckResourcePath("http://abc/health", "t0ken")).toThrow(/must be https/);
  });
});

describe("CombinedHealthCheck", () => {
  it("is healthy only while every child is: one unhealthy child fails the record it gates", async () => {
    const plan = await synthesize({
      project: "global",
      program: () => {
        const { namer, provider } = stackRegion("us-east-1", GLOBAL_STACK, "use1");
        new CombinedHealthCheck("primary-record-health", { namer, role: "primary", healthCheckIds: ["hc-api", "hc-arc", "hc-third"] }, { provider });
        return {};
      },
    });
    const check = plan.one("aws:route53/healthCheck:HealthCheck");
    // A threshold below the children's count would keep the record healthy with a child failing.
    expect(check.inputs).toMatchObject({ type: "CALCULATED", childHealthchecks: ["hc-api", "hc-arc", "hc-third"], childHealthThreshold: 3 });
    expect(check.inputs.tags.Name).toMatch(/primary-record-health/);
  });
});

describe("FailoverRecords", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  it("answers with the primary while its health check passes, else with the DR region", () => {
    const [primary, secondary] = ["api-primary", "api-secondary"].map((name) => plan.named(name));
    expect(primary.inputs).toMatchObject({ name: "pay.example.com", type: "A", failoverRoutingPolicies: [{ type: "PRIMARY" }] });
    expect(secondary.inputs).toMatchObject({ name: "pay.example.com", type: "A", failoverRoutingPolicies: [{ type: "SECONDARY" }] });
    expect(primary.inputs.healthCheckId).toBe(fakeId("hc", "aws:route53/healthCheck:HealthCheck::primary-health-check"));
    expect(primary.inputs.aliases).toEqual([{ name: PRIMARY_TARGET, zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true }]);
    expect(secondary.inputs.aliases).toEqual([{ name: DR_TARGET, zoneId: "ZOJJZC49E0EPZ", evaluateTargetHealth: false }]);
  });

  it("never sends traffic back to a failed primary: the secondary has no health check and ignores its target's health", () => {
    // Route 53 answers with the primary, healthy or not, whenever the secondary is unhealthy.
    const secondary = plan.named("api-secondary");
    expect(secondary.inputs.healthCheckId).toBeUndefined();
    expect(secondary.inputs.aliases[0].evaluateTargetHealth).toBe(false);
  });

  it("pitfall: failover record pointing at an execute-api hostname → refused (403 / TLS mismatch)", async () => {
    expect(() => checkFailoverTarget("abc123.execute-api.us-east-1.amazonaws.com")).toThrow(/not an API Gateway custom domain/);
    await expect(synth("abc123.execute-api.us-east-1.amazonaws.com")).rejects.toThrow(/not an API Gateway custom domain/);
    // The DR record too: it is the one traffic follows in a failover.
    await expect(synth(PRIMARY_TARGET, "def456.execute-api.us-east-2.amazonaws.com")).rejects.toThrow(/not an API Gateway custom domain/);
  });
});

describe("RegionSwitchPlan", () => {
  const clusterArns = { primary: "arn:aws:rds:us-east-1:123456789012:cluster:payments-dr-aurora-use1-qa", dr: "arn:aws:rds:us-east-2:123456789012:cluster:payments-dr-aurora-use2-qa" };
  function synthPlan(withDns: boolean, stack = GLOBAL_STACK): Promise<Plan> {
    return synthesize({
      project: "global",
      program: () => {
        const { namer, provider } = stackRegion("us-east-1", stack, "use1");
        new RegionSwitchPlan(
          "region-switch",
          {
            namer,
            primaryRegion: "us-east-1",
            drRegion: "us-east-2",
            globalClusterId: "payments-dr-aurora-qa",
            clusterArns,
            dns: withDns
              ? { hostedZoneId: "Z0123456789ABC", recordName: "pay.example.com", primarySetIdentifier: failoverSetIdentifier("pay.example.com", "PRIMARY"), drSetIdentifier: failoverSetIdentifier("pay.example.com", "SECONDARY") }
              : undefined,
          },
          { provider },
        );
        return {};
      },
    });
  }

  it("is active-passive with us-east-1 primary: graceful switchover, ungraceful failover of the global database, then the DNS step", async () => {
    const plan = await synthPlan(true);
    const arc = plan.one("aws:arcregionswitch/plan:Plan");
    expect(arc.inputs).toMatchObject({ recoveryApproach: "activePassive", primaryRegion: "us-east-1", regions: ["us-east-1", "us-east-2"], recoveryTimeObjectiveMinutes: 5 });
    const [workflow] = arc.inputs.workflows;
    expect(workflow.workflowTargetAction).toBe("activate");
    expect(workflow.steps.map((s: { executionBlockType: string }) => s.executionBlockType)).toEqual(["AuroraGlobalDatabase", "Route53HealthCheck"]);
    expect(workflow.steps[0].globalAuroraConfigs[0]).toMatchObject({ behavior: "switchoverOnly", ungracefuls: [{ ungraceful: "failover" }], databaseClusterArns: [clusterArns.primary, clusterArns.dr] });
    expect(workflow.steps[1].route53HealthCheckConfigs[0].recordSets).toEqual([
      { recordSetIdentifier: "pay.example.com-primary", region: "us-east-1" },
      { recordSetIdentifier: "pay.example.com-secondary", region: "us-east-2" },
    ]);
  });

  it("lets its role read the failover records of its hosted zone (AWS's sample policy for the Route 53 step), and exposes ARC's check per Region", async () => {
    const plan = await synthPlan(true);
    const statements = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    expect(statements.find((s: { Sid: string }) => s.Sid === "ReadFailoverRecords")).toEqual({
      Sid: "ReadFailoverRecords",
      Effect: "Allow",
      Action: ["route53:ListResourceRecordSets"],
      Resource: "arn:aws:route53:::hostedzone/Z0123456789ABC",
    });
  });

  it("pitfall: a plan name over ARC's 32 characters (CreatePlan refuses it at deploy) → a suffix too long for it gives way to its digest, and the policy names that ARN", async () => {
    // "payments-dr-region-switch-" is 26 characters: 6 are left for the suffix.
    expect((await synthPlan(false, { ...GLOBAL_STACK, environmentSuffix: "prod01" })).one("aws:arcregionswitch/plan:Plan").inputs.name).toBe("payments-dr-region-switch-prod01");
    const staging = await synthPlan(false, { ...GLOBAL_STACK, environmentSuffix: "staging" });
    const name = staging.one("aws:arcregionswitch/plan:Plan").inputs.name;
    expect(name).toBe(`payments-dr-region-switch-${createHash("sha256").update("staging").digest("hex").slice(0, 6)}`);
    expect(staging.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).toContain(`:plan/${name}:`);
  });

  it("trusts ARC with the policy AWS documents, without a condition ARC is not documented to send (a denied assume fails the failover)", async () => {
    const plan = await synthPlan(false);
    expect(JSON.parse(plan.one("aws:iam/role:Role").inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "arc-region-switch.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
  });

  it("names the Region when ARC has not created its health check yet", () => {
    const checks = [{ healthCheckId: "hc-1", region: "us-east-1" }];
    expect(regionHealthCheckId(checks, "us-east-1", "arn:plan")).toBe("hc-1");
    expect(() => regionHealthCheckId(checks, "us-east-2", "arn:plan")).toThrow(/no Route 53 health check for us-east-2 in plan arn:plan yet/);
  });

  it("lets its role move only this global database", async () => {
    const plan = await synthPlan(false);
    const statements = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    const move = statements.find((s: { Sid: string }) => s.Sid === "MoveGlobalDatabase");
    expect(move.Resource).toEqual(["arn:aws:rds::123456789012:global-cluster:payments-dr-aurora-qa", clusterArns.primary, clusterArns.dr]);
    expect(statements.flatMap((s: { Action: string[] }) => s.Action).some((a: string) => a.includes("*"))).toBe(false);
    expect(plan.one("aws:arcregionswitch/plan:Plan").inputs.workflows[0].steps).toHaveLength(1);
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["EvaluatePlan", "ReadPlan", "DescribeDatabases", "MoveGlobalDatabase"]);
  });

  it("lets ARC's plan evaluation simulate this role's own policy and read this plan alone, under the ARN ARC gives it (plan/<name>:<id>), so evaluations do not warn", async () => {
    const plan = await synthPlan(false);
    const statements = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    const role = plan.one("aws:iam/role:Role");
    const arc = plan.one("aws:arcregionswitch/plan:Plan");
    expect(statements.find((s: { Sid: string }) => s.Sid === "EvaluatePlan")).toEqual({ Sid: "EvaluatePlan", Effect: "Allow", Action: ["iam:SimulatePrincipalPolicy"], Resource: `arn:aws:iam::123456789012:role/${role.inputs.name}` });
    const readPlan = statements.find((s: { Sid: string }) => s.Sid === "ReadPlan");
    expect(readPlan).toMatchObject({ Effect: "Allow", Action: ["arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"] });
    // IAM's wildcards: `*` any characters, `?` one.
    const grants = (arn: string) =>
      [readPlan.Resource].flat().some((pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(arn));
    // A plan ARN as ARC writes it (API reference, Plan.arn: plan/<name>:<6-character id>).
    expect(grants(`arn:aws:arc-region-switch::123456789012:plan/${arc.inputs.name}:a1b2c3`)).toBe(true);
    expect(grants(`arn:aws:arc-region-switch::123456789012:plan/${arc.inputs.name}/a1b2c3`)).toBe(true);
    expect(grants(`arn:aws:arc-region-switch::123456789012:plan/${arc.inputs.name}-other:a1b2c3`)).toBe(false);
    expect(grants(`arn:aws:arc-region-switch::210987654321:plan/${arc.inputs.name}:a1b2c3`)).toBe(false);
  });
});
