import { EXIT_CODES } from "@payments-dr/cli-support";
import { DR, FakeClock, FakeWorld, outputs, runDr } from "./test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("refuses (exit 2) while the home region's Route 53 check is inverted alone: Route 53 reads its /health backwards", async () => {
  world.invertedHealthChecks.add(outputs.global.primaryHealthCheckId);
  const { code, stdout } = await runDr(world, ["preflight", "--to", DR, "--json"]);
  expect(code).toBe(EXIT_CODES.refused);
  expect(JSON.parse(stdout).checks).toContainEqual({
    name: "Route 53 check of us-east-1 enabled, not inverted",
    ok: false,
    detail: `inverted: Route 53 reads its /health backwards (aws route53 update-health-check --health-check-id ${outputs.global.primaryHealthCheckId} --no-disabled --no-inverted)`,
  });
});
