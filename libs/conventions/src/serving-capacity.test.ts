import * as pulumi from "@pulumi/pulumi";
import { checkDrServingCapacity, type ServingCapacity } from "./serving-capacity";

/** The defaults of both regional stacks (each app's Pulumi.dev.yaml). */
const DEFAULTS: ServingCapacity = {
  apiReservedConcurrency: 50,
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  merchantRateLimit: 50,
  merchantBurstLimit: 100,
  dbInstanceClass: "db.r6g.large",
};

describe("the DR region's serving capacity against the primary's (the DR stack's check)", () => {
  it("accepts a DR region alike or larger", () => {
    expect(() => checkDrServingCapacity(DEFAULTS, DEFAULTS, false)).not.toThrow();
    expect(() => checkDrServingCapacity(DEFAULTS, { ...DEFAULTS, apiReservedConcurrency: 80, dbInstanceClass: "db.r7g.xlarge" }, false)).not.toThrow();
  });

  it.each([
    ["apiReservedConcurrency", { apiReservedConcurrency: 49 }, "49 here is below primary-region's 50"],
    ["apiThrottleRateLimit", { throttleRateLimit: 99 }, "99 here is below primary-region's 100"],
    ["apiThrottleBurstLimit", { throttleBurstLimit: 150 }, "150 here is below primary-region's 200"],
    ["merchantRateLimit", { merchantRateLimit: 10 }, "10 here is below primary-region's 50"],
    ["merchantBurstLimit", { merchantBurstLimit: 20 }, "20 here is below primary-region's 100"],
  ])("refuses a DR %s below the primary's, naming the key: it would throttle the primary's traffic after a failover", (key, smaller, problem) => {
    expect(() => checkDrServingCapacity(DEFAULTS, { ...DEFAULTS, ...smaller }, false)).toThrow(
      `Invalid stack config payments-dr:${key}: ${problem}: after a failover this region serves all of the primary's traffic`,
    );
  });

  it("refuses a smaller DR instance class by memory, whatever the family, and names every shortfall at once", () => {
    const primary = { ...DEFAULTS, apiReservedConcurrency: 250, dbInstanceClass: "db.r6g.4xlarge" };
    expect(() => checkDrServingCapacity(primary, { ...DEFAULTS, dbInstanceClass: "db.r7g.2xlarge" }, false)).toThrow(
      /payments-dr:apiReservedConcurrency: 50 here is below primary-region's 250; also dbInstanceClass db\.r7g\.2xlarge \(64 GiB\) here is smaller than primary-region's db\.r6g\.4xlarge \(128 GiB\): .*a larger instance class restarts this region's writer mid-outage.*set payments-dr:drBelowPrimary to true/,
    );
    expect(() => checkDrServingCapacity({ ...DEFAULTS, dbInstanceClass: "db.r6g.xlarge" }, DEFAULTS, false)).toThrow(/payments-dr:dbInstanceClass: db\.r6g\.large \(16 GiB\) here is smaller/);
    // A size the memory table does not know (set with dbMaxConnections) is not compared.
    expect(() => checkDrServingCapacity({ ...DEFAULTS, dbInstanceClass: "db.r6g.metal" }, DEFAULTS, false)).not.toThrow();
  });

  it("only warns, naming every shortfall, when drBelowPrimary says the DR region is smaller on purpose", () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      expect(() => checkDrServingCapacity({ ...DEFAULTS, apiReservedConcurrency: 250, dbInstanceClass: "db.r6g.xlarge" }, DEFAULTS, true)).not.toThrow();
      expect(warn).toHaveBeenCalledWith(
        "drBelowPrimary is set: this region is smaller than primary-region (apiReservedConcurrency 50 here is below primary-region's 250; dbInstanceClass db.r6g.large (16 GiB) here is smaller than primary-region's db.r6g.xlarge (32 GiB)), and after a failover this region serves all of the primary's traffic.",
      );
      warn.mockClear();
      checkDrServingCapacity(DEFAULTS, DEFAULTS, true);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("lets a DR stack deploy, with a warning, against a primary deployed before it exported its capacity (its update may be impossible in an outage)", () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      expect(() => checkDrServingCapacity(undefined, DEFAULTS, false)).not.toThrow();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/primary-region exports no servingCapacity .* Deploy primary-region, then this stack again/));
    } finally {
      warn.mockRestore();
    }
  });
});
