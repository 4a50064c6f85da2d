import { RefusedError } from "@payments-dr/cli-support";
import { Aws } from "../aws";
import type { Context } from "../context";
import { bothApisUp, DR, FakeClock, FakeWorld, outputs } from "../test-support";
import { Topology } from "../topology";
import { failover, FAILOVER_NEEDS_CONSENT } from "./failover";

// run.ts refuses a failover without --allow-data-loss before it reads the outputs; failover() checks
// again because it is exported (role-change/index): a caller that skipped run.ts must not reach
// FailoverGlobalCluster, which loses the writes not yet replicated.
let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

it("failover() itself refuses without allowDataLoss, before any AWS call or /health probe, even with yes and force", async () => {
  const fetch = bothApisUp(world);
  const topology = new Topology(outputs);
  const ctx: Context = {
    topology,
    aws: new Aws(world.clients(), world.clock),
    fetch,
    clock: world.clock,
    confirm: async () => true,
    log: () => undefined,
    timeoutSeconds: 300,
    pollIntervalMs: 10_000,
    healthTimeoutMs: 50,
    paymentTimeoutMs: 50,
  };
  const call = failover(ctx, topology.resolve(DR), { yes: true, force: true, allowDataLoss: false });
  await expect(call).rejects.toThrow(RefusedError);
  await expect(call).rejects.toThrow(FAILOVER_NEEDS_CONSENT);
  expect(world.calls).toEqual([]);
  expect(world.clientRegions).toEqual([]);
  expect(fetch.urls).toEqual([]);
});
