import { EXIT_CODES } from "@payments-dr/cli-support";
import { validateStatusReport } from "./status-schema";
import { FakeClock, FakeWorld, outputs, runDr } from "./test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("still reports (exit 0) when neither region's RDS answers: the global cluster shows the last error, roles unknown, the rest as read", async () => {
  world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("connect ETIMEDOUT rds.us-east-1.amazonaws.com:443"), { name: "TimeoutError" }));
  const json = await runDr(world, ["status", "--json"]);
  expect(json.code).toBe(EXIT_CODES.ok);
  const report = JSON.parse(json.stdout);
  expect(validateStatusReport(report)).toEqual([]);
  expect(report.globalCluster.error).toBe("TimeoutError: connect ETIMEDOUT rds.us-east-1.amazonaws.com:443");
  expect(report.regions.map((r: { role: string }) => r.role)).toEqual(["unknown", "unknown"]);
  // Both regions were asked, the DR region first.
  expect(world.calls.filter((c) => c.command === "DescribeGlobalClusters").map((c) => c.region)).toEqual(["us-east-2", "us-east-1"]);

  const human = await runDr(world, ["status"]);
  expect(human.code).toBe(EXIT_CODES.ok);
  expect(human.stdout).toMatch(/global cluster payments-dr-aurora-\S+: error: TimeoutError: connect ETIMEDOUT/);
});
