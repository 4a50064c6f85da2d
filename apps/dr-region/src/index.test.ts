import { COMPLIANCE_TAGS, type DrRegionOutputs } from "@payments-dr/conventions";
import { appRootOf, Plan, primaryRegionOutputs, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);
const PRIMARY_STACK = "organization/primary-region/dev";

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, {
    upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs } },
    ...opts,
  });
}

const OUTPUT_NAMES: Record<keyof DrRegionOutputs, boolean> = {
  region: true, vpcId: true, clusterArn: true, clusterIdentifier: true, clusterEndpoint: true, readerEndpoint: true, kmsKeyArn: true,
  bucketName: true, bucketArn: true, bucketVersioningStatus: true, alertTopicArn: true, apiId: true, apiName: true, apiUrl: true,
  apiStage: true, healthUrl: true, lambdaName: true, usagePlanId: true, webAclArn: true,
  // Only with a custom domain:
  customDomainTarget: false, customDomainZoneId: false,
};
const ALWAYS = Object.entries(OUTPUT_NAMES).filter(([, always]) => always).map(([name]) => name);

describe("dr-region stack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
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

  it("deploys the same API with the DR role, reading the replicated secret and sessions through the replica key", () => {
    const fn = plan.one("aws:lambda/function:Function", "api-function");
    expect(fn.inputs.environment.variables).toMatchObject({
      REGION_ROLE: "dr",
      DB_SECRET_ID: primaryRegionOutputs.dbSecretName,
      DB_WRITER_HOST: primaryRegionOutputs.globalWriterEndpoint,
      DB_READER_HOST: plan.outputs.clusterEndpoint,
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

  it("alarms on replication lag of the secondary cluster, derived from the RPO target", () => {
    const lag = plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "AuroraGlobalDBReplicationLag")!;
    expect(lag.inputs).toMatchObject({ namespace: "AWS/RDS", dimensions: { DBClusterIdentifier: plan.outputs.clusterIdentifier }, alarmActions: [plan.outputs.alertTopicArn] });
    expect(lag.inputs.threshold).toBeLessThan(60_000);
  });

  it("pitfall: secondary Aurora cluster created before the primary instance — refuses while primary-region has no writer", async () => {
    await expect(synth({ upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs, writerInstanceId: "" } } })).rejects.toThrow(/primary-region/);
  });

  it("fails clearly when primary-region has not been deployed", async () => {
    await expect(synth({ upstream: {} })).rejects.toThrow(/organization\/primary-region\/dev/);
  });
});
