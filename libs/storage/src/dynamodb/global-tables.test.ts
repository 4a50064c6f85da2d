import { SESSION_TTL_ATTRIBUTE } from "@payments-dr/payment-lambda";
import { Plan, stackRegion, synthesize } from "@payments-dr/synth";
import { ApiKeysTable } from "./api-keys-table";
import { SessionsTable } from "./sessions-table";

const PRIMARY_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-primary";
const REPLICA_KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-primary";
const TABLE = "aws:dynamodb/table:Table";

/** The primary stack's table of one kind, as the primary-region app creates it. */
function program(Table: typeof SessionsTable | typeof ApiKeysTable, args: { deletionProtection?: boolean } = {}) {
  return () => {
    const { namer, provider } = stackRegion("us-east-1", { project: "primary-region", environmentSuffix: "qa" }, "primary");
    const table = new Table(
      "table",
      {
        namer,
        kmsKeyArn: PRIMARY_KEY,
        replica: { region: "us-east-2", kmsKeyArn: REPLICA_KEY },
        ...args,
      },
      { provider },
    );
    return { tableName: table.tableName, tableArn: table.tableArn };
  };
}

describe.each([
  ["SessionsTable", SessionsTable],
  ["ApiKeysTable", ApiKeysTable],
] as const)("%s, a global table", (_, Table) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({ project: "primary-region", program: program(Table) });
  });
  const table = () => plan.one(TABLE);

  it("pitfall: DynamoDB streams not set explicitly, replica without its own key or PITR", () => {
    expect(table().inputs).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", pointInTimeRecovery: { enabled: true } });
    expect(table().inputs.replicas).toEqual([
      { regionName: "us-east-2", kmsKeyArn: REPLICA_KEY, pointInTimeRecovery: true, propagateTags: true, deletionProtectionEnabled: false },
    ]);
  });

  it("is one on-demand table of the component, in its region, tagged by the provider", () => {
    expect(table()).toMatchObject({ name: "table-table", parent: "table", provider: "primary", region: "us-east-1" });
    expect(table().inputs.billingMode).toBe("PAY_PER_REQUEST");
    expect(plan.defaultTagsOf(table())).toMatchObject({ Environment: "DR", CostCenter: "Operations", Criticality: "High" });
    expect(table().inputs.tags).toBeUndefined();
  });

  it("encrypts with the region's customer-managed key", () => {
    expect(table().inputs.serverSideEncryption).toEqual({ enabled: true, kmsKeyArn: PRIMARY_KEY });
  });

  it("leaves deletion protection off by default", () => {
    expect(table().inputs.deletionProtectionEnabled).toBe(false);
  });

  it("protects the table and its replica when asked", async () => {
    const protectedPlan = await synthesize({ project: "primary-region", program: program(Table, { deletionProtection: true }) });
    const protectedTable = protectedPlan.one(TABLE);
    expect(protectedTable.inputs.deletionProtectionEnabled).toBe(true);
    expect(protectedTable.inputs.replicas[0].deletionProtectionEnabled).toBe(true);
  });
});

describe("SessionsTable", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({ project: "primary-region", program: program(SessionsTable) });
  });

  it("has a global name and is keyed by sessionId", () => {
    expect(plan.one(TABLE).inputs).toMatchObject({ name: "payments-dr-sessions-qa", hashKey: "sessionId", attributes: [{ name: "sessionId", type: "S" }] });
    expect(plan.outputs).toEqual({ tableName: "payments-dr-sessions-qa", tableArn: expect.stringContaining(":table/payments-dr-sessions-qa") });
  });

  it("expires sessions through TTL on expiresAt", () => {
    expect(plan.one(TABLE).inputs.ttl).toEqual({ attributeName: SESSION_TTL_ATTRIBUTE, enabled: true });
  });
});

describe("ApiKeysTable", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({ project: "primary-region", program: program(ApiKeysTable) });
  });

  it("has a global name, the same in both regions, and is keyed by keyId only", () => {
    expect(plan.one(TABLE).inputs).toMatchObject({ name: "payments-dr-api-keys-qa", hashKey: "keyId", attributes: [{ name: "keyId", type: "S" }] });
    expect(plan.one(TABLE).inputs.rangeKey).toBeUndefined();
    expect(plan.outputs).toEqual({ tableName: "payments-dr-api-keys-qa", tableArn: expect.stringContaining(":table/payments-dr-api-keys-qa") });
  });

  it("never expires a key record: no TTL, so a revoked key stays on record", () => {
    expect(plan.one(TABLE).inputs.ttl).toBeUndefined();
  });
});
