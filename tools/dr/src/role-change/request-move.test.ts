import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr } from "../test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("a FailoverGlobalCluster AWS refuses is exit 3 with AWS's reason, even when the global cluster cannot be re-read to see whether it started", async () => {
  world.down.add(HOME);
  world.failing.set("rds/FailoverGlobalCluster", () => {
    // From the refusal on, RDS in us-east-2 does not answer either: whether a move is under way is unknown.
    world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    return Object.assign(new Error("Global cluster payments-dr-aurora-dev is not in a valid state"), { name: "InvalidGlobalClusterStateFault" });
  });
  const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
  const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr.split("\n").at(-1)).toBe("dr: FailoverGlobalCluster in us-east-2 failed: InvalidGlobalClusterStateFault: Global cluster payments-dr-aurora-dev is not in a valid state");
  expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toHaveLength(1);
});
