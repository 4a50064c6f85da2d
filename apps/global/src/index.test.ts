import type { GlobalOutputs } from "@payments-dr/conventions";
import { appRootOf, drRegionOutputs, Plan, primaryRegionOutputs, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);
const UPSTREAM = {
  "organization/primary-region/dev": { ...primaryRegionOutputs },
  "organization/dr-region/dev": { ...drRegionOutputs },
};

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, {
    upstream: UPSTREAM,
    ...opts,
  });
}

describe("global stack", () => {
  it("re-exports what it reads from both regional stacks, typed by their contracts", async () => {
    const plan = await synth();
    const expected: GlobalOutputs = {
      primaryRegion: "us-east-1",
      drRegion: "us-east-2",
      globalClusterId: primaryRegionOutputs.globalClusterId,
      primaryClusterArn: primaryRegionOutputs.clusterArn,
      drClusterArn: drRegionOutputs.clusterArn,
      primaryBucketName: primaryRegionOutputs.bucketName,
      drBucketName: drRegionOutputs.bucketName,
      sessionsTableName: primaryRegionOutputs.sessionsTableName,
    };
    expect(plan.outputs).toEqual(expected);
  });

  it("reads the upstream stacks named in config", async () => {
    const plan = await synth({
      config: { primaryStack: "acme/primary-region/prod", drStack: "acme/dr-region/prod" },
      upstream: { "acme/primary-region/prod": { ...primaryRegionOutputs, region: "us-east-1" }, "acme/dr-region/prod": { ...drRegionOutputs } },
    });
    expect(plan.outputs.drRegion).toBe("us-east-2");
  });

  it("names the missing output and stack when an upstream stack lacks an output", async () => {
    const { bucketName, ...withoutBucket } = drRegionOutputs;
    await expect(synth({ upstream: { ...UPSTREAM, "organization/dr-region/dev": withoutBucket } })).rejects.toThrow(`Required output '${"bucketName" satisfies keyof typeof drRegionOutputs}' does not exist`);
  });
});
