import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr } from "../test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("refuses (exit 2) a failover to a cluster that is not a member of the global cluster, and calls no FailoverGlobalCluster", async () => {
  // us-east-1 down, us-east-2's cluster detached from the global database (runbook: "not a member").
  world.down.add(HOME);
  world.absentMembers.add(DR);
  const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
  const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(new RegExp(`${drRegionOutputs.clusterIdentifier} is not a member of ${primaryRegionOutputs.globalClusterId}: nothing to fail over to`));
  expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toEqual([]);
});
