import * as pulumi from "@pulumi/pulumi";
import { COMPLIANCE_TAGS, PrimaryRegionOutputs, ResourceNamer, UpstreamStack } from "@payments-dr/conventions";
import { outputValue, Plan, primaryRegionOutputs, stackRegion, synthesize } from "@payments-dr/synth";
import { clusterEndpointOf } from "./member-cluster";
import { memberClusterIgnoreChanges } from "./options";
import { AuroraSecondaryCluster, AuroraSecondaryClusterArgs } from "./secondary-cluster";

const SUFFIX = "qa7";
const DR_KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-dr";
const PRIMARY_STACK = "organization/primary-region/dev";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

type Overrides = Partial<Omit<AuroraSecondaryClusterArgs, "namer" | "globalClusterId" | "engineVersion" | "primaryWriterInstanceId">>;

/** The DR cluster's arguments as the dr-region app passes them, given what it reads from the primary stack. */
function secondaryArgs(upstream: Pick<AuroraSecondaryClusterArgs, "globalClusterId" | "engineVersion" | "primaryWriterInstanceId">, overrides: Overrides = {}): AuroraSecondaryClusterArgs {
  return {
    namer: new ResourceNamer({ environmentSuffix: SUFFIX, region: "us-east-2" }),
    ...upstream,
    sourceRegion: "us-east-1",
    subnetIds: ["subnet-d", "subnet-e", "subnet-f"],
    securityGroupId: "sg-db-dr",
    kmsKeyArn: DR_KEY,
    logRetentionDays: 30,
    instanceClass: "db.r6g.large",
    instanceCount: 1,
    backupRetentionDays: 7,
    skipFinalSnapshot: true,
    deletionProtection: false,
    ...overrides,
  };
}

/** The dr-region stack's data tier, reading the primary (by default, the contract's fixture) through a StackReference. */
function synthSecondary(upstream: Partial<PrimaryRegionOutputs> = primaryRegionOutputs, overrides: Overrides = {}): Promise<Plan> {
  return synthesize({
    project: "dr-region",
    config: { "payments-dr:environmentSuffix": SUFFIX },
    upstream: { [PRIMARY_STACK]: upstream },
    program: () => {
      const { provider } = stackRegion("us-east-2", { project: "dr-region", environmentSuffix: SUFFIX }, "use2");
      const primary = new UpstreamStack<PrimaryRegionOutputs>("primary", PRIMARY_STACK);
      const upstream = { globalClusterId: primary.output("globalClusterId"), engineVersion: primary.output("engineVersion"), primaryWriterInstanceId: primary.output("writerInstanceId") };
      const secondary = new AuroraSecondaryCluster("secondary", secondaryArgs(upstream, overrides), { provider });
      return { clusterArn: secondary.clusterArn, clusterEndpoint: secondary.clusterEndpoint, readerEndpoint: secondary.readerEndpoint };
    },
  });
}

describe("Aurora secondary cluster", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthSecondary();
  });

  it("pitfall: secondary Aurora cluster created before the primary instance — an empty writer id stops the preview", async () => {
    await expect(synthSecondary({ ...primaryRegionOutputs, writerInstanceId: "" })).rejects.toThrow(/deploy primary-region first/);
  });

  it("pitfall: secondary Aurora cluster created before the primary instance — an existing writer releases the global cluster id", () => {
    expect(plan.one(CLUSTER).inputs.globalClusterIdentifier).toBe(primaryRegionOutputs.globalClusterId);
  });

  it("pitfall: credentials or database name set on the secondary — it sets none of them", () => {
    const inputs = plan.one(CLUSTER).inputs;
    for (const key of ["masterUsername", "masterPassword", "manageMasterUserPassword", "databaseName"]) {
      expect(inputs[key]).toBeUndefined();
    }
    expect(plan.ofType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
    expect(plan.ofType("aws:secretsmanager/secret:Secret")).toHaveLength(0);
  });

  it("pitfall: encrypted secondary without sourceRegion/kmsKeyId — it sets both, with its own region's key", () => {
    expect(plan.one(CLUSTER).inputs).toMatchObject({ storageEncrypted: true, sourceRegion: "us-east-1", kmsKeyId: DR_KEY });
    expect(plan.one(INSTANCE).inputs).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: DR_KEY });
  });

  it("pitfall: missing ignoreChanges on globalClusterIdentifier/replicationSourceIdentifier — the secondary ignores them", () => {
    expect(memberClusterIgnoreChanges()).toEqual(expect.arrayContaining(["globalClusterIdentifier", "replicationSourceIdentifier"]));
    expect(plan.one(CLUSTER).options.ignoreChanges).toEqual(memberClusterIgnoreChanges());
  });

  it("pitfall: member clusters pinning engineVersion — the secondary takes the global cluster's version and ignores changes to it", () => {
    expect(plan.one(CLUSTER).inputs).toMatchObject({ engine: "aurora-postgresql", engineVersion: primaryRegionOutputs.engineVersion });
    expect(plan.one(CLUSTER).options.ignoreChanges).toContain("engineVersion");
    expect(plan.one(INSTANCE).inputs.engineVersion).toBeUndefined();
  });

  it("runs a private r-class instance in its own subnet group and parameter group", () => {
    expect(plan.one(INSTANCE).inputs).toMatchObject({
      identifier: "payments-dr-aurora-1-use2-qa7",
      instanceClass: "db.r6g.large",
      publiclyAccessible: false,
      promotionTier: 0,
      dbSubnetGroupName: "payments-dr-aurora-use2-qa7",
    });
    expect(plan.one(PARAMS).inputs).toMatchObject({ family: "aurora-postgresql16", name: "payments-dr-aurora-postgresql16-use2-qa7" });
    expect(plan.one(CLUSTER).inputs).toMatchObject({
      clusterIdentifier: "payments-dr-aurora-use2-qa7",
      dbClusterParameterGroupName: "payments-dr-aurora-postgresql16-use2-qa7",
      vpcSecurityGroupIds: ["sg-db-dr"],
    });
  });

  it("keeps backups at least 7 days, exports the postgresql log, and leaves tags to the provider", () => {
    const cluster = plan.one(CLUSTER);
    expect(cluster.inputs).toMatchObject({ backupRetentionPeriod: 7, enabledCloudwatchLogsExports: ["postgresql"] });
    expect(cluster.provider).toBe("use2");
    expect(plan.defaultTagsOf(cluster)).toMatchObject(COMPLIANCE_TAGS);
    expect(cluster.inputs.tags).toBeUndefined();
    // Its exported log's group, made before the cluster with the DR region's key and a retention.
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup", "secondary-postgresql-log");
    expect(logGroup.inputs).toEqual(expect.objectContaining({ name: `/aws/rds/cluster/${cluster.inputs.clusterIdentifier}/postgresql`, kmsKeyId: DR_KEY, retentionInDays: 30 }));
    expect(cluster.options.dependsOn).toEqual(["secondary-postgresql-log"]);
  });

  it("carries managed RPO too, so it holds after the secondary is promoted", async () => {
    const withRpo = await synthSecondary(primaryRegionOutputs, { managedRpoSeconds: 20 });
    expect(withRpo.one(PARAMS).inputs.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "rds.global_db_rpo", value: "20" })]));
  });

  it("rejects a burstable instance class and an empty cluster", async () => {
    await expect(synthSecondary(primaryRegionOutputs, { instanceClass: "db.t3.medium" })).rejects.toThrow(/not an r-class instance/);
    await expect(synthSecondary(primaryRegionOutputs, { instanceCount: 0 })).rejects.toThrow(/instanceCount 0 must be an integer from 1 to 15/);
  });

  it("keeps to the primary's 15 instances: a switchover or failover makes this cluster the primary, which may have 14 readers", async () => {
    await expect(synthSecondary(primaryRegionOutputs, { instanceCount: 16 })).rejects.toThrow(/instanceCount 16 must be an integer from 1 to 15/);
  });

  it("exports its region's endpoints", () => {
    expect(plan.outputs).toMatchObject({
      clusterArn: expect.stringMatching(/^arn:aws:rds:us-east-2:\d{12}:cluster:payments-dr-aurora-use2-qa7$/),
      clusterEndpoint: expect.stringContaining(".us-east-2."),
      readerEndpoint: expect.stringContaining(".cluster-ro-"),
    });
  });

  it("exports the writer's name as its cluster endpoint when RDS reports none for it (a secondary, refreshed after a switchover)", async () => {
    // The synth's fake cloud always reports an endpoint, so these mocks play RDS answering "" for a secondary.
    const reader = "payments-dr-aurora-use2-qa7.cluster-ro-c7tj4example.us-east-2.rds.amazonaws.com";
    await pulumi.runtime.setMocks(
      {
        newResource: ({ type, name, inputs }) => ({ id: `${name}-id`, state: type === CLUSTER ? { ...inputs, endpoint: "", readerEndpoint: reader } : inputs }),
        call: ({ inputs }) => inputs,
      },
      "dr-region",
      "dev",
      false,
    );
    const upstream = { globalClusterId: primaryRegionOutputs.globalClusterId, engineVersion: primaryRegionOutputs.engineVersion, primaryWriterInstanceId: primaryRegionOutputs.writerInstanceId };
    const secondary = new AuroraSecondaryCluster("refreshed", secondaryArgs(upstream));
    const endpoint = await outputValue(secondary.clusterEndpoint);
    expect(endpoint).toBe("payments-dr-aurora-use2-qa7.cluster-c7tj4example.us-east-2.rds.amazonaws.com");
  });

  it("never hands out an empty cluster endpoint: RDS may return none for a secondary, and a refresh records that", () => {
    const reader = "payments-dr-aurora-use1-qa.cluster-ro-c7tj4example.us-east-1.rds.amazonaws.com";
    expect(clusterEndpointOf("", reader)).toBe("payments-dr-aurora-use1-qa.cluster-c7tj4example.us-east-1.rds.amazonaws.com");
    expect(clusterEndpointOf("given.cluster-abc.us-east-1.rds.amazonaws.com", reader)).toBe("given.cluster-abc.us-east-1.rds.amazonaws.com");
  });
});
