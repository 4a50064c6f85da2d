import { EXIT_CODES } from "@payments-dr/cli-support";
import { primaryRegionOutputs } from "@payments-dr/synth";
import { FakeClock, FakeWorld, HOME, outputs, runDr } from "./test-support";

const TAG = "payments-dr:fence-restore";
let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("unfence refuses (exit 2), changing nothing, when a fenced function's restore tag is neither a number nor none (edited by hand)", async () => {
  expect((await runDr(world, ["fence", "--region", HOME, "--yes"])).code).toBe(EXIT_CODES.ok);
  const api = world.functions[primaryRegionOutputs.lambdaName]!;
  api.tags[TAG] = "fifty";
  const changesBefore = world.calls.filter((c) => /^(Put|Delete)FunctionConcurrency$|^(Un)?[Tt]agResource$/.test(c.command)).length;
  const { code, stderr } = await runDr(world, ["unfence", "--region", HOME, "--yes"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(stderr).toMatch(new RegExp(`${primaryRegionOutputs.lambdaName}'s ${TAG} tag is "fifty": neither a positive number nor none, so the value to restore is unknown; nothing changed`));
  expect(world.calls.filter((c) => /^(Put|Delete)FunctionConcurrency$|^(Un)?[Tt]agResource$/.test(c.command))).toHaveLength(changesBefore);
  expect(api.reserved).toBe(0);
  expect(world.functions[primaryRegionOutputs.healthLambdaName]!.reserved).toBe(0);
});
