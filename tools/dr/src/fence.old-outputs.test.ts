import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr } from "./test-support";

// Outputs saved before the stacks exported lambdaName and healthLambdaName (an old artifact kept for on-call).
let world: FakeWorld;
let old: string;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
  const withoutFunctions = <T extends { lambdaName?: string; healthLambdaName?: string }>({ lambdaName: _l, healthLambdaName: _h, ...rest }: T) => rest;
  old = stackOutputsDir({ "primary-region": withoutFunctions(outputs.primary), "dr-region": withoutFunctions(outputs.dr), global: outputs.global });
});
afterEach(() => world.restore());

it("fence refuses (exit 2) and asks for fresh outputs, calling no Lambda API", async () => {
  const { code, stderr } = await runDr(world, ["fence", "--region", HOME, "--yes"], { outputs: old });
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toBe("dr: the primary-region outputs name no lambdaName or healthLambdaName (saved before they existed): read fresh outputs (--outputs DIR, or the stacks)");
  expect(world.calls.filter((c) => c.service === "lambda")).toEqual([]);
});

it("failover still goes on: with no functions named there is no fence to check in the target region", async () => {
  world.down.add(HOME);
  const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
  const { code } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { outputs: old, fetch });
  expect(code).toBe(EXIT_CODES.ok);
  expect(world.calls.filter((c) => c.service === "lambda")).toEqual([]);
  expect(world.writer).toBe(DR);
});
