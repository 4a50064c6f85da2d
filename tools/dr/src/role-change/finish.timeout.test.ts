import { EXIT_CODES } from "@payments-dr/cli-support";
import { DR, FakeClock, FakeWorld, outputs, runDr } from "../test-support";

// A re-run after a timeout finds the target the writer: "already done" waits for its cluster, and a
// wait that times out says what it last saw, so on-call knows whether to wait or look elsewhere.
let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
  world.writer = DR;
});
afterEach(() => world.restore());

it("times out (exit 4) naming the cluster's last status when the new writer's cluster never becomes available", async () => {
  world.clusterStatus[DR] = "modifying";
  const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes", "--timeout", "60"]);
  expect(code).toBe(EXIT_CODES.timedOut);
  expect(stderr).toMatch(/timed out waiting for payments-dr-aurora-use2-\S+ to be available \(last seen: status modifying\); it may still complete: re-run the same command/);
});

it("times out (exit 4) naming the last error when the cluster cannot be read at all", async () => {
  world.failing.set("rds/DescribeDBClusters", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
  const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes", "--timeout", "60"]);
  expect(code).toBe(EXIT_CODES.timedOut);
  expect(stderr).toMatch(/to be available \(last seen: error: ThrottlingException: Rate exceeded\)/);
});
