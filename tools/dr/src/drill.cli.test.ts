import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, HOME, outputs, runDr, type DrOptions } from "./test-support";

// `dr drill` through the CLI: what the exit code, stderr and the written report say when a drill
// fails (drill.test.ts judges the drill itself, by calling drill()).
const DRILL_KEY = `pdr_${"0123456789abcdef"}_${"s".repeat(43)}`;
let world: FakeWorld;
let dir: string;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
  dir = mkdtempSync(path.join(tmpdir(), "dr-drill-"));
});
afterEach(() => {
  world.restore();
  rmSync(dir, { recursive: true, force: true });
});

/** Each region's API writes while its cluster is the idle writer, but no payment can be read back: every acknowledged one is lost. */
function apisThatLoseEveryPayment(): DrOptions["fetch"] {
  let n = 0;
  const api = (region: string, apiUrl: string) => ({
    [`${apiUrl}/payments/`]: async () => ({ status: 404, body: "" }),
    [`${apiUrl}/payments`]: async () => {
      if (world.writer !== region || world.status !== "available") return { status: 503, body: "" };
      n += 1;
      return { status: 201, body: JSON.stringify({ id: `pay_${n}` }) };
    },
  });
  return fakeFetch({
    [primaryRegionOutputs.healthUrl]: world.health(HOME),
    [drRegionOutputs.healthUrl]: world.health(DR),
    ...api(HOME, primaryRegionOutputs.apiUrl),
    ...api(DR, drRegionOutputs.apiUrl),
  });
}

it("a drill that loses payments exits 3, says why on stderr and writes its report to --report (its directory made)", async () => {
  const report = path.join(dir, "evidence", "drill.md");
  const { code, stdout, stderr } = await runDr(world, ["drill", "--yes", "--settle", "10", "--report", report], { drillApiKey: DRILL_KEY, fetch: apisThatLoseEveryPayment() });
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr.split("\n").at(-1)).toMatch(/^dr: drill failed: \d+ acknowledged payment\(s\) could not be read back \(a switchover must lose none\)/);
  expect(stdout).toMatch(/FAILED/);
  expect(stdout).toContain(report);
  expect(readFileSync(report, "utf8")).toMatch(/Result: \*\*FAILED\*\*[\s\S]*## Lost payments \(Idempotency-Key\)/);
  // The drill still brought the writer home.
  expect(world.writer).toBe(HOME);
});

it("a drill whose switchover fails while RDS stops answering says the writer is unknown and how to bring it home (exit 3), in the step's own words (no error class name)", async () => {
  world.failing.set("rds/SwitchoverGlobalCluster", () => {
    world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" }));
    return Object.assign(new Error("The global cluster is not in a valid state"), { name: "InvalidGlobalClusterStateFault" });
  });
  const report = path.join(dir, "drill.md");
  const { code, stderr } = await runDr(world, ["drill", "--yes", "--settle", "10", "--report", report], { drillApiKey: DRILL_KEY, fetch: apisThatLoseEveryPayment() });
  expect(code).toBe(EXIT_CODES.failed);
  expect(stderr.split("\n").at(-1)).toMatch(
    /^dr: drill failed: SwitchoverGlobalCluster in us-east-1 failed: InvalidGlobalClusterStateFault: .*; the writer is unknown: check `dr status`, then move it home with `dr failback` \(docs\/runbook\.md, Failback\)/,
  );
  expect(readFileSync(report, "utf8")).toContain("the writer is unknown");
});
