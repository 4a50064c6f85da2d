import * as aws from "@pulumi/aws";
import { FAKE_ACCOUNT_ID, Plan, stackRegion, synthesize } from "@payments-dr/synth";
import { keyDeletionWindowDays } from "./kms/deletion-window";
import { regionalKeyPolicy } from "./kms/key-policy";
import { RegionalKey, RegionalKeyReplica, SecureBucket } from "./index";

const SUFFIX = "pr1234";
const STACK = { project: "primary-region", environmentSuffix: SUFFIX };

/** The bucket the program made, for the test of where its outputs come from. */
let bucketUnderTest: SecureBucket;

/** What the primary-region stack composes: a multi-region key, its replica in the DR region, a bucket. */
function program() {
  const primary = stackRegion("us-east-1", STACK, "primary");
  const dr = stackRegion("us-east-2", STACK, "dr");
  const key = new RegionalKey(
    "kms",
    { namer: primary.namer, description: "payments data", multiRegion: true },
    { provider: primary.provider },
  );
  new RegionalKeyReplica(
    "kms-dr",
    { namer: dr.namer, primaryKeyArn: key.keyArn, description: "payments data (replica)" },
    { provider: dr.provider },
  );
  const bucket = new SecureBucket(
    "data",
    { namer: primary.namer, role: "data", kmsKeyArn: key.keyArn },
    { provider: primary.provider },
  );
  bucketUnderTest = bucket;
  return { keyArn: key.keyArn, keyId: key.keyId, bucketName: bucket.bucketName, bucketArn: bucket.bucketArn, versioningStatus: bucket.versioningStatus };
}

interface Statement {
  Sid: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const policyOf = (inputs: Record<string, any>): Statement[] => JSON.parse(inputs.policy).Statement;
const statement = (statements: Statement[], sid: string): Statement => statements.find((s) => s.Sid === sid)!;

let plan: Plan;
beforeAll(async () => {
  plan = await synthesize({ project: "primary-region", program });
});

describe("RegionalKey", () => {
  it("rotates, deletes after 7 days, is multi-region on request and carries the stack tags", () => {
    const key = plan.one("aws:kms/key:Key");
    expect(key).toMatchObject({ parent: "kms", region: "us-east-1" });
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7, multiRegion: true, description: "payments data" });
    expect(plan.defaultTagsOf(key)).toMatchObject({ Environment: "DR", CostCenter: "Operations", Criticality: "High" });
    expect(key.inputs.tags).toBeUndefined();
  });

  it("lets the account's IAM policies grant use, and CloudWatch Logs and alarms of this account use it", () => {
    const statements = policyOf(plan.one("aws:kms/key:Key").inputs);
    expect(statement(statements, "EnableIamUserPermissions")).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${FAKE_ACCOUNT_ID}:root` },
      Action: "kms:*",
    });
    expect(statement(statements, "AllowCloudWatchLogsOfThisAccount")).toMatchObject({
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:*` } },
    });
    expect(statement(statements, "AllowCloudWatchAlarmsToEncryptedTopics")).toMatchObject({
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      // Scoped by what SNS itself puts in the encryption context, not by a caller key CloudWatch may not send.
      Condition: { ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:${FAKE_ACCOUNT_ID}:*` } },
    });
  });

  it("lets CloudWatch Logs only encrypt and decrypt with the key, in both regions: no grants, no administration", () => {
    for (const key of [plan.one("aws:kms/key:Key"), plan.one("aws:kms/replicaKey:ReplicaKey")]) {
      expect(statement(policyOf(key.inputs), "AllowCloudWatchLogsOfThisAccount").Action).toEqual([
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]);
    }
  });

  it("grants nothing to a '*' principal", () => {
    for (const key of [plan.one("aws:kms/key:Key"), plan.one("aws:kms/replicaKey:ReplicaKey")]) {
      const allows = policyOf(key.inputs).filter((s) => s.Effect === "Allow");
      expect(allows.length).toBeGreaterThan(0);
      for (const s of allows) {
        expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"/);
      }
    }
  });

  it("with the stack's deletion protection, waits the longest window AWS allows (30 days) before a deleted key is gone, and its policy holds anyone else to it", () => {
    expect([keyDeletionWindowDays(false), keyDeletionWindowDays(true)]).toEqual([7, 30]);
    const ctx = { accountId: FAKE_ACCOUNT_ID, partition: "aws", region: "us-east-1" };
    expect(statement(regionalKeyPolicy({ ...ctx, deletionProtection: true }).Statement as Statement[], "DenyShortDeletionWindow")).toEqual({
      Sid: "DenyShortDeletionWindow",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "kms:ScheduleKeyDeletion",
      Resource: "*",
      Condition: { NumericLessThan: { "kms:ScheduleKeyDeletionPendingWindowInDays": "30" } },
    });
    expect((regionalKeyPolicy(ctx).Statement as Statement[]).map((s) => s.Sid)).not.toContain("DenyShortDeletionWindow");
  });

  it("is a single-region key unless asked (a DR stack's own key): multiRegion cannot change in place, so flipping the default would replace every such key", async () => {
    const single = await synthesize({
      project: "dr-region",
      program: () => {
        const { namer, provider } = stackRegion("us-east-2", STACK, "dr");
        new RegionalKey("dr-kms", { namer, description: "payments data (DR)" }, { provider });
        return {};
      },
    });
    expect(single.one("aws:kms/key:Key").inputs).toMatchObject({ multiRegion: false, enableKeyRotation: true, deletionWindowInDays: 7 });
    expect(single.one("aws:kms/key:Key").options.retainOnDelete).toBe(false);
  });

  it("names its alias with the environment suffix and points it at the key", () => {
    const alias = plan.one("aws:kms/alias:Alias", "kms-alias");
    expect(alias.inputs.name).toBe(`alias/payments-dr-data-use1-${SUFFIX}`);
    expect(alias.inputs.targetKeyId).toBe(plan.outputs.keyId);
  });
});

describe("RegionalKeyReplica", () => {
  it("replicates the primary key into the other region, with that region's policy", () => {
    const replica = plan.one("aws:kms/replicaKey:ReplicaKey");
    expect(replica).toMatchObject({ parent: "kms-dr", provider: "dr", region: "us-east-2" });
    expect(replica.inputs).toMatchObject({ primaryKeyArn: plan.outputs.keyArn, deletionWindowInDays: 7 });
    const statements = policyOf(replica.inputs);
    expect(statement(statements, "AllowCloudWatchLogsOfThisAccount")).toMatchObject({
      Principal: { Service: "logs.us-east-2.amazonaws.com" },
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-2:${FAKE_ACCOUNT_ID}:log-group:*` } },
    });
  });

  it("takes an alias that cannot collide with the DR stack's own key", () => {
    const alias = plan.one("aws:kms/alias:Alias", "kms-dr-alias");
    expect(alias.region).toBe("us-east-2");
    expect(alias.inputs.name).toBe(`alias/payments-dr-data-replica-use2-${SUFFIX}`);
  });
});

describe("SecureBucket", () => {
  it("names the bucket with the suffix and account id, within S3's 63 lowercase characters", () => {
    const name = plan.one("aws:s3/bucket:Bucket").inputs.bucket as string;
    expect(name).toBe(`payments-dr-data-use1-${FAKE_ACCOUNT_ID}-${SUFFIX}`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toBe(name.toLowerCase());
    expect(plan.one("aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(false);
  });

  it("versions the bucket", () => {
    expect(plan.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("exposes versioningStatus for S3 replication to wait on (§10: replication config before both buckets' versioning)", () => {
    expect(plan.outputs.versioningStatus).toBe("Enabled");
  });

  it("takes versioningStatus from the BucketVersioning resource, so that what waits on it waits on versioning (a constant would not)", () => {
    // Output.resources() is what Pulumi makes dependents depend on (internal, but the only way to see it under mocks).
    const dependsOn = [...(bucketUnderTest.versioningStatus as unknown as { resources(): Set<unknown> }).resources()];
    expect(dependsOn.some((resource) => aws.s3.BucketVersioning.isInstance(resource))).toBe(true);
  });

  it("encrypts with the region's key, bucket key on, and blocks SSE-C uploads (a customer-provided key bypasses KMS and every kms header condition)", () => {
    const [rule] = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules;
    expect(rule).toEqual({
      applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: plan.outputs.keyArn },
      bucketKeyEnabled: true,
      blockedEncryptionTypes: ["SSE-C"],
    });
  });

  it("blocks all public access and enforces bucket-owner ownership", () => {
    expect(plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("denies every request without TLS, and any upload that asks for another encryption than its own key (the replication rule could not read it), SSE-C included, after the public access block exists", () => {
    const policy = plan.one("aws:s3/bucketPolicy:BucketPolicy");
    const objects = `${plan.outputs.bucketArn}/*`;
    expect(policyOf(policy.inputs)).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [plan.outputs.bucketArn, objects],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      // Each refusal only where its header is present: a header-less upload, or a multipart upload's part, gets the default key.
      {
        Sid: "DenyOtherEncryption",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
      },
      {
        Sid: "DenyOtherKmsKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.outputs.keyArn } },
      },
      {
        Sid: "DenyUnnamedKmsKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" }, Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" } },
      },
      // SSE-C sends none of the headers above: without this, a customer-provided key passes every refusal.
      {
        Sid: "DenyCustomerProvidedKeys",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
      },
    ]);
    expect(policy.options.dependsOn).toEqual(["data-public-access"]);
  });

  it("puts every child in the bucket's region, under the component", () => {
    for (const child of plan.childrenOf("data")) {
      expect(child).toMatchObject({ provider: "primary", region: "us-east-1" });
    }
    expect(plan.childrenOf("data")).toHaveLength(6);
  });
});
