import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { NAME_RULES, ResourceNamer } from "./names";
import { regionCode } from "./regions";

describe("ResourceNamer", () => {
  const namer = new ResourceNamer({ environmentSuffix: "qa1", region: "us-east-2" });

  it("puts the product, role, region code and environment suffix in every regional name", () => {
    expect(namer.regional("rdsIdentifier", "aurora")).toBe("payments-dr-aurora-use2-qa1");
  });

  it("leaves the region out of names shared by both regions", () => {
    expect(namer.global("dynamodbTable", "sessions")).toBe("payments-dr-sessions-qa1");
  });

  it("fits a name to a short limit: the usual name when it fits, else the suffix's SHA-256 prefix in its place, never a refusal", () => {
    expect(namer.fitted("xraySamplingRule", "health")).toBe("payments-dr-health-use2-qa1");
    const long = (suffix: string) => new ResourceNamer({ environmentSuffix: suffix, region: "us-east-1" }).fitted("xraySamplingRule", "health");
    const names = ["production-blue", "production-green", "a-very-long-environment-suffix"].map(long);
    for (const name of names) {
      expect(name).toMatch(/^payments-dr-health-use1-[0-9a-f]{8}$/);
      expect(name.length).toBeLessThanOrEqual(NAME_RULES.xraySamplingRule.max);
    }
    expect(new Set(names).size).toBe(3);
    expect(long("production-blue")).toBe(long("production-blue"));
  });

  it("fits a global name too: no region code, the usual name for a suffix that fits (an ARC plan deployed under it keeps its name)", () => {
    const plan = (suffix: string) => new ResourceNamer({ environmentSuffix: suffix, region: "us-east-1" }).fitted("regionSwitchPlan", "region-switch", "global");
    expect(plan("prod-1")).toBe("payments-dr-region-switch-prod-1");
    expect(plan("production-blue")).toMatch(/^payments-dr-region-switch-[0-9a-f]{6}$/);
    expect(plan("z".repeat(26)).length).toBeLessThanOrEqual(NAME_RULES.regionSwitchPlan.max);
  });

  it("checks an inline policy's name against IAM's 128 characters, not a role's 64", () => {
    const long = new ResourceNamer({ environmentSuffix: "p".repeat(40), region: "us-east-2" });
    expect(long.regional("iamPolicy", "primary-probe-access")).toHaveLength(78);
    expect(() => long.regional("iamRole", "primary-probe-access")).toThrow(/at most 64\b/);
  });

  it("makes bucket names globally unique with the account id", async () => {
    const name = await new Promise<string>((resolve) => namer.bucket("data", "123456789012").apply(resolve));
    expect(name).toBe("payments-dr-data-use2-123456789012-qa1");
    expect(name.length).toBeLessThanOrEqual(NAME_RULES.s3Bucket.max);
  });

  it.each([
    ["rdsIdentifier", 63],
    ["iamRole", 64],
    ["lambdaFunction", 64],
    ["s3Bucket", 63],
    ["targetGroup", 32],
  ] as const)("rejects a %s longer than %i characters, naming the config key and the limit", (kind, max) => {
    const long = new ResourceNamer({ environmentSuffix: "x".repeat(60), region: "us-east-1" });
    const build = () => (kind === "s3Bucket" ? long.bucket("data", "123456789012") : long.regional(kind, "api"));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(new RegExp(`payments-dr:environmentSuffix.*at most ${max}\\b`));
  });

  it("counts the 12-digit account id in a bucket name's length before the id is known", () => {
    // "payments-dr-data-use1-" (22) + the account id (12) + "-" (1): 28 characters are left within S3's 63.
    const bucket = (suffix: string) => () => new ResourceNamer({ environmentSuffix: suffix, region: "us-east-1" }).bucket("data", pulumi.output("123456789012"));
    expect(bucket("s".repeat(28))).not.toThrow();
    expect(bucket("s".repeat(29))).toThrow(/at most 28 characters/);
  });

  it("tells how long the suffix may be", () => {
    const long = new ResourceNamer({ environmentSuffix: "y".repeat(40), region: "us-east-1" });
    // "payments-dr-aurora-use1-" is 24 characters, so 39 are left within RDS's 63.
    expect(() => long.regional("rdsIdentifier", "aurora")).toThrow(/at most 39 characters/);
  });

  it("prints as one line without a stack trace at preview (a RunError)", () => {
    const long = new ResourceNamer({ environmentSuffix: "z".repeat(60), region: "us-east-1" });
    expect(() => long.regional("iamRole", "api")).toThrow(pulumi.RunError);
  });

  it("refuses roles that would make invalid names", () => {
    expect(() => namer.regional("display", "Bad_Role")).toThrow(/lowercase/);
    // A trailing hyphen would put "--" in the name, which RDS refuses at deploy time.
    expect(() => namer.regional("rdsIdentifier", "aurora-")).toThrow(/name role "aurora-"/);
    expect(() => namer.bucket("my_data", "123456789012")).toThrow(/name role "my_data"/);
  });

  it("refuses an uppercase name where AWS wants lowercase (RDS, S3), naming the config key, and keeps case where AWS does", () => {
    const upper = new ResourceNamer({ environmentSuffix: "QA1", region: "us-east-1" });
    expect(() => upper.regional("rdsIdentifier", "aurora")).toThrow(/payments-dr:environmentSuffix: the RDS identifier "payments-dr-aurora-use1-QA1" must be lowercase/);
    expect(() => upper.bucket("data", "123456789012")).toThrow(/payments-dr:environmentSuffix: the S3 bucket name .* must be lowercase/);
    expect(upper.regional("iamRole", "api")).toBe("payments-dr-api-use1-QA1");
  });
});

describe("regionCode", () => {
  it.each([
    ["us-east-1", "use1"],
    ["us-east-2", "use2"],
    ["eu-central-2", "euc2"],
    ["us-gov-west-1", "usgw1"],
  ])("%s → %s", (region, code) => expect(regionCode(region)).toBe(code));

  it("rejects what is not a region", () => expect(() => regionCode("mars-1")).toThrow(/not an AWS region/));
});
