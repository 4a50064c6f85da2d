import * as aws from "@pulumi/aws";
import { ResourceNamer, regionProviderArgs, stackTags } from "@payments-dr/conventions";
import { Plan, synthesize } from "@payments-dr/synth";
import { SessionsTable } from "./sessions-table";

const PRIMARY_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-primary";
const REPLICA_KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-primary";

function program(args: { deletionProtection?: boolean } = {}) {
  return () => {
    const tags = stackTags({ project: "primary-region", stack: "dev", environmentSuffix: "qa" });
    const provider = new aws.Provider("primary", regionProviderArgs("us-east-1", tags));
    const table = new SessionsTable(
      "sessions",
      {
        namer: new ResourceNamer({ environmentSuffix: "qa", region: "us-east-1" }),
        kmsKeyArn: PRIMARY_KEY,
        replica: { region: "us-east-2", kmsKeyArn: REPLICA_KEY },
        ...args,
      },
      { provider },
    );
    return { tableName: table.tableName, tableArn: table.tableArn };
  };
}

describe("SessionsTable", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({ project: "primary-region", program: program() });
  });
  const table = () => plan.one("aws:dynamodb/table:Table");

  it("pitfall: DynamoDB streams not set explicitly, replica without its own key or PITR", () => {
    expect(table().inputs).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", pointInTimeRecovery: { enabled: true } });
    expect(table().inputs.replicas).toEqual([
      { regionName: "us-east-2", kmsKeyArn: REPLICA_KEY, pointInTimeRecovery: true, propagateTags: true, deletionProtectionEnabled: false },
    ]);
  });

  it("is one on-demand table with a global name, keyed by sessionId", () => {
    expect(table()).toMatchObject({ parent: "sessions", provider: "primary", region: "us-east-1" });
    expect(table().inputs).toMatchObject({
      name: "payments-dr-sessions-qa",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "sessionId",
      attributes: [{ name: "sessionId", type: "S" }],
    });
    expect(plan.outputs).toMatchObject({ tableName: "payments-dr-sessions-qa", tableArn: expect.stringContaining(":table/payments-dr-sessions-qa") });
    expect(plan.defaultTagsOf(table())).toMatchObject({ Environment: "DR", CostCenter: "Operations", Criticality: "High" });
  });

  it("encrypts with the region's customer-managed key", () => {
    expect(table().inputs.serverSideEncryption).toEqual({ enabled: true, kmsKeyArn: PRIMARY_KEY });
  });

  it("expires sessions through TTL on expiresAt", () => {
    expect(table().inputs.ttl).toEqual({ attributeName: "expiresAt", enabled: true });
  });

  it("leaves deletion protection off by default", () => {
    expect(table().inputs.deletionProtectionEnabled).toBe(false);
  });

  it("protects the table and its replica when asked", async () => {
    const protectedPlan = await synthesize({ project: "primary-region", program: program({ deletionProtection: true }) });
    const protectedTable = protectedPlan.one("aws:dynamodb/table:Table");
    expect(protectedTable.inputs.deletionProtectionEnabled).toBe(true);
    expect(protectedTable.inputs.replicas[0].deletionProtectionEnabled).toBe(true);
  });
});
