import { FAKE_ACCOUNT_ID, Plan, stackRegion, synthesize } from "@payments-dr/synth";
import { AlertTopic } from "./alert-topic";

const KEY = "arn:aws:kms:us-east-2:123456789012:key/mrk-dr";

function program(email?: string) {
  return () => {
    const { namer, provider } = stackRegion("us-east-2", { project: "dr-region", environmentSuffix: "qa" }, "dr");
    const topic = new AlertTopic("alerts", { namer, kmsKeyArn: KEY, email }, { provider });
    return { topicArn: topic.topicArn };
  };
}

describe("AlertTopic", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({ project: "dr-region", program: program("oncall@example.com") });
  });

  it("is encrypted with the region's key and named for its region", () => {
    const topic = plan.one("aws:sns/topic:Topic");
    expect(topic).toMatchObject({ parent: "alerts", provider: "dr", region: "us-east-2" });
    expect(topic.inputs).toMatchObject({ name: "payments-dr-alerts-use2-qa", kmsMasterKeyId: KEY });
    expect(plan.defaultTagsOf(topic)).toMatchObject({ Environment: "DR", CostCenter: "Operations", Criticality: "High" });
  });

  it("lets this account's CloudWatch alarms publish, and grants nothing to a '*' principal", () => {
    const policy = plan.one("aws:sns/topicPolicy:TopicPolicy");
    expect(policy.inputs.arn).toBe(plan.outputs.topicArn);
    const statements: any[] = JSON.parse(policy.inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "CloudWatchAlarmsPublish")).toEqual({
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: plan.outputs.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": FAKE_ACCOUNT_ID } },
    });
    expect(statements.find((s) => s.Sid === "AccountOwnerManagesTopic")).toMatchObject({ Principal: { AWS: `arn:aws:iam::${FAKE_ACCOUNT_ID}:root` } });
    for (const s of statements) {
      if (s.Effect === "Allow") expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"/);
      expect(s.Resource).toBe(plan.outputs.topicArn);
    }
  });

  it("refuses every publish not made over TLS (a forged or read-in-transit alert), from anyone", () => {
    const statements: any[] = JSON.parse(plan.one("aws:sns/topicPolicy:TopicPolicy").inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "DenyPublishWithoutTls")).toEqual({
      Sid: "DenyPublishWithoutTls",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: plan.outputs.topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("subscribes the email address when one is set", () => {
    expect(plan.one("aws:sns/topicSubscription:TopicSubscription").inputs).toMatchObject({
      topic: plan.outputs.topicArn,
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("subscribes nobody when no email is set", async () => {
    const quiet = await synthesize({ project: "dr-region", program: program() });
    expect(quiet.ofType("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
    expect(quiet.ofType("aws:sns/topic:Topic")).toHaveLength(1);
  });
});
