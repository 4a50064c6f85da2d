import { EXIT_CODES } from "@payments-dr/cli-support";
import { DR, FakeClock, FakeWorld, HOME, outputs, runDr } from "../test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("refuses (exit 2) a switchover while a move towards the other region is in progress, and requests nothing", async () => {
  world.writer = DR;
  world.startMove(HOME);
  const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(/a switching-over towards us-east-1 is in progress: wait for it \(dr status\), then decide/);
  expect(world.calls.filter((c) => c.command === "SwitchoverGlobalCluster" || c.command === "FailoverGlobalCluster")).toEqual([]);
});
