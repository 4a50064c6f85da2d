import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { REDACTED, redactSecrets } from "./redact";
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
  return {
    suffix,
    bucket: widget.bucketName,
    upstreamVpc: upstream.requireOutput("vpcId"),
    upstreamVpcIsSecret: pulumi.isSecret(upstream.requireOutput("vpcId")),
    upstreamTokenIsSecret: pulumi.isSecret(upstream.requireOutput("token")),
    token: pulumi.secret("t0ken"),
  };
}

describe("synthesize", () => {
  let plan: Awaited<ReturnType<typeof synthesize>>;
  beforeAll(async () => {
    plan = await synthesize({
      project: "test",
      config: { "payments-dr:environmentSuffix": "qa", "payments-dr:apiKey": "s3cret", "aws:region": "us-east-1" },
      secretKeys: ["payments-dr:apiKey"],
      upstream: { "organization/upstream/dev": { vpcId: "vpc-123", token: REDACTED } },
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
    // The provider SDK's own additionalSecretOutputs too: what the engine keeps secret.
    expect(plan.one("aws:ssm/parameter:Parameter").options).toEqual({ dependsOn: ["w-bucket"], additionalSecretOutputs: ["value", "valueWo"] });
  });

  it("redacts secret inputs, secret config and secret outputs", () => {
    expect(plan.one("aws:ssm/parameter:Parameter").inputs.value).toBe(REDACTED);
    expect(plan.data.config["payments-dr:apiKey"]).toBe(REDACTED);
    expect(plan.outputs.token).toBe(REDACTED);
    const text = plan.allStrings().join("\n");
    for (const plaintext of ["hunter2", "s3cret", "t0ken"]) expect(text).not.toContain(plaintext);
  });

  it("feeds StackReferences from upstream outputs and resolves the stack outputs", () => {
    expect(plan.outputs).toMatchObject({ suffix: "qa", bucket: "widget-bucket", upstreamVpc: "vpc-123" });
  });

  it("reads an upstream output its synth redacted as a secret, as the engine gives a secret output, and the others in the clear", () => {
    expect(plan.outputs).toMatchObject({ upstreamTokenIsSecret: true, upstreamVpcIsSecret: false });
  });

  it("fails clearly when an upstream stack has not been synthesized", async () => {
    await expect(synthesize({ project: "test", config: { "payments-dr:environmentSuffix": "qa" }, program })).rejects.toThrow(/no synth output/);
  });
});

/** Secrets the program nests in objects and arrays, and a secret output that is not a string. */
function nestedSecretsProgram() {
  new aws.ec2.SecurityGroup("nested", {
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"], description: pulumi.secret("in-an-array") }],
    tags: { Token: pulumi.secret("in-an-object") },
  });
  return { credentials: pulumi.secret({ user: "admin", password: "in-an-object-output" }) };
}

describe("synthesize, secrets anywhere and the default provider", () => {
  let plan: Awaited<ReturnType<typeof synthesize>>;
  beforeAll(async () => {
    // No aws:region: a resource of the default provider has no known region.
    plan = await synthesize({ project: "test", config: { "payments-dr:environmentSuffix": "qa" }, program: nestedSecretsProgram });
  });

  it("redacts a secret output whatever its type", () => {
    expect(plan.outputs.credentials).toBe(REDACTED);
  });

  it("writes none of the nested secrets anywhere in the plan", () => {
    const text = plan.allStrings().join("\n");
    for (const plaintext of ["in-an-array", "in-an-object", "in-an-object-output"]) expect(text).not.toContain(plaintext);
  });

  it("records no region for a resource of the default provider when the config names none (the allowed-regions policy refuses it)", () => {
    expect(plan.one("aws:ec2/securityGroup:SecurityGroup")).toMatchObject({ provider: null, region: null });
  });
});

describe("synthesize, for a test that must see secrets", () => {
  function passwordsProgram() {
    const lettersAndDigits = new random.RandomPassword("letters-and-digits", { length: 32, special: false });
    const anyCharacters = new random.RandomPassword("any-characters", { length: 32 });
    new aws.ssm.Parameter("param", { type: "SecureString", value: lettersAndDigits.result });
    return { lettersAndDigits: pulumi.unsecret(lettersAndDigits.result), anyCharacters: pulumi.unsecret(anyCharacters.result), token: pulumi.secret("t0ken") };
  }
  const synthPasswords = (revealSecrets?: boolean) => synthesize({ project: "test", config: { "payments-dr:environmentSuffix": "qa" }, revealSecrets, program: passwordsProgram });

  it("shows secret inputs as { \"[secret]\": value } with revealSecrets, and still redacts the stack's secret outputs", async () => {
    const revealed = await synthPasswords(true);
    expect(revealed.one("aws:ssm/parameter:Parameter").inputs.value).toEqual({ [REDACTED]: revealed.outputs.lettersAndDigits });
    expect(revealed.outputs.token).toBe(REDACTED);
    // Without it (the CLI's way), the same input is redacted.
    expect((await synthPasswords()).one("aws:ssm/parameter:Parameter").inputs.value).toBe(REDACTED);
  });

  it("fakes a RandomPassword of the characters asked for: letters and digits only with special: false", async () => {
    const plan = await synthPasswords();
    expect(plan.outputs.lettersAndDigits).toMatch(/^[A-Za-z0-9]+$/);
    expect(plan.outputs.anyCharacters).toMatch(/[^A-Za-z0-9]/);
  });
});

describe("redactSecrets", () => {
  // A secret as the engine's wire format wraps it (what the mocks hand the harness).
  const envelope = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

  it("replaces secret envelopes at any depth, in objects and arrays, and keeps everything else", () => {
    const input = { name: "db", replicas: [{ region: "us-east-2", password: envelope("p4ss") }], nested: { deeper: { token: envelope("t0ken") } }, list: [envelope("x"), 1] };
    expect(redactSecrets(input)).toEqual({ name: "db", replicas: [{ region: "us-east-2", password: REDACTED }], nested: { deeper: { token: REDACTED } }, list: [REDACTED, 1] });
  });

  it("shows a test the secrets' values, still marked as secrets, only when asked", () => {
    const input = { name: "db", nested: [{ token: envelope("t0ken") }] };
    expect(redactSecrets(input, true)).toEqual({ name: "db", nested: [{ token: { [REDACTED]: "t0ken" } }] });
  });
});

describe("synthesize, failing as the engine would", () => {
  const run = (program: () => unknown) => synthesize({ project: "test", config: { "aws:region": "us-east-1" }, program });

  it("fails on an input that fails to resolve (the engine's failed registration), instead of writing a plan without the resource", async () => {
    const program = () => {
      new aws.s3.Bucket("b", { bucket: pulumi.output("x").apply((): string => { throw new Error("no bucket name for this region"); }) });
    };
    await expect(run(program)).rejects.toThrow("no bucket name for this region");
  });

  it("fails on a provider function the harness does not fake, naming it, rather than answering {}", async () => {
    const program = () => ({ vpc: aws.ec2.getVpcOutput({ default: true }).id });
    await expect(run(program)).rejects.toThrow(/no fake for the provider function aws:ec2\/getVpc:getVpc/);
  });

  // The engine refuses a second resource of one URN at preview; the mock runtime registers only one
  // of two components of one name, so without this check a plan would silently lose one.
  it.each([
    ["two resources", () => [new aws.sns.Topic("alerts"), new aws.sns.Topic("alerts")]],
    ["two components", () => [new Widget("w"), new Widget("w")]],
  ])("fails on %s of one type and name (a duplicate URN), naming them", async (_what, program) => {
    await expect(run(program)).rejects.toThrow(/two resources of type (aws:sns\/topic:Topic|test:widget:Widget) are named (alerts|w);/);
  });

  it("takes one name in two types, as the engine does (a URN holds the type)", async () => {
    const plan = await run(() => [new aws.sns.Topic("alerts"), new aws.sqs.Queue("alerts")]);
    expect(plan.resources.map((r) => r.type)).toEqual(expect.arrayContaining(["aws:sns/topic:Topic", "aws:sqs/queue:Queue"]));
  });
});
