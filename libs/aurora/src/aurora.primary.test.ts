import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPLIANCE_TAGS } from "@payments-dr/conventions";
import { Plan, REDACTED, stackRegion, synthesize } from "@payments-dr/synth";
import { credentialsSecretString, PASSWORD_SPECIAL_CHARACTERS } from "./credentials";
import { AuroraGlobalCluster } from "./global-cluster";
import { memberClusterIgnoreChanges } from "./options";
import { clusterParameters, parameterGroupFamily } from "./parameter-group";
import { AuroraPrimaryCluster, AuroraPrimaryClusterArgs } from "./primary-cluster";

const SUFFIX = "qa7";
const PRIMARY_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-primary";
const DR_REPLICA_KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-primary";
const FAKE_PASSWORD = "synth-fake-password-0123456789";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const GLOBAL = "aws:rds/globalCluster:GlobalCluster";
const PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const SECRET = "aws:secretsmanager/secret:Secret";

type Overrides = Partial<Omit<AuroraPrimaryClusterArgs, "namer" | "globalCluster" | "credentialsReplica">> & { globalDeletionProtection?: boolean };

/**
 * The primary-region stack's data tier, as the app composes it. `secretDocuments` adds each
 * credentials secret's document to the outputs, in plaintext: a secret version's secretString is
 * a Pulumi secret (redacted in every plan), so a transformation hands it out unsecreted.
 */
/** The last synth's cluster, and what its writeRoleSecrets returned: an Output's dependencies are only visible on the object. */
let lastWrite: { primary: AuroraPrimaryCluster; secretNames: Record<"app" | "health", pulumi.Output<string>> } | undefined;

function synthPrimary(overrides: Overrides = {}, { secretDocuments = false, distinctRolePasswords = false } = {}): Promise<Plan> {
  const { globalDeletionProtection, ...primaryOverrides } = overrides;
  return synthesize({
    project: "primary-region",
    config: { "payments-dr:environmentSuffix": SUFFIX },
    program: () => {
      const { namer, provider } = stackRegion("us-east-1", { project: "primary-region", environmentSuffix: SUFFIX }, "use1");
      const global = new AuroraGlobalCluster("aurora", { namer, engineVersion: "16.6", deletionProtection: globalDeletionProtection ?? false }, { provider });
      const documents: Record<string, pulumi.Output<string>> = {};
      const capture: pulumi.ResourceTransformation = ({ type, name, props }) => {
        if (type === "aws:secretsmanager/secretVersion:SecretVersion") documents[name] = pulumi.unsecret(pulumi.output(props.secretString as pulumi.Input<string>));
        return undefined;
      };
      // The fake cloud gives every RandomPassword the same result: letters and digits only for /health's tells the two roles' apart.
      const healthLettersOnly: pulumi.ResourceTransformation = ({ type, name, props, opts }) =>
        type === "random:index/randomPassword:RandomPassword" && name === "primary-health-password" ? { props: { ...props, special: false }, opts } : undefined;
      const primary = new AuroraPrimaryCluster(
        "primary",
        {
          namer,
          globalCluster: global,
          subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
          securityGroupId: "sg-db",
          kmsKeyArn: PRIMARY_KEY,
          logRetentionDays: 30,
          instanceClass: "db.r6g.large",
          instanceCount: 2,
          backupRetentionDays: 7,
          skipFinalSnapshot: true,
          deletionProtection: false,
          credentialsReplica: { region: "us-east-2", kmsKeyArn: DR_REPLICA_KEY },
          ...primaryOverrides,
        },
        { provider, transformations: [...(secretDocuments ? [capture] : []), ...(distinctRolePasswords ? [healthLettersOnly] : [])] },
      );
      // The run that gives the function roles their passwords (the migrate function's, in the app).
      const migrationsRun = new pulumi.ComponentResource("test:index:MigrationsRun", "migrations");
      lastWrite = { primary, secretNames: primary.writeRoleSecrets(migrationsRun) };
      return {
        ...documents,
        ...(distinctRolePasswords ? { appPasswordGiven: pulumi.unsecret(primary.rolePasswords.app), healthPasswordGiven: pulumi.unsecret(primary.rolePasswords.health) } : {}),
        globalClusterId: global.globalClusterId,
        globalWriterEndpoint: global.endpoint,
        engineVersion: global.engineVersion,
        clusterArn: primary.clusterArn,
        clusterEndpoint: primary.clusterEndpoint,
        readerEndpoint: primary.readerEndpoint,
        writerInstanceId: primary.writerInstanceId,
        dbSecretArn: primary.secretArn,
      };
    },
  });
}

describe("Aurora global and primary clusters", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthPrimary();
  });

  it("encrypts the global cluster, the cluster, Performance Insights and the secret with the CMKs", () => {
    expect(plan.one(GLOBAL).inputs.storageEncrypted).toBe(true);
    expect(plan.one(CLUSTER).inputs).toMatchObject({ storageEncrypted: true, kmsKeyId: PRIMARY_KEY });
    for (const instance of plan.ofType(INSTANCE)) {
      expect(instance.inputs).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: PRIMARY_KEY });
    }
    expect(plan.named("primary-secret").inputs).toMatchObject({ kmsKeyId: PRIMARY_KEY, replicas: [{ region: "us-east-2", kmsKeyId: DR_REPLICA_KEY }] });
  });

  it("names every physical resource through the namer, with the environment suffix", () => {
    const names = [
      plan.one(GLOBAL).inputs.globalClusterIdentifier,
      plan.one(CLUSTER).inputs.clusterIdentifier,
      plan.one(PARAMS).inputs.name,
      plan.one("aws:rds/subnetGroup:SubnetGroup").inputs.name,
      plan.named("primary-secret").inputs.name,
      ...plan.ofType(INSTANCE).map((i) => i.inputs.identifier),
    ];
    expect(names).toHaveLength(7);
    for (const name of names) expect(name).toMatch(/^payments-dr-.+-qa7$/);
    expect(plan.one(GLOBAL).inputs.globalClusterIdentifier).toBe("payments-dr-aurora-qa7");
    expect(plan.one(CLUSTER).inputs.clusterIdentifier).toBe("payments-dr-aurora-use1-qa7");
  });

  it("leaves tags to the provider's defaultTags", () => {
    const tagged = plan.resources.filter((r) => r.type.startsWith("aws:rds/") || r.type.startsWith("aws:secretsmanager/"));
    expect(tagged.length).toBeGreaterThanOrEqual(8);
    for (const resource of tagged) {
      expect(resource.provider).toBe("use1");
      expect(plan.defaultTagsOf(resource)).toMatchObject(COMPLIANCE_TAGS);
      expect(resource.inputs.tags).toBeUndefined();
    }
  });

  it("pitfall: missing ignoreChanges on globalClusterIdentifier/replicationSourceIdentifier — the primary member ignores them", () => {
    expect(memberClusterIgnoreChanges()).toEqual(expect.arrayContaining(["globalClusterIdentifier", "replicationSourceIdentifier"]));
    expect(plan.one(CLUSTER).options.ignoreChanges).toEqual(memberClusterIgnoreChanges());
  });

  it("pitfall: member clusters pinning engineVersion — the primary takes the global cluster's version and ignores changes to it", () => {
    expect(plan.one(GLOBAL).inputs).toMatchObject({ engine: "aurora-postgresql", engineVersion: "16.6" });
    expect(plan.one(CLUSTER).inputs).toMatchObject({ engine: "aurora-postgresql", engineVersion: plan.one(GLOBAL).inputs.engineVersion });
    expect(plan.one(CLUSTER).options.ignoreChanges).toContain("engineVersion");
    for (const instance of plan.ofType(INSTANCE)) expect(instance.inputs.engineVersion).toBeUndefined();
    // The pin is managed on the global cluster: it must not ignore it (or anything else).
    expect(plan.one(GLOBAL).options.ignoreChanges).toBeUndefined();
  });

  it("joins the global cluster and creates its database there", () => {
    expect(plan.one(CLUSTER).inputs).toMatchObject({ globalClusterIdentifier: "payments-dr-aurora-qa7", databaseName: "payments" });
    expect(plan.one(GLOBAL).inputs).toMatchObject({ databaseName: "payments", deletionProtection: false });
  });

  it("creates the writer first, then the readers, all private r-class instances", () => {
    const [writer, reader] = plan.ofType(INSTANCE);
    expect(writer.name).toBe("primary-instance-1");
    expect(writer.inputs.promotionTier).toBe(0);
    expect(writer.options.dependsOn).toBeUndefined();
    expect(reader.inputs.promotionTier).toBe(1);
    expect(reader.options.dependsOn).toEqual(["primary-instance-1"]);
    for (const instance of [writer, reader]) {
      expect(instance.inputs).toMatchObject({ instanceClass: "db.r6g.large", publiclyAccessible: false, dbSubnetGroupName: "payments-dr-aurora-use1-qa7" });
    }
    expect(writer.inputs.identifier).toBe("payments-dr-aurora-1-use1-qa7");
  });

  it("puts the cluster itself in its own subnet group, behind the given security group, on PostgreSQL's port", () => {
    const subnetGroup = plan.one("aws:rds/subnetGroup:SubnetGroup");
    expect(subnetGroup.inputs.subnetIds).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
    // Without its subnet group the cluster would land in the default VPC; on another port, the network's 5432 rules and the secret would miss it.
    expect(plan.one(CLUSTER).inputs).toMatchObject({ dbSubnetGroupName: subnetGroup.inputs.name, vpcSecurityGroupIds: ["sg-db"], port: 5432 });
  });

  it("moves no instance's version on its own: minor versions come only through the global cluster's pin", () => {
    const instances = plan.ofType(INSTANCE);
    expect(instances).toHaveLength(2);
    for (const instance of instances) expect(instance.inputs.autoMinorVersionUpgrade).toBe(false);
  });

  it("leaves IAM database authentication off unless asked for", async () => {
    expect(plan.one(CLUSTER).inputs.iamDatabaseAuthenticationEnabled).toBe(false);
    const withIam = await synthPrimary({ iamDatabaseAuthentication: true });
    expect(withIam.one(CLUSTER).inputs.iamDatabaseAuthenticationEnabled).toBe(true);
  });

  it.each([
    [{ instanceCount: 17 }, /instanceCount 17 must be an integer from 2 to 15/],
    [{ backupRetentionDays: 36 }, /backupRetentionDays 36 must be an integer from 7 to 35/],
    [{ managedRpoSeconds: 20.5 }, /managedRpoSeconds 20.5 must be an integer of at least 20/],
  ] as const)("stops the preview, before any deploy, on %j, which AWS would refuse", async (overrides, message) => {
    await expect(synthPrimary(overrides)).rejects.toThrow(message);
  });

  it("rejects an instance class that is not r-class", async () => {
    await expect(synthPrimary({ instanceClass: "db.t4g.medium" })).rejects.toThrow(/"db\.t4g\.medium" is not an r-class instance/);
  });

  it("rejects a primary without a reader", async () => {
    await expect(synthPrimary({ instanceCount: 1 })).rejects.toThrow(/instanceCount 1 must be an integer from 2 to 15/);
  });

  it("stops a 15th reader at preview: the primary of a global database with one secondary region may have 14 (15 less one per secondary)", async () => {
    await expect(synthPrimary({ instanceCount: 16 })).rejects.toThrow(/instanceCount 16 must be an integer from 2 to 15 \(the writer and at most 14 readers/);
    const largest = await synthPrimary({ instanceCount: 15 });
    expect(largest.ofType(INSTANCE)).toHaveLength(15);
  });

  it("keeps backups at least 7 days and exports the postgresql log", async () => {
    expect(plan.one(CLUSTER).inputs).toMatchObject({ backupRetentionPeriod: 7, enabledCloudwatchLogsExports: ["postgresql"], copyTagsToSnapshot: true });
    await expect(synthPrimary({ backupRetentionDays: 3 })).rejects.toThrow(/backupRetentionDays 3 must be an integer from 7 to 35/);
  });

  it("creates the exported log's group itself, before the cluster: encrypted with the region's key, with a retention", () => {
    const cluster = plan.one(CLUSTER);
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup", "primary-postgresql-log");
    expect(logGroup.inputs).toEqual(expect.objectContaining({ name: `/aws/rds/cluster/${cluster.inputs.clusterIdentifier}/postgresql`, kmsKeyId: PRIMARY_KEY, retentionInDays: 30 }));
    expect(cluster.options.dependsOn).toEqual(["primary-postgresql-log"]);
  });

  it("forces TLS, logs connections and leaves managed RPO off by default", () => {
    expect(plan.one(PARAMS).inputs).toMatchObject({ family: "aurora-postgresql16", name: "payments-dr-aurora-postgresql16-use1-qa7" });
    expect(plan.one(PARAMS).inputs.parameters).toEqual([
      expect.objectContaining({ name: "rds.force_ssl", value: "1" }),
      expect.objectContaining({ name: "log_connections", value: "1" }),
      expect.objectContaining({ name: "log_disconnections", value: "1" }),
    ]);
    expect(plan.one(CLUSTER).inputs.dbClusterParameterGroupName).toBe(plan.one(PARAMS).inputs.name);
  });

  it("sets rds.global_db_rpo when managed RPO is asked for, and only from 20 s", async () => {
    const withRpo = await synthPrimary({ managedRpoSeconds: 30 });
    expect(withRpo.one(PARAMS).inputs.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "rds.global_db_rpo", value: "30" }), expect.objectContaining({ name: "rds.force_ssl" })]),
    );
    expect(() => clusterParameters(10)).toThrow(/at least 20/);
  });

  it("derives the parameter group family from the major version", () => {
    expect(parameterGroupFamily("16.6")).toBe("aurora-postgresql16");
    expect(parameterGroupFamily("15.10")).toBe("aurora-postgresql15");
    expect(() => parameterGroupFamily("16")).toThrow(/not an Aurora PostgreSQL version/);
  });

  it("generates a long password without the characters RDS rejects, not an RDS-managed one", () => {
    const password = plan.named("primary-password").inputs;
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(password.length).toBeLessThanOrEqual(41);
    expect(password.special).toBe(true);
    for (const rejected of ["/", "@", '"', " "]) {
      expect(password.overrideSpecial).not.toContain(rejected);
      expect(PASSWORD_SPECIAL_CHARACTERS).not.toContain(rejected);
    }
    expect(plan.one(CLUSTER).inputs.manageMasterUserPassword).toBeUndefined();
    expect(plan.one(CLUSTER).inputs.masterUsername).toBe("payments_admin");
  });

  it("rotates a password when its rotation label is set or changed, and leaves a deployed one alone when none is set", async () => {
    // No keepers at all by default: keepers added to a deployed password, even empty, would replace it.
    for (const name of ["primary-password", "primary-app-password", "primary-health-password"]) expect(plan.named(name).inputs).not.toHaveProperty("keepers");
    const rotated = await synthPrimary({ passwordRotations: { app: "2026-12" } });
    expect(rotated.named("primary-app-password").inputs.keepers).toEqual({ rotation: "2026-12" });
    expect(rotated.named("primary-password").inputs).not.toHaveProperty("keepers");
    expect(rotated.named("primary-health-password").inputs).not.toHaveProperty("keepers");
    const health = await synthPrimary({ passwordRotations: { health: "2026-12" } });
    expect(health.named("primary-health-password").inputs.keepers).toEqual({ rotation: "2026-12" });
    expect(health.named("primary-app-password").inputs).not.toHaveProperty("keepers");
    const both = await synthPrimary({ passwordRotations: { master: "2027-01", app: "2027-01" } });
    expect(both.named("primary-password").inputs.keepers).toEqual({ rotation: "2027-01" });
  });

  it("keeps the password secret: redacted on the cluster and in the secret version, nowhere in plaintext", () => {
    expect(plan.one(CLUSTER).inputs.masterPassword).toBe(REDACTED);
    expect(plan.named("primary-secret-version").inputs.secretString).toBe(REDACTED);
    expect(plan.allStrings()).not.toContain(FAKE_PASSWORD);
    expect(plan.allStrings().some((s) => s.includes(FAKE_PASSWORD))).toBe(false);
  });

  it("writes username, password, engine, host (the global writer endpoint), port and dbname into the secret", async () => {
    const doc = await synthesize({
      project: "primary-region",
      program: () => ({ doc: pulumi.unsecret(credentialsSecretString({ username: "payments_admin", password: "pw", host: "global.example", databaseName: "payments" })) }),
    });
    expect(JSON.parse(doc.outputs.doc)).toEqual({ username: "payments_admin", password: "pw", engine: "postgres", host: "global.example", port: 5432, dbname: "payments" });
    expect(plan.outputs.globalWriterEndpoint).toMatch(/^payments-dr-aurora-qa7\.global-.+\.global\.rds\.amazonaws\.com$/);
  });

  it("writes each secret for its own user, with the global writer endpoint and the global database's name, as the cluster is built", async () => {
    const documents = await synthPrimary({}, { secretDocuments: true });
    const common = { password: FAKE_PASSWORD, engine: "postgres", host: documents.outputs.globalWriterEndpoint, port: 5432, dbname: "payments" };
    expect(documents.outputs.globalWriterEndpoint).toMatch(/\.global\.rds\.amazonaws\.com$/);
    expect(JSON.parse(documents.outputs["primary-secret-version"] as string)).toEqual({ username: "payments_admin", ...common });
    // The payment functions' secret and /health's: their own roles, never the master user.
    expect(JSON.parse(documents.outputs["primary-app-secret-version"] as string)).toEqual({ username: "payments_app", ...common });
    expect(JSON.parse(documents.outputs["primary-health-secret-version"] as string)).toEqual({ username: "payments_health", ...common });
  });

  it("hands the migrate run each function role's own password, the one its secret then holds: a swap would leave every function failing 28P01 after the run", async () => {
    const documents = await synthPrimary({}, { secretDocuments: true, distinctRolePasswords: true });
    const secretPassword = (role: "app" | "health") => JSON.parse(documents.outputs[`primary-${role}-secret-version`] as string).password;
    expect(secretPassword("app")).not.toBe(secretPassword("health"));
    expect(documents.outputs.appPasswordGiven).toBe(secretPassword("app"));
    expect(documents.outputs.healthPasswordGiven).toBe(secretPassword("health"));
  });

  it("deletes the secret at once in dev, and skips the final snapshot there", () => {
    expect(plan.named("primary-secret").inputs.recoveryWindowInDays).toBe(0);
    expect(plan.one(CLUSTER).inputs).toMatchObject({ skipFinalSnapshot: true, deletionProtection: false });
    expect(plan.one(CLUSTER).inputs.finalSnapshotIdentifier).toBeUndefined();
  });

  it("protects production: deletion protection, a final snapshot, a recoverable secret", async () => {
    const prod = await synthPrimary({ deletionProtection: true, skipFinalSnapshot: false, globalDeletionProtection: true });
    expect(prod.one(GLOBAL).inputs.deletionProtection).toBe(true);
    expect(prod.one(CLUSTER).inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false });
    expect(prod.named("primary-secret").inputs.recoveryWindowInDays).toBe(7);
  });

  it("names each build's final snapshot apart, so destroying a rebuilt stack does not collide with the last one's", async () => {
    const prod = await synthPrimary({ skipFinalSnapshot: false });
    // Drawn once, when the cluster's stack is built: a rebuilt stack draws again.
    expect(prod.named("primary-final-snapshot-id")).toMatchObject({ type: "random:index/randomId:RandomId", parent: "primary", inputs: { byteLength: 4 } });
    expect(prod.one(CLUSTER).inputs.finalSnapshotIdentifier).toMatch(/^payments-dr-aurora-final-use1-qa7-[0-9a-f]{8}$/);
    // Without a final snapshot there is nothing to name: no draw.
    expect(plan.ofType("random:index/randomId:RandomId")).toHaveLength(0);
  });

  it("makes each function role's credentials like the master's: their own secret, encrypted, replicated, redacted", () => {
    for (const role of ["app", "health"]) {
      const secret = plan.named(`primary-${role}-secret`);
      expect(secret.inputs).toMatchObject({ name: `payments-dr-aurora-${role}-qa7`, kmsKeyId: PRIMARY_KEY, replicas: [{ region: "us-east-2", kmsKeyId: DR_REPLICA_KEY }] });
      expect(plan.named(`primary-${role}-secret-version`).inputs.secretString).toBe(REDACTED);
      expect(plan.named(`primary-${role}-password`).inputs).toMatchObject({ length: plan.named("primary-password").inputs.length, special: true });
    }
    expect(plan.ofType(SECRET)).toHaveLength(3);
  });

  it("writes each function role's password into its secret only after the run that gives the role that password, and hands the secret's name on only then", async () => {
    for (const role of ["app", "health"] as const) {
      expect(plan.named(`primary-${role}-secret-version`)).toMatchObject({ parent: "primary", options: { dependsOn: ["migrations"] } });
      // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
      const dependsOn = [...(lastWrite!.secretNames[role] as unknown as { resources(): Set<unknown> }).resources()];
      const versions = dependsOn.filter((resource) => aws.secretsmanager.SecretVersion.isInstance(resource)).map((resource) => (resource as unknown as { __name: string }).__name);
      expect(versions).toEqual([`primary-${role}-secret-version`]);
    }
    // The master's secret is written with the cluster: RDS takes its password from the program.
    expect(plan.named("primary-secret-version").options.dependsOn ?? []).toEqual([]);
    const { primary } = lastWrite!;
    expect(() => primary.writeRoleSecrets(primary)).toThrow(/writeRoleSecrets is called once/);
  });

  it("tells a run against the database what to wait for: the writer instance and the master secret's version, not the whole component (its function roles' secret versions wait for that run)", () => {
    const names = lastWrite!.primary.writerReady.map((resource) => (resource as unknown as { __name: string }).__name);
    expect(names).toEqual(["primary-instance-1", "primary-secret-version"]);
  });

  it("exports what the primary-region stack contract needs", () => {
    expect(plan.outputs).toMatchObject({
      globalClusterId: "payments-dr-aurora-qa7",
      engineVersion: "16.6",
      clusterArn: expect.stringMatching(/^arn:aws:rds:us-east-1:\d{12}:cluster:payments-dr-aurora-use1-qa7$/),
      clusterEndpoint: expect.stringContaining(".cluster-"),
      readerEndpoint: expect.stringContaining(".cluster-ro-"),
      writerInstanceId: "payments-dr-aurora-1-use1-qa7",
      dbSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:/),
    });
  });
});
