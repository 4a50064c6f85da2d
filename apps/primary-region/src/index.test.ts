import { COMPLIANCE_TAGS, type PrimaryRegionOutputs } from "@payments-dr/conventions";
import { appRootOf, Plan, REDACTED, synthApp, type SynthAppOptions } from "@payments-dr/synth";

const APP_ROOT = appRootOf(__dirname);

function synth(opts: SynthAppOptions = {}): Promise<Plan> {
  return synthApp(APP_ROOT, opts);
}

/** Every output name of the contract: a renamed output breaks this list at compile time. */
const OUTPUT_NAMES: Record<keyof PrimaryRegionOutputs, true> = {
  region: true, vpcId: true, globalClusterId: true, globalWriterEndpoint: true, engineVersion: true, clusterArn: true,
  clusterEndpoint: true, readerEndpoint: true, writerInstanceId: true, dbSecretArn: true, kmsKeyArn: true,
  drReplicaKeyArn: true, sessionsTableName: true, bucketName: true, bucketArn: true, bucketVersioningStatus: true, alertTopicArn: true,
};

describe("primary-region stack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  it("exports every output of its contract", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual(Object.keys(OUTPUT_NAMES).sort());
    expect(plan.outputs.region).toBe("us-east-1");
    expect(plan.outputs.globalWriterEndpoint).toMatch(/\.global-[a-z0-9]+\.global\.rds\.amazonaws\.com$/);
  });

  it("creates every AWS resource through an explicit provider in the primary region, except the DR replicas", () => {
    const aws = plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(30);
    for (const resource of aws) expect(resource.provider).not.toBeNull();
    const inDr = aws.filter((r) => r.region === "us-east-2").map((r) => r.type);
    expect(new Set(inDr)).toEqual(new Set(["aws:kms/replicaKey:ReplicaKey", "aws:kms/alias:Alias"]));
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
    expect(plan.allStrings()).not.toContain("synth-fake-password-0123456789");
    expect(plan.one("aws:rds/cluster:Cluster").inputs.masterPassword).toBe(REDACTED);
    const secret = plan.one("aws:secretsmanager/secret:Secret");
    expect(secret.inputs.replicas).toEqual([{ region: "us-east-2", kmsKeyId: plan.outputs.drReplicaKeyArn }]);
  });

  it("replicates the sessions table to the DR region with the replica key and PITR", () => {
    const table = plan.one("aws:dynamodb/table:Table");
    expect(table.inputs.replicas).toEqual([expect.objectContaining({ regionName: "us-east-2", kmsKeyArn: plan.outputs.drReplicaKeyArn, pointInTimeRecovery: true })]);
    expect(table.inputs).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", pointInTimeRecovery: { enabled: true } });
  });

  it("puts the environment suffix in every physical name", () => {
    const named = plan.resources.filter((r) => r.custom).flatMap((r) =>
      ["name", "bucket", "clusterIdentifier", "identifier", "globalClusterIdentifier"].map((k) => r.inputs[k]).filter((v) => typeof v === "string"),
    );
    expect(named.length).toBeGreaterThan(10);
    for (const name of named) expect(name).toMatch(/-dev$/);
  });

  it("stops the preview with the key and the rule when environmentSuffix is uppercase", async () => {
    await expect(synth({ config: { environmentSuffix: "Prod" } })).rejects.toThrow(/payments-dr:environmentSuffix: "Prod" is not valid/);
  });

  it("stops the preview with the key and the AWS limit when environmentSuffix is too long", async () => {
    await expect(synth({ config: { environmentSuffix: "a".repeat(45) } })).rejects.toThrow(/payments-dr:environmentSuffix: .* AWS allows at most \d+/);
  });
});
