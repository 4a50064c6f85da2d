import { drRegionOutputs, type Plan, primaryRegionOutputs, stackRegion, synthesize } from "@payments-dr/synth";
import { BucketReplication, REPLICATION_RULE_ID, type ReplicatedBucket } from "./bucket-replication";

const source: ReplicatedBucket = {
  bucketName: primaryRegionOutputs.bucketName,
  bucketArn: primaryRegionOutputs.bucketArn,
  versioningStatus: "Enabled",
  kmsKeyArn: primaryRegionOutputs.kmsKeyArn,
  region: "us-east-1",
};
const destination: ReplicatedBucket = {
  bucketName: drRegionOutputs.bucketName,
  bucketArn: drRegionOutputs.bucketArn,
  versioningStatus: "Enabled",
  kmsKeyArn: drRegionOutputs.kmsKeyArn,
  region: "us-east-2",
};

function synth(overrides: { source?: Partial<ReplicatedBucket>; destination?: Partial<ReplicatedBucket> } = {}): Promise<Plan> {
  return synthesize({
    project: "global",
    program: () => {
      const { namer, provider } = stackRegion("us-east-1", { project: "global", environmentSuffix: "qa" }, "use1");
      new BucketReplication(
        "replication",
        {
          namer,
          source: { ...source, ...overrides.source },
          destination: { ...destination, ...overrides.destination },
        },
        { provider },
      );
      return {};
    },
  });
}

describe("BucketReplication", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  it("replicates every object, delete markers included, with one V2 rule on the primary bucket", () => {
    const config = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    expect(config.region).toBe("us-east-1");
    expect(config.inputs.bucket).toBe(primaryRegionOutputs.bucketName);
    expect(config.inputs.rules).toEqual([
      expect.objectContaining({ id: REPLICATION_RULE_ID, status: "Enabled", priority: 1, filter: { prefix: "" }, deleteMarkerReplication: { status: "Enabled" } }),
    ]);
  });

  it("bounds replication with Replication Time Control and metrics at 15 minutes", () => {
    const [rule] = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules;
    expect(rule.destination).toMatchObject({
      bucket: drRegionOutputs.bucketArn,
      // Replicas stay readable at once after a failover: no archive class.
      storageClass: "STANDARD",
      replicationTime: { status: "Enabled", time: { minutes: 15 } },
      metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
    });
  });

  it("pitfall: SSE-KMS objects not selected, or no replica key → objects silently not replicated", () => {
    const [rule] = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules;
    expect(rule.sourceSelectionCriteria).toEqual({ sseKmsEncryptedObjects: { status: "Enabled" } });
    expect(rule.destination.encryptionConfiguration).toEqual({ replicaKmsKeyId: drRegionOutputs.kmsKeyArn });
  });

  it("pitfall: replication config before both buckets' versioning → refuses until both say Enabled", async () => {
    await expect(synth({ destination: { versioningStatus: "Suspended" } })).rejects.toThrow(/versioning "Suspended".*Enabled on both buckets/);
    await expect(synth({ source: { versioningStatus: "" } })).rejects.toThrow(/needs it Enabled/);
  });

  it("gives the role exactly the S3 and KMS actions replication needs, on exactly these buckets and keys", () => {
    const role = plan.one("aws:iam/role:Role");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const statements = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    const actions = statements.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions.every((a: string) => !a.includes("*"))).toBe(true);
    const resources = statements.map((s: { Resource: string }) => s.Resource).sort();
    expect(resources).toEqual(
      [primaryRegionOutputs.bucketArn, `${primaryRegionOutputs.bucketArn}/*`, `${drRegionOutputs.bucketArn}/*`, primaryRegionOutputs.kmsKeyArn, drRegionOutputs.kmsKeyArn].sort(),
    );
    expect(statements.find((s: { Sid: string }) => s.Sid === "EncryptReplicas").Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.us-east-2.amazonaws.com" } });
  });

  it("lets the role read the source's versions, replicate objects, deletes and tags into the destination, and use each key only through S3 in its own region", () => {
    const src = primaryRegionOutputs.bucketArn;
    expect(JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement).toEqual([
      { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: src },
      { Sid: "ReadSourceVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: `${src}/*` },
      // Without s3:ReplicateDelete the rule's delete-marker replication fails on every delete.
      { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: `${drRegionOutputs.bucketArn}/*` },
      // S3 decrypts a source object in the source region: a ViaService of another region denies it, and SSE-KMS objects are skipped.
      {
        Sid: "DecryptSourceObjects",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: primaryRegionOutputs.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
      // Both buckets use S3 Bucket Keys: S3 decrypts the destination's bucket key as the role before it encrypts a replica.
      {
        Sid: "EncryptReplicas",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
        Resource: drRegionOutputs.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-2.amazonaws.com" } },
      },
    ]);
  });

  it("waits for the role's policy before replicating", () => {
    expect(plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").options.dependsOn).toEqual(["replication-policy"]);
    expect(plan.one("aws:iam/role:Role").inputs.name).toBe("payments-dr-s3-replication-use1-qa");
  });
});
