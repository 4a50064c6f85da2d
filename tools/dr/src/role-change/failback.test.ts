import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr, type DrOptions } from "../test-support";

let world: FakeWorld;

beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);

describe("failback", () => {
  it("refuses while the original primary has not rejoined, and says Aurora adds it back by itself: never primary-region:up, which cannot rebuild it as a secondary", async () => {
    world.writer = DR;
    world.absentMembers.add(HOME);
    const { code, stderr } = await dr(["failback", "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/has not rejoined\. After a failover, Aurora adds it back as a secondary by itself once us-east-1 has recovered: wait \(dr status shows it\), then retry\. Do not run primary-region:up/);
    expect(stderr).not.toMatch(/primary-region:refresh, then up/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("refuses while the original primary is still resynchronizing", async () => {
    world.writer = DR;
    world.syncStatus[HOME] = "pending-resync";
    const { code, stderr } = await dr(["failback", "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    // Its own refusal, before any preflight: it says what to wait for.
    expect(stderr).toMatch(/has rejoined but is still resynchronizing \(pending-resync\): wait, then retry/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("times out on a home /health that never answers 200 with the runbook's advice: writes are down in both regions, switch back to us-east-2 at once", async () => {
    world.writer = DR;
    // The home Lambda never reaches its cluster: its /health stays 503 for role primary, before the move and after it.
    const unreachable = async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: unreachable, [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await dr(["failback", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/us-east-1 holds the writer but its API does not serve it, so writes are down in both regions \(us-east-2's API cannot reach this writer\): move the writer back at once with `dr switchover --to us-east-2`/);
    expect(stderr).not.toMatch(/re-run the same command/);
  });

  it("gives that advice to `dr switchover --to primary` too, the same move by another name", async () => {
    world.writer = DR;
    const unreachable = async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: unreachable, [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await dr(["switchover", "--to", "primary", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/writes are down in both regions \(us-east-2's API cannot reach this writer\): move the writer back at once with `dr switchover --to us-east-2`/);
    expect(stderr).not.toMatch(/re-run the same command/);
  });

  it("switches back to the primary-region stack's region once it has rejoined", async () => {
    world.writer = DR;
    const { code, stdout } = await dr(["failback", "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout)).toMatchObject({ command: "failback", outcome: "done", from: DR, to: HOME });
    expect(calls("SwitchoverGlobalCluster")[0]).toMatchObject({ region: DR, input: { TargetDbClusterIdentifier: primaryRegionOutputs.clusterArn } });
    expect(stdout).not.toMatch(/Region switch plan/);
  });

  it("with the ARC Region switch plan and a failover domain, says that a move away made with the plan must come back with it (DNS would stay on DR)", async () => {
    world.writer = DR;
    const planArn = "arn:aws:arc-region-switch::123456789012:plan/payments-dr-region-switch:abc123";
    const withPlan = stackOutputsDir({
      "primary-region": outputs.primary,
      "dr-region": outputs.dr,
      global: { ...outputs.global, failoverDomain: "pay.example.com", regionSwitchPlanArn: planArn },
    });
    const { code, stdout } = await dr(["failback", "--yes"], { outputs: withPlan });
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toContain(`if the move away from ${HOME} was made with the Region switch plan ${planArn}, move back with the plan instead`);
  });
});
