import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { checkWriterConnectionsOfPair, defaultMaxConnections, loadApiConfig, writerConnectionShare } from "./api-config";
import { loadStackConfig } from "./config";
import { CONFIG_KEYS } from "./config-keys";
import { ConfigReader } from "./config-reader";
import { ConfigError } from "./errors";
import { loadRegionalConfig, R_CLASS_INSTANCE } from "./regional-config";
import { StackContext } from "./stack-context";
import { UpstreamStack } from "./upstream-stack";

async function withConfig(config: Record<string, string>, stack = "dev", organization = "organization"): Promise<void> {
  await pulumi.runtime.setMocks({ newResource: () => ({ id: "", state: {} }), call: () => ({}) }, "primary-region", stack, true, organization);
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`payments-dr:${k}`, v])));
}

describe("settings a stack does not read", () => {
  async function withProjectConfig(project: string, config: Record<string, string>): Promise<void> {
    await pulumi.runtime.setMocks({ newResource: () => ({ id: "", state: {} }), call: () => ({}) }, project, "dev", true, "organization");
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`payments-dr:${k}`, v])));
  }

  it("refuses a misspelt setting before anything else, naming it and the setting it is nearest to: a production database must not stay unprotected without a word", async () => {
    await withProjectConfig("primary-region", { deletionProtecton: "true" });
    expect(() => loadStackConfig()).toThrow(ConfigError);
    expect(() => loadStackConfig()).toThrow("Invalid stack config payments-dr:deletionProtecton: is not a setting of the primary-region stack (did you mean deletionProtection?)");
    await withProjectConfig("primary-region", { skipFinalSnapshots: "false" });
    expect(() => loadStackConfig()).toThrow(/payments-dr:skipFinalSnapshots: is not a setting of the primary-region stack \(did you mean skipFinalSnapshot\?\)/);
  });

  it("refuses a setting of another stack, saying whose it is", async () => {
    await withProjectConfig("dr-region", { regionSwitchPlan: "true" });
    expect(() => loadStackConfig()).toThrow("Invalid stack config payments-dr:regionSwitchPlan: is a setting of the global stack, and this dr-region stack does not read it. Remove it from this stack's config.");
    await withProjectConfig("global", { dbInstanceClass: "db.r6g.xlarge" });
    expect(() => loadStackConfig()).toThrow(/payments-dr:dbInstanceClass: is a setting of the primary-region and dr-region stacks, and this global stack does not read it/);
  });

  it("names no setting when nothing is near, and leaves other namespaces and other programs (a test's) alone", async () => {
    await withProjectConfig("global", { somethingElseEntirely: "1" });
    expect(() => loadStackConfig()).toThrow(/payments-dr:somethingElseEntirely: is not a setting of the global stack; see the README's Configuration table/);
    await pulumi.runtime.setMocks({ newResource: () => ({ id: "", state: {} }), call: () => ({}) }, "global", "dev", true, "organization");
    pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", "payments-dr:regionSwitchPlan": "true" });
    expect(() => loadStackConfig()).not.toThrow();
    await withProjectConfig("sandbox", { anything: "1" });
    expect(() => loadStackConfig()).not.toThrow();
  });

  it("refuses to read a setting CONFIG_KEYS does not list for the stack (a new setting must be listed, and documented)", async () => {
    await withProjectConfig("global", {});
    expect(() => new ConfigReader().integer("apiMemoryMb", { default: 1 })).toThrow(/payments-dr:apiMemoryMb is read by the global stack, but CONFIG_KEYS .* does not list it for that stack/);
  });

  it("lists in CONFIG_KEYS every setting the README's Configuration table documents, and no other", () => {
    const readme = readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf("| key | default | notes |"));
    const rows = table.slice(0, table.indexOf("\n\n"));
    const documented = [...rows.matchAll(/^\| ((?:`\w+`(?: [/+] )?)+) \|/gm)].flatMap((match) => [...match[1]!.matchAll(/`(\w+)`/g)].map((key) => key[1]!));
    expect(new Set(documented)).toEqual(new Set(Object.keys(CONFIG_KEYS)));
  });
});

describe("loadStackConfig", () => {
  const savedSuffix = process.env.ENVIRONMENT_SUFFIX;
  afterEach(() => {
    if (savedSuffix === undefined) delete process.env.ENVIRONMENT_SUFFIX;
    else process.env.ENVIRONMENT_SUFFIX = savedSuffix;
  });

  it("applies the documented defaults", async () => {
    delete process.env.ENVIRONMENT_SUFFIX;
    await withConfig({}, "staging");
    expect(loadStackConfig()).toEqual({
      project: "primary-region",
      stack: "staging",
      environmentSuffix: "dev",
      primaryRegion: "us-east-1",
      drRegion: "us-east-2",
      primaryStack: "organization/primary-region/staging",
      drStack: "organization/dr-region/staging",
      skipFinalSnapshot: true,
      deletionProtection: false,
      logRetentionDays: 30,
      domain: undefined,
      alertEmail: undefined,
    });
  });

  it("names the upstream stacks in this stack's organization: on Pulumi Cloud its own, not the file backend's `organization`", async () => {
    await withConfig({}, "prod", "acme");
    expect(loadStackConfig()).toMatchObject({ primaryStack: "acme/primary-region/prod", drStack: "acme/dr-region/prod" });
    await withConfig({ primaryStack: "other/primary-region/blue" }, "prod", "acme");
    expect(loadStackConfig().primaryStack).toBe("other/primary-region/blue");
    // A runtime given no organization (mocks without one, a CLI that passes none): the file backend's.
    await withConfig({}, "prod", "");
    expect(loadStackConfig()).toMatchObject({ primaryStack: "organization/primary-region/prod", drStack: "organization/dr-region/prod" });
  });

  it("takes environmentSuffix from config, then ENVIRONMENT_SUFFIX, then dev", async () => {
    process.env.ENVIRONMENT_SUFFIX = "pr42";
    await withConfig({});
    expect(loadStackConfig().environmentSuffix).toBe("pr42");
    await withConfig({ environmentSuffix: "qa" });
    expect(loadStackConfig().environmentSuffix).toBe("qa");
  });

  it.each([
    [{ environmentSuffix: "Prod" }, /payments-dr:environmentSuffix: "Prod" is not valid: lowercase/],
    [{ environmentSuffix: "a_b" }, /payments-dr:environmentSuffix/],
    [{ environmentSuffix: "-a" }, /payments-dr:environmentSuffix/],
    // RDS identifiers may neither end with a hyphen nor hold two in a row.
    [{ environmentSuffix: "qa-" }, /payments-dr:environmentSuffix: "qa-" is not valid/],
    [{ environmentSuffix: "qa--1" }, /payments-dr:environmentSuffix: "qa--1" is not valid/],
    // Longer than MAX_SUFFIX_LENGTH: the DR stack's longest role name would refuse it after the primary took it.
    [{ environmentSuffix: "s".repeat(27) }, /payments-dr:environmentSuffix: "s{27}" is 27 characters long; .* at most 26\./],
    [{ drRegion: "us-east-1" }, /payments-dr:drRegion: "us-east-1" is the primary region too/],
    [{ primaryRegion: "useast1" }, /payments-dr:primaryRegion: "useast1" is not an AWS region/],
    // Route 53's health-check metrics (and so the alarms that page on a failing /health) exist in us-east-1 only.
    [{ primaryRegion: "us-west-2", drRegion: "us-east-2" }, /payments-dr:primaryRegion: neither "us-west-2" nor payments-dr:drRegion "us-east-2" is us-east-1/],
    [{ skipFinalSnapshot: "yes" }, /payments-dr:skipFinalSnapshot: "yes" is not valid: use true or false/],
    [{ logRetentionDays: "45" }, /payments-dr:logRetentionDays: 45 is not a CloudWatch Logs retention period/],
    [{ domainName: "pay.example.com" }, /payments-dr:hostedZoneId: is required when domainName is set/],
    [{ hostedZoneId: "Z0123456789ABC" }, /payments-dr:domainName: is required when hostedZoneId is set/],
    [{ domainName: "Pay.Example.com", hostedZoneId: "Z0123456789ABC" }, /payments-dr:domainName/],
    [{ domainName: "pay", hostedZoneId: "Z0123456789ABC" }, /payments-dr:domainName: "pay" is not valid/],
    // ACM refuses a certificate's domain name over 64 characters, at `pulumi up`; DNS would take 253.
    [{ domainName: `${"p".repeat(57)}.example`, hostedZoneId: "Z0123456789ABC" }, /payments-dr:domainName: "p+\.example" is 65 characters long; .* at most 64/],
    [{ domainName: "pay.example.com", hostedZoneId: "0123456789ABC" }, /payments-dr:hostedZoneId: "0123456789ABC" is not valid/],
    [{ domainName: "pay.example.com", hostedZoneId: "/hostedzone/Z0123456789ABC" }, /payments-dr:hostedZoneId/],
    [{ alertEmail: "oncall" }, /payments-dr:alertEmail: "oncall" is not valid: must be an email address/],
  ])("rejects %j with a message that names the key", async (config, message) => {
    await withConfig(config);
    expect(() => loadStackConfig()).toThrow(ConfigError);
    expect(() => loadStackConfig()).toThrow(message);
  });

  it("validates ENVIRONMENT_SUFFIX like the config key, naming the key", async () => {
    process.env.ENVIRONMENT_SUFFIX = "PR_42";
    await withConfig({});
    expect(() => loadStackConfig()).toThrow(/payments-dr:environmentSuffix: "PR_42" is not valid/);
  });

  it("accepts a domain name of 64 characters, the longest an ACM certificate takes", async () => {
    const name = `${"p".repeat(56)}.example`;
    await withConfig({ domainName: name, hostedZoneId: "Z0123456789ABC" });
    expect(loadStackConfig().domain?.name).toBe(name);
  });

  it("reads the production values of skipFinalSnapshot and deletionProtection", async () => {
    await withConfig({ skipFinalSnapshot: "false", deletionProtection: "true" });
    expect(loadStackConfig()).toMatchObject({ skipFinalSnapshot: false, deletionProtection: true });
  });

  it("reads the optional domain and alert address", async () => {
    await withConfig({ domainName: "pay.example.com", hostedZoneId: "Z0123456789ABC", alertEmail: "oncall@example.com" });
    expect(loadStackConfig()).toMatchObject({
      domain: { name: "pay.example.com", hostedZoneId: "Z0123456789ABC" },
      alertEmail: "oncall@example.com",
    });
  });
});

describe("loadRegionalConfig", () => {
  it("gives each region its own VPC range and instance count by default", async () => {
    await withConfig({});
    const shared = loadStackConfig();
    expect(loadRegionalConfig("primary", shared)).toMatchObject({ region: "us-east-1", vpcCidr: "10.0.0.0/16", database: { instanceCount: 2 } });
    expect(loadRegionalConfig("dr", shared)).toMatchObject({ region: "us-east-2", vpcCidr: "10.1.0.0/16", database: { instanceCount: 1 } });
  });

  it("applies the documented database defaults: the pinned engine version, an r-class instance, 7 days of backups", async () => {
    await withConfig({});
    expect(loadRegionalConfig("primary", loadStackConfig()).database).toEqual({ engineVersion: "16.6", instanceClass: "db.r6g.large", instanceCount: 2, backupRetentionDays: 7, managedRpoSeconds: undefined, passwordRotations: {} });
  });

  it("lets the DR region run one instance, but not none", async () => {
    await withConfig({ dbInstanceCount: "1" });
    expect(loadRegionalConfig("dr", loadStackConfig()).database.instanceCount).toBe(1);
    await withConfig({ dbInstanceCount: "0" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:dbInstanceCount: 0 is below the minimum of 1/);
  });

  it("allows each region's cluster the writer and 14 readers, what Aurora allows the primary of a global database with one secondary (either may be the primary)", async () => {
    await withConfig({ dbInstanceCount: "15" });
    expect(loadRegionalConfig("primary", loadStackConfig()).database.instanceCount).toBe(15);
    expect(loadRegionalConfig("dr", loadStackConfig()).database.instanceCount).toBe(15);
    await withConfig({ dbInstanceCount: "16" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:dbInstanceCount: 16 is above the maximum of 15/);
  });

  it("leaves the managed RPO off unless set", async () => {
    await withConfig({});
    expect(loadRegionalConfig("primary", loadStackConfig()).database.managedRpoSeconds).toBeUndefined();
    await withConfig({ managedRpoSeconds: "30" });
    expect(loadRegionalConfig("primary", loadStackConfig()).database.managedRpoSeconds).toBe(30);
  });

  it("takes a rotation label for each database password, in the primary-region stack only, and refuses one that is not plain", async () => {
    await withConfig({ masterPasswordRotation: "2026-12", appPasswordRotation: "2026-12.1" });
    expect(loadRegionalConfig("primary", loadStackConfig()).database.passwordRotations).toEqual({ master: "2026-12", app: "2026-12.1" });
    await withConfig({ appPasswordRotation: "2026-12" });
    expect(loadRegionalConfig("primary", loadStackConfig()).database.passwordRotations).toEqual({ app: "2026-12" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:appPasswordRotation: is for the primary-region stack only/);
    await withConfig({ healthPasswordRotation: "2027-01" });
    expect(loadRegionalConfig("primary", loadStackConfig()).database.passwordRotations).toEqual({ health: "2027-01" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:healthPasswordRotation: is for the primary-region stack only/);
    await withConfig({ masterPasswordRotation: "next month" });
    expect(() => loadRegionalConfig("primary", loadStackConfig())).toThrow(/payments-dr:masterPasswordRotation/);
  });

  it("refuses an engine version in the DR stack, which takes the primary's (it would change nothing), and defaults the primary's to 16.6", async () => {
    await withConfig({ auroraEngineVersion: "17.4" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:auroraEngineVersion: is for the primary-region stack only: the DR cluster joins the global database at the version the primary stack pins/);
    expect(loadRegionalConfig("primary", loadStackConfig()).database.engineVersion).toBe("17.4");
    await withConfig({});
    expect(loadRegionalConfig("primary", loadStackConfig()).database.engineVersion).toBe("16.6");
  });

  it("refuses a managed RPO in the DR stack: after a failover no secondary is left to keep within it, and Aurora would pause every commit there", async () => {
    await withConfig({ managedRpoSeconds: "30" });
    expect(() => loadRegionalConfig("dr", loadStackConfig())).toThrow(/payments-dr:managedRpoSeconds: is for the primary-region stack only/);
    await withConfig({});
    expect(loadRegionalConfig("dr", loadStackConfig()).database.managedRpoSeconds).toBeUndefined();
  });

  it.each([
    [{ vpcCidr: "10.0.0.0/8" }, /payments-dr:vpcCidr: "10.0.0.0\/8" is not valid/],
    [{ vpcCidr: "10.300.0.0/16" }, /payments-dr:vpcCidr/],
    [{ vpcCidr: "10.0.0.0/24" }, /payments-dr:vpcCidr: "10.0.0.0\/24" is not valid: use an IPv4 CIDR between \/16 and \/22/],
    [{ dbInstanceCount: "16" }, /payments-dr:dbInstanceCount: 16 is above the maximum of 15/],
    [{ dbInstanceCount: "2.5" }, /payments-dr:dbInstanceCount: "2.5" is not an integer/],
    [{ backupRetentionDays: "36" }, /payments-dr:backupRetentionDays: 36 is above the maximum of 35/],
    [{ dbInstanceClass: "db.t4g.medium" }, /payments-dr:dbInstanceClass: .*r-class/],
    [{ dbInstanceClass: "db.r4.large" }, /payments-dr:dbInstanceClass: .*r-class/],
    [{ dbInstanceClass: "db.r3.large" }, /payments-dr:dbInstanceClass: .*r-class/],
    [{ dbInstanceClass: "db.r5b.large" }, /payments-dr:dbInstanceClass: .*r-class/],
    [{ managedRpoSeconds: "10" }, /payments-dr:managedRpoSeconds: 10 is below the minimum of 20/],
    [{ managedRpoSeconds: "61" }, /payments-dr:managedRpoSeconds: 61 is above the maximum of 60/],
    [{ backupRetentionDays: "3" }, /payments-dr:backupRetentionDays: 3 is below the minimum of 7/],
    [{ dbInstanceCount: "1" }, /payments-dr:dbInstanceCount: 1 is below the minimum of 2/],
    [{ auroraEngineVersion: "latest" }, /payments-dr:auroraEngineVersion/],
  ])("rejects %j for the primary with a message that names the key", async (config, message) => {
    await withConfig(config);
    expect(() => loadRegionalConfig("primary", loadStackConfig())).toThrow(message);
  });
});

describe("R_CLASS_INSTANCE", () => {
  it.each(["db.r5.large", "db.r6g.large", "db.r6gd.xlarge", "db.r6i.2xlarge", "db.r6id.large", "db.r7g.large", "db.r7i.4xlarge", "db.r8g.large", "db.r8gd.large"])(
    "accepts %s, an r-class Aurora PostgreSQL offers",
    (instanceClass) => expect(R_CLASS_INSTANCE.test(instanceClass)).toBe(true),
  );
  it.each(["db.r3.large", "db.r4.large", "db.r5b.large", "db.r5d.large", "db.r5n.large", "db.r6a.large", "db.r7a.large", "db.r6in.large", "db.r7iz.large", "db.t4g.medium", "db.x2g.large", "db.serverless"])(
    "rejects %s: not an r-class Aurora PostgreSQL 16 runs",
    (instanceClass) => expect(R_CLASS_INSTANCE.test(instanceClass)).toBe(false),
  );
});

describe("loadApiConfig", () => {
  const regional = () => loadRegionalConfig("primary", loadStackConfig());

  it("takes Aurora's default max_connections from AWS's list, the least listed for the size where the class is not listed, the formula's 5,000 from 2xlarge", () => {
    // What the instance leaves the database, not its nominal 16 GiB (which would give 1,802).
    expect(defaultMaxConnections("db.r6g.large")).toBe(1722);
    expect(defaultMaxConnections("db.r6g.xlarge")).toBe(3479);
    expect(defaultMaxConnections("db.r5.large")).toBe(1600);
    expect(defaultMaxConnections("db.r5.xlarge")).toBe(3300);
    expect(defaultMaxConnections("db.r7g.large")).toBe(1600);
    expect(defaultMaxConnections("db.r7i.xlarge")).toBe(3300);
    expect(defaultMaxConnections("db.r6g.2xlarge")).toBe(5000);
    expect(defaultMaxConnections("db.r7g.24xlarge")).toBe(5000);
  });

  it("refuses a size whose memory it does not know, naming dbInstanceClass and the key that states max_connections instead", () => {
    expect(() => defaultMaxConnections("db.r7g.metal")).toThrow(ConfigError);
    expect(() => defaultMaxConnections("db.r7g.metal")).toThrow('Invalid stack config payments-dr:dbInstanceClass: unknown size "metal" in db.r7g.metal: set payments-dr:dbMaxConnections.');
  });

  it("accepts the defaults within the connection budget", async () => {
    await withConfig({});
    expect(loadApiConfig(regional())).toEqual({
      reservedConcurrency: 50,
      healthReservedConcurrency: 5,
      writerConnectionBudget: 861,
      memoryMb: 512,
      timeoutSeconds: 10,
      throttleRateLimit: 100,
      throttleBurstLimit: 200,
      authorizerCacheTtlSeconds: 60,
      healthThrottle: { rateLimit: 50, burstLimit: 100 },
      merchantLimits: { rateLimit: 50, burstLimit: 100, dailyQuota: 100_000 },
      waf: { rateLimitPer5Min: 20_000, healthRateLimitPer5Min: 100, maxBodyBytes: 8192, requireHealthCheckToken: true },
    });
  });

  it("refuses a per-IP WAF limit that would block a merchant within its usage plan, naming both keys", async () => {
    await withConfig({ wafRateLimitPer5Min: "15000" });
    expect(() => loadApiConfig(regional())).toThrow(
      /payments-dr:wafRateLimitPer5Min: 15000 is below 15100, what one merchant's usage plan lets through in 300 s \(payments-dr:merchantRateLimit 50\/s for the window \+ payments-dr:merchantBurstLimit 100\)/,
    );
    await withConfig({ wafRateLimitPer5Min: "2000", merchantRateLimit: "5", merchantBurstLimit: "500" });
    expect(loadApiConfig(regional()).waf.rateLimitPer5Min).toBe(2000);
  });

  it("refuses an authorizer cache TTL over API Gateway's hour and a WAF body limit over what WAF inspects, naming the keys", async () => {
    await withConfig({ authorizerCacheTtlSeconds: "3601" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:authorizerCacheTtlSeconds: 3601 is above the maximum of 3600/);
    await withConfig({ wafMaxBodyBytes: "65536" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:wafMaxBodyBytes: 65536 is above the maximum of 16384/);
  });

  it("refuses a /health per-IP WAF limit that would block Route 53's own health checkers, naming the key", async () => {
    await withConfig({ wafHealthRateLimitPer5Min: "30" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:wafHealthRateLimitPer5Min: 30 is below the minimum of 60/);
  });

  it("lets an upgrade only count Route 53's checkers without the health check token, and refuses anything but true or false, naming the key", async () => {
    await withConfig({ wafRequireHealthCheckToken: "false" });
    expect(loadApiConfig(regional()).waf.requireHealthCheckToken).toBe(false);
    await withConfig({ wafRequireHealthCheckToken: "no" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:wafRequireHealthCheckToken: "no" is not valid: use true or false/);
  });

  it("refuses a reserved concurrency over the writer's connection budget, naming the key and the limit", async () => {
    await withConfig({ apiReservedConcurrency: "500" });
    // 3 per container, 2 for each of the primary's 5 /health containers, 2 for migrations and key cleanup.
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:apiReservedConcurrency: 500 per region needs up to 1512 connections .* budget of 861 .* at most 283/);
    await withConfig({ apiReservedConcurrency: "284" });
    expect(() => loadApiConfig(regional())).toThrow(/needs up to 864 connections/);
    await withConfig({ apiReservedConcurrency: "283" });
    expect(loadApiConfig(regional()).reservedConcurrency).toBe(283);
    // More /health containers take from the same budget.
    await withConfig({ apiReservedConcurrency: "283", healthReservedConcurrency: "6" });
    expect(() => loadApiConfig(regional())).toThrow(/283 per region needs up to 863 connections .* 2 per \/health container of payments-dr:healthReservedConcurrency .* at most 282/);
    await withConfig({ healthReservedConcurrency: "101" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:healthReservedConcurrency: 101 is above the maximum of 100/);
  });

  describe("the pair as it is (the DR stack's check)", () => {
    const share = (apiReservedConcurrency: number, writerConnectionBudget: number, healthReservedConcurrency = 5) => ({ apiReservedConcurrency, healthReservedConcurrency, writerConnectionBudget });

    it("accepts two regions alike whenever each stack alone is within its budget: the checks agree", async () => {
      await withConfig({ apiReservedConcurrency: "283" });
      const api = writerConnectionShare(loadApiConfig(regional()));
      expect(api).toEqual(share(283, 861));
      expect(() => checkWriterConnectionsOfPair(api, api)).not.toThrow();
    });

    it("refuses a DR writer the primary's fleet would flood after a move, naming the key, the writer and the numbers", () => {
      // db.r6g.2xlarge in the primary (max_connections 5,000: 2,500 at 50 %), db.r6g.large in DR (861): each stack alone passes (3 × 800 + 12 ≤ 2,500).
      expect(() => checkWriterConnectionsOfPair(share(800, 2500), share(50, 861))).toThrow(
        /payments-dr:apiReservedConcurrency: the two regions' functions need up to 912 connections to the DR region's writer after a move \(apiReservedConcurrency 800 in primary-region and 50 here, healthReservedConcurrency 5 and 5, \+ migrations and key cleanup\), over its budget of 861/,
      );
      // 2 × 50 + 800 + 5 + 5 + 2: the primary's /health reaches the moved writer through the global writer endpoint.
      expect(() => checkWriterConnectionsOfPair(share(800, 2500), share(50, 912))).not.toThrow();
    });

    it("refuses a DR fleet larger than the primary's writer holds today", () => {
      // 2 × 50 + 800 + 2 × 5 + 2 on the primary's writer.
      expect(() => checkWriterConnectionsOfPair(share(50, 861), share(800, 3000))).toThrow(/need up to 912 connections to the primary region's writer today .* over its budget of 861/);
      expect(() => checkWriterConnectionsOfPair(share(50, 912), share(800, 3000))).not.toThrow();
    });

    it("lets a DR stack deploy, with a warning, against a primary deployed before it exported its share (its update may be impossible in an outage)", () => {
      const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
      try {
        expect(() => checkWriterConnectionsOfPair(undefined, share(800, 3000))).not.toThrow();
        expect(warn).toHaveBeenCalledWith(expect.stringMatching(/primary-region exports no writerConnections .* Deploy primary-region, then this stack again/));
      } finally {
        warn.mockRestore();
      }
    });
  });

  it("refuses to give the Lambdas more than 90 % of the writer's connections (operators, replication and failover need the rest), naming the key", async () => {
    await withConfig({ dbConnectionSharePercent: "95" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:dbConnectionSharePercent: 95 is above the maximum of 90/);
  });

  it("refuses a timeout at or over API Gateway's 29 s limit", async () => {
    await withConfig({ apiTimeoutSeconds: "29" });
    expect(() => loadApiConfig(regional())).toThrow(/payments-dr:apiTimeoutSeconds: 29 is above the maximum of 28/);
  });
});

describe("ConfigReader.numbers", () => {
  it.each([
    ['{"a": 0}', /payments-dr:alarmThresholds: a must be a positive number, not 0/],
    ['{"a": "5"}', /payments-dr:alarmThresholds: a must be a positive number/],
    ["[1, 2]", /payments-dr:alarmThresholds: is not a mapping of names to numbers/],
    ["not json", /payments-dr:alarmThresholds: is not a mapping of names to numbers/],
  ])("rejects %s naming the key", async (raw, message) => {
    await withConfig({ alarmThresholds: raw });
    expect(() => new ConfigReader().numbers("alarmThresholds")).toThrow(message);
  });

  it("reads a mapping of numbers, and nothing when unset", async () => {
    await withConfig({ alarmThresholds: '{"a": 2.5}' });
    expect(new ConfigReader().numbers("alarmThresholds")).toEqual({ a: 2.5 });
    await withConfig({});
    expect(new ConfigReader().numbers("alarmThresholds")).toEqual({});
  });
});

/** Pulumi mocks that record every resource and answer a StackReference with `upstream` as its outputs (an update, not a preview). */
async function recordingMocks(stack: string, upstream: Record<string, unknown>): Promise<pulumi.runtime.MockResourceArgs[]> {
  const made: pulumi.runtime.MockResourceArgs[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        made.push(args);
        return { id: `${args.name}-id`, state: args.type === "pulumi:pulumi:StackReference" ? { outputs: upstream } : args.inputs };
      },
      call: () => ({}),
    },
    "global",
    stack,
    false,
    "organization",
  );
  pulumi.runtime.setAllConfig({ "payments-dr:environmentSuffix": "qa1" });
  return made;
}

/** An Output's value, or its error (Output.promise is internal to @pulumi/pulumi, but it is how a program's failure shows). */
const settle = (output: pulumi.Output<unknown>) => (output as unknown as { promise(): Promise<unknown> }).promise();

describe("StackContext", () => {
  it("gives each region one explicit provider, in that region, carrying the stack's tags, and a namer of that region", async () => {
    const made = await recordingMocks("prod", {});
    const context = new StackContext(loadStackConfig());
    const dr = context.region("us-east-2");
    expect(context.region("us-east-2")).toBe(dr);
    expect(dr.namer.regional("lambdaFunction", "api")).toBe("payments-dr-api-use2-qa1");
    await settle(dr.provider.urn);
    const providers = made.filter((r) => r.type === "pulumi:providers:aws");
    expect(providers.map((r) => [r.name, r.inputs.region])).toEqual([["us-east-2", "us-east-2"]]);
    expect(JSON.parse(providers[0]!.inputs.defaultTags as string)).toEqual({
      tags: { Environment: "DR", CostCenter: "Operations", Criticality: "High", Project: "payments-dr", Stack: "global/prod", EnvironmentSuffix: "qa1", ManagedBy: "pulumi" },
    });
  });
});

describe("StackContext's create-time config", () => {
  const deployedWith = (createTimeConfig: Record<string, string>) => ({ createTimeConfig });

  it("reads this stack's last deploy through a StackReference to itself, and lets the providers through when nothing fixed changed", async () => {
    const made = await recordingMocks("prod", deployedWith({ environmentSuffix: "qa1", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" }));
    const context = new StackContext(loadStackConfig());
    context.fixAtCreation({ vpcCidr: "10.0.0.0/16" });
    await settle(context.region("us-east-1").provider.urn);
    expect(made.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => [r.name, r.inputs.name])).toEqual([["deployed-config", "organization/global/prod"]]);
    expect(context.createTimeConfig).toEqual({ environmentSuffix: "qa1", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" });
  });

  it("registers no provider, so no resource, when the deployed stack has another suffix", async () => {
    const made = await recordingMocks("prod", deployedWith({ environmentSuffix: "dev" }));
    const context = new StackContext(loadStackConfig());
    const host = (globalThis as { __synthHostProcess?: NodeJS.Process }).__synthHostProcess ?? process;
    const swallow = (_reason: unknown, promise: Promise<unknown>) => void promise.catch(() => undefined);
    host.on("unhandledRejection", swallow);
    try {
      await expect(settle(context.region("us-east-1").provider.urn)).rejects.toThrow(/payments-dr:environmentSuffix: stack prod was deployed with "dev", and "qa1" cannot be applied/);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      host.off("unhandledRejection", swallow);
    }
    expect(made.filter((r) => r.type === "pulumi:providers:aws")).toEqual([]);
  });

  it("registers no provider, so no resource, while a check of another stack's values fails (checkBeforeResources)", async () => {
    const made = await recordingMocks("prod", deployedWith({ environmentSuffix: "qa1" }));
    const context = new StackContext(loadStackConfig());
    context.checkBeforeResources(
      pulumi.output(2).apply((n) => {
        throw new ConfigError("apiReservedConcurrency", `${n} regions cannot hold it`);
      }),
    );
    const host = (globalThis as { __synthHostProcess?: NodeJS.Process }).__synthHostProcess ?? process;
    const swallow = (_reason: unknown, promise: Promise<unknown>) => void promise.catch(() => undefined);
    host.on("unhandledRejection", swallow);
    try {
      await expect(settle(context.region("us-east-1").provider.urn)).rejects.toThrow(/payments-dr:apiReservedConcurrency: 2 regions cannot hold it/);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      host.off("unhandledRejection", swallow);
    }
    expect(made.filter((r) => r.type === "pulumi:providers:aws")).toEqual([]);
  });

  it("takes checks only before the providers exist (they wait for all of them)", async () => {
    await recordingMocks("prod", {});
    const context = new StackContext(loadStackConfig());
    context.region("us-east-1");
    expect(() => context.checkBeforeResources(pulumi.output(undefined))).toThrow(/before the first region\(\)/);
  });

  it("takes fixed values only before the providers exist (they wait for the check of all of them)", async () => {
    await recordingMocks("prod", {});
    const context = new StackContext(loadStackConfig());
    context.region("us-east-1");
    expect(() => context.fixAtCreation({ vpcCidr: "10.0.0.0/16" })).toThrow(/before the first region\(\)/);
  });
});

describe("UpstreamStack", () => {
  it("reads the named stack, and a missing output fails naming the output and the stack", async () => {
    const made = await recordingMocks("prod", { region: "us-east-1" });
    const upstream = new UpstreamStack<{ region: string; usagePlanId: string }>("primary", "organization/primary-region/prod");
    expect(await settle(upstream.output("region"))).toBe("us-east-1");
    expect(made.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => [r.name, r.inputs.name])).toEqual([["primary", "organization/primary-region/prod"]]);
    // The Output's inner promises reject with the same error, unobserved: what the Pulumi CLI reports as the program's
    // failure. They are caught on the host process (jest's sandboxed `process` never sees them; see jest-environment.cjs).
    const host = (globalThis as { __synthHostProcess?: NodeJS.Process }).__synthHostProcess ?? process;
    const unobserved: unknown[] = [];
    const observe = (reason: unknown, promise: Promise<unknown>) => {
      unobserved.push(reason);
      promise.catch(() => undefined);
    };
    host.on("unhandledRejection", observe);
    try {
      await expect(settle(upstream.output("usagePlanId"))).rejects.toThrow("Required output 'usagePlanId' does not exist on stack 'organization/primary-region/prod'");
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      host.off("unhandledRejection", observe);
    }
    for (const reason of unobserved) expect(String(reason)).toMatch(/Required output 'usagePlanId' does not exist/);
  });

  it("reads an output an older upstream deploy lacks as undefined, not as a failure (how dr-region tolerates a primary without writerConnections)", async () => {
    await recordingMocks("prod", { region: "us-east-1" });
    const upstream = new UpstreamStack<{ region: string; writerConnections?: number }>("primary", "organization/primary-region/prod");
    expect(await settle(upstream.outputIfDeployed("writerConnections"))).toBeUndefined();
    expect(await settle(upstream.outputIfDeployed("region"))).toBe("us-east-1");
  });
});
