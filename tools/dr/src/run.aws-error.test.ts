import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr } from "./test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("an AWS error no command handles (a break-glass role denied DescribeGlobalClusters) is exit 3 with AWS's own words on one line, and nothing moves", async () => {
  world.down.add(HOME);
  world.failing.set("rds/DescribeGlobalClusters", () =>
    Object.assign(new Error("User: arn:aws:sts::123456789012:assumed-role/break-glass/oncall is not authorized to perform: rds:DescribeGlobalClusters"), { name: "AccessDenied" }),
  );
  const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
  const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr).toBe("dr: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/break-glass/oncall is not authorized to perform: rds:DescribeGlobalClusters");
  expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toEqual([]);
});
