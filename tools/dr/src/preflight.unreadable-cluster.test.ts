import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, FakeWorld, outputs, runDr } from "./test-support";

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("fails (exit 2) the cluster checks when a cluster cannot be described, naming the region and AWS's error, not a status", async () => {
  world.failing.set("rds/DescribeDBClusters", () => Object.assign(new Error(`DBCluster ${drRegionOutputs.clusterIdentifier} not found.`), { name: "DBClusterNotFoundFault" }));
  const { code, stdout } = await runDr(world, ["preflight", "--to", DR, "--json"]);
  expect(code).toBe(EXIT_CODES.refused);
  const checks = JSON.parse(stdout).checks as { name: string; ok: boolean; detail: string }[];
  const detail = `us-east-2: DBClusterNotFoundFault: DBCluster ${drRegionOutputs.clusterIdentifier} not found.`;
  expect(checks).toContainEqual({ name: "target cluster available", ok: false, detail });
  expect(checks).toContainEqual({ name: "engine versions equal", ok: false, detail });
});
