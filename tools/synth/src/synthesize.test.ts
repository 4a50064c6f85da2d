import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REDACTED } from "./redact";
import { synthesize } from "./synthesize";

class Widget extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:widget:Widget", name, {}, opts);
    const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: "widget-bucket" }, { parent: this, ignoreChanges: ["tags"] });
    new aws.ssm.Parameter(`${name}-param`, { type: "SecureString", value: pulumi.secret("hunter2") }, { parent: this, dependsOn: [bucket] });
    this.bucketName = bucket.bucket;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}

function program() {
  const suffix = new pulumi.Config("payments-dr").require("environmentSuffix");
  const provider = new aws.Provider("east", { region: "us-east-2", defaultTags: { tags: { Team: "ops" } } });
  const widget = new Widget("w", { provider });
  const upstream = new pulumi.StackReference("up", { name: "organization/upstream/dev" });
  return { suffix, bucket: widget.bucketName, upstreamVpc: upstream.requireOutput("vpcId"), token: pulumi.secret("t0ken") };
}

describe("synthesize", () => {
  let plan: Awaited<ReturnType<typeof synthesize>>;
  beforeAll(async () => {
    plan = await synthesize({
      project: "test",
      config: { "payments-dr:environmentSuffix": "qa", "payments-dr:apiKey": "s3cret", "aws:region": "us-east-1" },
      secretKeys: ["payments-dr:apiKey"],
      upstream: { "organization/upstream/dev": { vpcId: "vpc-123" } },
      program,
    });
  });

  it("records type, logical name, parent, provider and region of every resource", () => {
    const bucket = plan.one("aws:s3/bucket:Bucket");
    expect(bucket).toMatchObject({ name: "w-bucket", parent: "w", provider: "east", region: "us-east-2", custom: true });
    expect(plan.one("test:widget:Widget")).toMatchObject({ parent: null, custom: false });
    expect(plan.defaultTagsOf(bucket)).toEqual({ Team: "ops" });
  });

  it("records the resource options that mocks cannot see", () => {
    expect(plan.one("aws:s3/bucket:Bucket").options).toEqual({ ignoreChanges: ["tags"] });
    expect(plan.one("aws:ssm/parameter:Parameter").options).toEqual({ dependsOn: ["w-bucket"] });
  });

  it("redacts secret inputs, secret config and secret outputs", () => {
    expect(plan.one("aws:ssm/parameter:Parameter").inputs.value).toBe(REDACTED);
    expect(plan.data.config["payments-dr:apiKey"]).toBe(REDACTED);
    expect(plan.outputs.token).toBe(REDACTED);
    expect(plan.allStrings()).not.toEqual(expect.arrayContaining(["hunter2", "s3cret", "t0ken"]));
  });

  it("feeds StackReferences from upstream outputs and resolves the stack outputs", () => {
    expect(plan.outputs).toMatchObject({ suffix: "qa", bucket: "widget-bucket", upstreamVpc: "vpc-123" });
  });

  it("fails clearly when an upstream stack has not been synthesized", async () => {
    await expect(synthesize({ project: "test", config: { "payments-dr:environmentSuffix": "qa" }, program })).rejects.toThrow(/no synth output/);
  });
});
