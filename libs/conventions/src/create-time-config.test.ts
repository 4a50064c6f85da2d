import { checkCreateTimeConfig } from "./create-time-config";
import { ConfigError } from "./errors";

const CURRENT = { environmentSuffix: "qa1", primaryRegion: "us-east-1", drRegion: "us-east-2", vpcCidr: "10.0.0.0/16" };

describe("checkCreateTimeConfig", () => {
  it("accepts a first deploy, a stack deployed before the output existed, and the same values", () => {
    expect(() => checkCreateTimeConfig(undefined, CURRENT, "dev")).not.toThrow();
    expect(() => checkCreateTimeConfig(null, CURRENT, "dev")).not.toThrow();
    expect(() => checkCreateTimeConfig({ ...CURRENT }, CURRENT, "dev")).not.toThrow();
    // A value the deployed stack did not record (added later) has nothing to differ from.
    expect(() => checkCreateTimeConfig({ environmentSuffix: "qa1" }, CURRENT, "dev")).not.toThrow();
  });

  it("refuses another suffix, naming the key, both values, the data it would replace and the way out", () => {
    const refuse = () => checkCreateTimeConfig({ ...CURRENT, environmentSuffix: "dev" }, CURRENT, "dev");
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(
      'Invalid stack config payments-dr:environmentSuffix: stack dev was deployed with "dev", and "qa1" cannot be applied to it: it is in every physical name, so every named resource would be replaced: new, empty databases, tables, buckets and secrets, and the old ones deleted. Set payments-dr:environmentSuffix to "dev" in Pulumi.dev.yaml (the ENVIRONMENT_SUFFIX variable is only the default when the stack\'s config has none), or deploy "qa1" as a new stack.',
    );
  });

  it("refuses another region or VPC range, each with its own reason", () => {
    expect(() => checkCreateTimeConfig({ ...CURRENT, drRegion: "us-west-2" }, CURRENT, "prod")).toThrow(
      /payments-dr:drRegion: stack prod was deployed with "us-west-2", and "us-east-2" cannot be applied to it: every resource of the old region would be created anew/,
    );
    expect(() => checkCreateTimeConfig({ ...CURRENT, vpcCidr: "10.1.0.0/16" }, CURRENT, "prod")).toThrow(/payments-dr:vpcCidr: .*a VPC's range cannot change in place/);
  });
});
