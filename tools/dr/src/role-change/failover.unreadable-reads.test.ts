import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr } from "../test-support";

// During an outage the reads a failover only informs itself with may be denied or broken (a
// break-glass role without CloudWatch or Lambda reads): they are said to be unknown, and the
// failover still goes on.
let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
  world.down.add(HOME);
});
afterEach(() => world.restore());

const fetchWithPrimaryDown = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });

it("fails over when CloudWatch cannot be read: the RPO estimate is unknown, with why, and there is no outage clock", async () => {
  world.metricDataStatus = "Forbidden";
  const { code, stdout, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch: fetchWithPrimaryDown() });
  expect(code).toBe(EXIT_CODES.ok);
  expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toHaveLength(1);
  const result = JSON.parse(stdout);
  expect(result.rpoEstimate).toMatchObject({ seconds: null, observedAt: null, source: expect.stringMatching(/^unreadable: GetMetricData of AuroraGlobalDBRPOLag in us-east-2 answered Forbidden \(Forbidden: Insufficient permissions/) });
  expect(stderr).toMatch(/the probe of the primary's \/health from us-east-2 is unreadable \(GetMetricData of .* answered Forbidden.*\): no outage clock/);
  expect(stderr).toMatch(/last replication lag seen: unknown s/);
});

it("fails over when the target's Lambda concurrency cannot be read, saying whether it is fenced is unknown", async () => {
  world.failing.set("lambda/GetFunctionConcurrency", () => Object.assign(new Error("User is not authorized to perform: lambda:GetFunctionConcurrency"), { name: "AccessDeniedException" }));
  const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetchWithPrimaryDown() });
  expect(code).toBe(EXIT_CODES.ok);
  expect(stderr).toMatch(/could not read whether us-east-2 is fenced \(.*lambda:GetFunctionConcurrency.*\); going on/);
  expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toHaveLength(1);
});
