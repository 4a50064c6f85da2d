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

const OUTPUT_NAMES: Record<keyof DrRegionOutputs, true> = {
  region: true, vpcId: true, clusterArn: true, clusterEndpoint: true, readerEndpoint: true, kmsKeyArn: true,
  bucketName: true, bucketArn: true, bucketVersioningStatus: true, alertTopicArn: true,
};

describe("dr-region stack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  it("exports every output of its contract", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual(Object.keys(OUTPUT_NAMES).sort());
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

  it("pitfall: secondary Aurora cluster created before the primary instance — refuses while primary-region has no writer", async () => {
    await expect(synth({ upstream: { [PRIMARY_STACK]: { ...primaryRegionOutputs, writerInstanceId: "" } } })).rejects.toThrow(/primary-region/);
  });

  it("fails clearly when primary-region has not been deployed", async () => {
    await expect(synth({ upstream: {} })).rejects.toThrow(/organization\/primary-region\/dev/);
  });
});
