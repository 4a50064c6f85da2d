import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AWS_CALL_LIMITS, EXIT_CODES, RefusedError } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { Aws } from "../aws";
import type { Context } from "../context";
import { bothApisUp, DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr, type DrOptions } from "../test-support";
import { HEALTH_TIMEOUT_MS, POLL_INTERVAL_MS } from "../thresholds";
import { Topology } from "../topology";
import { failover, FAILOVER_NEEDS_CONSENT } from "./failover";

let clock: FakeClock;
let world: FakeWorld;

beforeEach(() => {
  clock = new FakeClock();
  world = new FakeWorld(outputs, clock);
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);

describe("failover", () => {
  it("refuses a failover when the writer is none of the clusters the outputs name (stale outputs: the old writer's /health cannot be asked), unless --force", async () => {
    const stale = stackOutputsDir({
      "primary-region": { ...outputs.primary, clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:payments-dr-aurora-use1-old" },
      "dr-region": outputs.dr,
      global: outputs.global,
    });
    const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { outputs: stale });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/is none of the clusters the stacks' outputs name: the outputs read are stale/);
    expect(calls("FailoverGlobalCluster")).toHaveLength(0);

    const forced = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--force"], { outputs: stale });
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(calls("FailoverGlobalCluster")).toEqual([expect.objectContaining({ region: DR, input: expect.objectContaining({ TargetDbClusterIdentifier: drRegionOutputs.clusterArn, AllowDataLoss: true }) })]);
  });

  it("refuses a failover to the region that holds the writer while its /health fails, and suggests the other region (no wait to the timeout)", async () => {
    // us-east-1's API is down (its /health 503), while its RDS API still answers.
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 503, body: "" }), [drRegionOutputs.healthUrl]: healthy });
    const started = clock.now().getTime();
    const { code, stderr } = await dr(["failover", "--to", "primary", "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/us-east-1 already holds the writer, and its .* answers .* while us-east-2's answers 200: a failover moves the writer away from a failed region\. Did you mean `dr failover --to us-east-2 --allow-data-loss`\?/);
    expect(clock.now().getTime() - started).toBeLessThan(60_000);
  });

  it("gives that hint too while the other region's /health answers 429 (its edge is up, rate-limited under a flood): no 300 s wait on the wrong region", async () => {
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 503, body: "" }), [drRegionOutputs.healthUrl]: async () => ({ status: 429, body: "" }) });
    const started = clock.now().getTime();
    const { code, stderr } = await dr(["failover", "--to", "primary", "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/while us-east-2's answers 429: .*Did you mean `dr failover --to us-east-2 --allow-data-loss`\?/);
    expect(clock.now().getTime() - started).toBeLessThan(60_000);
  });

  describe("re-run after a failover that timed out waiting for the new writer to serve (exit 4 says: re-run the same command)", () => {
    beforeEach(() => {
      world.down.add(HOME);
      world.writer = DR; // the move is complete; us-east-1, the region lost, answers nothing
    });

    it("waits for the new writer's /health instead of refusing it as the failed region, and moves nothing", async () => {
      let drHealthAsked = 0;
      const fetch = fakeFetch({
        [primaryRegionOutputs.healthUrl]: world.health(HOME),
        [drRegionOutputs.healthUrl]: async () => (++drHealthAsked <= 2 ? { status: 503, body: "" } : { status: 200, body: JSON.stringify({ status: "ok", role: "dr" }) }),
      });
      const { code, stdout, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
      expect(stderr).not.toMatch(/Did you mean/);
      expect(code).toBe(EXIT_CODES.ok);
      expect(stdout).toMatch(/us-east-2 is already the writer: no role change needed/);
      expect(drHealthAsked).toBeGreaterThan(2);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("times out again (exit 4) while it never serves, saying to look at its Lambda, not to fail over to the region lost", async () => {
      const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: async () => ({ status: 503, body: "" }) });
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--timeout", "30"], { fetch });
      expect(code).toBe(EXIT_CODES.timedOut);
      expect(stderr).not.toMatch(/Did you mean/);
      expect(stderr).toMatch(/look at us-east-2's Lambda now/);
      // Neither region answers here: it may also be the wrong region typed, so the other command is named too.
      expect(stderr).toMatch(/if you meant to move the writer away from us-east-2: `dr failover --to us-east-1 --allow-data-loss`/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });
  });

  it("a re-run that finds the target already named writer while AWS still finishes the failover waits for its /health instead of refusing it as the failed region", async () => {
    world.down.add(HOME);
    world.startMove(DR, "failing-over", true);
    world.writer = DR; // RDS names the new writer before its FailoverState clears
    let drHealthAsked = 0;
    const fetch = fakeFetch({
      [primaryRegionOutputs.healthUrl]: world.health(HOME),
      // us-east-2's API does not answer 200 until the promotion is through.
      [drRegionOutputs.healthUrl]: async () => (++drHealthAsked <= 2 ? { status: 503, body: "" } : { status: 200, body: JSON.stringify({ status: "ok", role: "dr" }) }),
    });
    const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(stderr).not.toMatch(/already holds the writer, and its/);
    expect(code).toBe(EXIT_CODES.ok);
    expect(drHealthAsked).toBeGreaterThan(2);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
  });

  it("a failover re-run that finds the move under way still ends with the clear-sessions step", async () => {
    world.startMove(DR, "failing-over", true);
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(/failover us-east-1 → us-east-2: done \(waited for the move already in progress\)/);
    expect(stdout).toMatch(/next: delete the sessions of the payments the failover may have lost .*dr:clear-sessions -- --region us-east-2 --since </);
  });

  it("refuses without --allow-data-loss and calls nothing", async () => {
    const { code, stderr } = await dr(["failover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/--allow-data-loss/);
    expect(world.calls).toEqual([]);
  });

  it("never constructs a client for the failed region, records the lag as the RPO estimate, fails over with AllowDataLoss", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.clientRegions.length).toBeGreaterThan(0);
    expect(world.clientRegions.filter((c) => c.region !== DR)).toEqual([]);
    expect(world.calls.filter((c) => c.region !== DR)).toEqual([]);
    // Outside the target region it only asked the failed region's API for /health (no answer): no AWS API.
    expect(fetch.urls.filter((u) => !u.startsWith(drRegionOutputs.apiUrl))).toEqual([primaryRegionOutputs.healthUrl]);
    expect(calls("FailoverGlobalCluster")).toEqual([
      expect.objectContaining({
        region: DR,
        input: { GlobalClusterIdentifier: primaryRegionOutputs.globalClusterId, TargetDbClusterIdentifier: drRegionOutputs.clusterArn, AllowDataLoss: true },
      }),
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: "done", from: HOME, to: DR, rpoEstimate: { seconds: 0.8 } });
  });

  it("fails back over to us-east-1 when us-east-2 holds the writer and is down, calling nothing in us-east-2 (its probe of the primary lives there: not read)", async () => {
    world.writer = DR;
    world.down.add(DR);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: healthy, [drRegionOutputs.healthUrl]: world.health(DR) });
    const { code } = await dr(["failover", "--to", HOME, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(HOME);
    expect(world.clientRegions.filter((c) => c.region !== HOME)).toEqual([]);
    expect(world.calls.filter((c) => c.region !== HOME)).toEqual([]);
  });

  it("dates the outage from the DR region's probe of the primary and says when the promised RTO runs out from there (its --timeout counts from the confirmation)", async () => {
    world.down.add(HOME);
    world.probeValues = [0, 0, 0, 0, 1, 1];
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    // Started at 09:00:00; the oldest of the four failed probes in a row, 40 s before.
    expect(stdout).toContain(
      "the primary's /health has failed every probe from us-east-2 since 2025-06-02T08:59:20.000Z (40 s ago): the promised 300 s RTO runs out at 2025-06-02T09:04:20.000Z",
    );
    // Read in the DR region, far enough back to date an outage that spent the promise twice over.
    const probeReads = calls("GetMetricData").filter((c) => (c.input as { MetricDataQueries: { Id: string }[] }).MetricDataQueries[0]!.Id === "probe");
    expect(probeReads.map((c) => c.region)).toEqual([DR]);
    const { StartTime, EndTime } = probeReads[0]!.input as { StartTime: Date; EndTime: Date };
    expect(EndTime.getTime() - StartTime.getTime()).toBe(600_000);
  });

  it("says when every probe it can see failed (the outage began before them), and when the probe saw the primary pass last", async () => {
    world.down.add(HOME);
    world.probeValues = [0, 0, 0];
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    expect((await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() })).stdout).toContain(
      "for at least 30 s (since before 2025-06-02T08:59:30.000Z): the promised 300 s RTO may already be spent",
    );
    world.writer = HOME;
    world.probeValues = [1, 0, 0];
    expect((await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--force"], { fetch: fetch() })).stdout).toContain("saw the primary's /health pass last");
  });

  it("refuses when the primary does not answer this machine but the DR region's probe saw it pass moments ago (a VPN or DNS failure here must not split writes); --force goes on", async () => {
    // No answer here (this machine's network), while from inside AWS the probe saw /health pass 10 s ago.
    world.probeValues = [1, 1, 1];
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } })), [drRegionOutputs.healthUrl]: healthy });
    const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/us-east-1's .*\/health did not answer here \(.*\), but the probe from us-east-2 saw it pass 10 s ago: its API may still be writing.*Check this machine's network and `dr status` .*; if us-east-1 is down, re-run with --force/);
    expect(calls("FailoverGlobalCluster")).toHaveLength(0);

    const forced = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--force"], { fetch: fetch() });
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(forced.stdout).toContain("the probe from us-east-2 saw us-east-1's /health pass 10 s ago; going on (--force)");
  });

  it("refuses when the primary's /health answers here but not from its function (WAF's 403 to this machine) while the probe saw it pass moments ago; goes on once the probe sees it fail", async () => {
    world.probeValues = [1, 1, 1];
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 403, body: JSON.stringify({ message: "Forbidden" }) }), [drRegionOutputs.healthUrl]: healthy });
    const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/us-east-1's .*\/health answered here HTTP 403, not from its function \(a gateway or WAF answer\), but the probe from us-east-2 saw it pass 10 s ago: its API may still be writing/);
    expect(calls("FailoverGlobalCluster")).toEqual([]);

    // Fenced (or down): the probe's newest datapoint is a failure, and the gateway's 5xx stands.
    world.probeValues = [0, 1, 1];
    const gateway5xx = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 500, body: JSON.stringify({ message: "Internal server error" }) }), [drRegionOutputs.healthUrl]: healthy });
    const goesOn = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: gateway5xx });
    expect(goesOn.code).toBe(EXIT_CODES.ok);
    expect(calls("FailoverGlobalCluster")).toHaveLength(1);
  });

  it("takes a probe pass stamped after this machine's clock (CloudWatch's clock ahead) as a pass just now: refused, 0 s ago, never a negative age", async () => {
    world.probeValues = [1, 1, 1];
    world.probeClockAheadMs = 30_000;
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => Promise.reject(new TypeError("fetch failed")), [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/but the probe from us-east-2 saw it pass 0 s ago/);
  });

  it("a probe pass vouches for the primary for 60 s, that one included: refused at 60 s, goes on at 61 s", async () => {
    world.probeValues = [1, 1, 1];
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => Promise.reject(new TypeError("fetch failed")), [drRegionOutputs.healthUrl]: healthy });
    world.probeClockAheadMs = -50_000; // the newest pass 60 s before this machine's now
    const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/but the probe from us-east-2 saw it pass 60 s ago/);
    expect(calls("FailoverGlobalCluster")).toEqual([]);

    // Older, with nothing since: the probe has stopped, which cannot tell either.
    world.probeClockAheadMs = -51_000;
    const silent = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() });
    expect(silent.code).toBe(EXIT_CODES.refused);
    expect(silent.stderr).toMatch(/but the probe from us-east-2 has seen nothing since a pass 61 s ago: whether its API still writes cannot be told from here/);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
  });

  describe("when the primary does not answer here and the probe cannot tell (a silent probe and this machine's own network fault must not split writes)", () => {
    const noAnswer = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => Promise.reject(new TypeError("fetch failed")), [drRegionOutputs.healthUrl]: healthy });

    it("refuses when the probe has no datapoint in its window (it stopped); --force goes on and says why it could", async () => {
      world.probeValues = [];
      const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: noAnswer() });
      expect(refused.code).toBe(EXIT_CODES.refused);
      expect(refused.stderr).toMatch(
        /us-east-1's .*\/health did not answer here \(.*\), but the probe from us-east-2 has no datapoint of the primary's \/health in the last 600 s: whether its API still writes cannot be told from here.*Check `dr status` from another network \(Route 53's checks of us-east-1\) and why the probe is silent \(its alarm in us-east-2\); if us-east-1 is down, re-run with --force/,
      );
      expect(calls("FailoverGlobalCluster")).toEqual([]);

      const forced = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--force"], { fetch: noAnswer() });
      expect(forced.code).toBe(EXIT_CODES.ok);
      expect(forced.stdout).toContain("the probe from us-east-2 has no datapoint of the primary's /health in the last 600 s; going on (--force)");
      expect(calls("FailoverGlobalCluster")).toHaveLength(1);
    });

    it("refuses when the probe's metric cannot be read, pointing at this machine's access to it (the probe's alarm would be green)", async () => {
      world.metricDataStatus = "Forbidden";
      const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: noAnswer() });
      expect(refused.code).toBe(EXIT_CODES.refused);
      expect(refused.stderr).toMatch(/but the probe from us-east-2 is unreadable \(GetMetricData of .* answered Forbidden.*\): whether its API still writes cannot be told from here/);
      expect(refused.stderr).toMatch(/this machine's access to the probe's metric \(cloudwatch:GetMetricData in us-east-2\); if us-east-1 is down, re-run with --force/);
      expect(refused.stderr).not.toMatch(/why the probe is silent/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("refuses when the probe's newest datapoint is a failure older than a minute, with nothing since (a probe that stopped says nothing of the region since)", async () => {
      world.probeValues = [0, 0, 0];
      world.probeClockAheadMs = -51_000; // the newest failure 61 s before this machine's now
      const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: noAnswer() });
      expect(refused.code).toBe(EXIT_CODES.refused);
      expect(refused.stderr).toMatch(/but the probe from us-east-2 has seen nothing since a failure 61 s ago: whether its API still writes cannot be told from here/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);

      world.probeClockAheadMs = -50_000; // 60 s: fresh enough
      expect((await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: noAnswer() })).code).toBe(EXIT_CODES.ok);
    });

    it("goes on without --force once the probe's newest datapoints are failures", async () => {
      world.probeValues = [0, 0, 1];
      expect((await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: noAnswer() })).code).toBe(EXIT_CODES.ok);
      expect(calls("FailoverGlobalCluster")).toHaveLength(1);
    });
  });

  it("prints the exact clear-sessions command for the sessions of lost payments, deleting none itself: --since = its start − the lag − 15 min", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    // Started at 09:00:00 with 0.8 s of lag last seen: 09:00:00 − 0.8 s − 15 min, down to the second.
    expect(stdout).toMatch(/RPO estimate: last lag seen 0.8 s at 2025-06-02T08:59:00.000Z/);
    // Where on-call finds the lost payments: the snapshot, the scripts that list them, and the runbook's section.
    expect(stdout).toContain("rds:unplanned-global-failover-*, if Aurora could take it, and listed with libs/payment-lambda/sql/lost-payments-*.sql (docs/runbook.md, The lost writes may be recoverable)");
    expect(stdout).toContain("next: delete the sessions of the payments the failover may have lost (GETs answer them until then): npx nx run dr:clear-sessions -- --region us-east-2 --since 2025-06-02T08:44:59.000Z");
    // In the timeline too, before the move: a move that times out prints no result lines.
    expect(stdout).toMatch(/sessions of payments created since 2025-06-02T08:44:59.000Z may name lost payments/);
    expect(world.calls.filter((c) => c.service === "dynamodb")).toEqual([]);
  });

  it("gives that --since in its JSON too, as rpoEstimate.lostSince", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch });
    expect(JSON.parse(stdout).rpoEstimate).toMatchObject({ seconds: 0.8, observedAt: "2025-06-02T08:59:00.000Z", lostSince: "2025-06-02T08:44:59.000Z" });
  });

  it("takes that --since down to the second, never up: a later start would leave the sessions of the first lost payments", async () => {
    world.down.add(HOME);
    world.lagMs = 300; // 09:00:00 − 0.3 s − 15 min = 08:44:59.7
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch });
    expect(JSON.parse(stdout).rpoEstimate).toMatchObject({ seconds: 0.3, lostSince: "2025-06-02T08:44:59.000Z" });
  });

  it("without a lag reading, still reaches 15 min back: the lag reading cannot date the lost writes anyway", async () => {
    world.down.add(HOME);
    world.secondarySince[DR] = clock.now().getTime(); // no datapoint in the lookback
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toContain("npx nx run dr:clear-sessions -- --region us-east-2 --since 2025-06-02T08:45:00.000Z");
  });

  it("refuses, calling nothing that changes anything, while the writer's region still answers /health 200 (split writes), and points at switchover and --force", async () => {
    const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/us-east-1 still answers .*\/health with 200.*dr switchover.*--force/s);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
    expect(world.writer).toBe(HOME);
  });

  it("with --force, fails over although the writer's /health answers 200, and says so in its timeline", async () => {
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--force", "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(calls("FailoverGlobalCluster")).toHaveLength(1);
    expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/us-east-1 still answers \/health 200; going on \(--force\)/));
  });

  it("refuses as well while the writer's /health answers 429 (rate-limited by WAF under a flood): its region's edge is up and it may still write; --force goes on", async () => {
    const limited = async () => ({ status: 429, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/rate-limited", status: 429 }) });
    const fetch = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: limited, [drRegionOutputs.healthUrl]: healthy });
    const refused = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/us-east-1 answers .*\/health with 429.*Route 53 health check.*--force/s);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
    const forced = await dr(["failover", "--to", DR, "--allow-data-loss", "--force", "--yes", "--json"], { fetch: fetch() });
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(forced.stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/us-east-1 answers \/health 429 \(rate-limited\); going on \(--force\)/));
  });

  it("goes on when the writer's /health answers 503 (its database down) without --force, even while the probe saw it pass moments ago: an answer is the region's own word", async () => {
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) }), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(calls("FailoverGlobalCluster")).toHaveLength(1);
    // Not both refreshes chained: the failed region's would fail first and stop the other.
    expect(stdout).toMatch(/next: refresh the stack of us-east-2 now, the other region's once that region answers \(npx nx run <app>:refresh, or the deploy workflow run by hand with command refresh;/);
  });

  it("says, in its timeline and its confirmation, that the home region's own 503 with the lag at managed RPO's floor or past it may be managed RPO blocking its commits, and what waiting costs if not", async () => {
    world.lagMs = 25_000;
    const notWritable = async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: notWritable, [drRegionOutputs.healthUrl]: healthy });
    // Without a terminal the refusal quotes the question it could not ask.
    const declined = await dr(["failover", "--to", DR, "--allow-data-loss"], { fetch });
    expect(declined.code).toBe(EXIT_CODES.refused);
    expect(declined.stderr).toMatch(
      /if primary-region sets managedRpoSeconds \(20 s or more; this lag is 25 s\), us-east-1's 503 may be Aurora blocking its commits until us-east-2 catches up: then `dr status` shows the lag falling, and waiting loses nothing; if its database is down, waiting only spends the RTO\. Fail the Aurora global writer over to us-east-2/,
    );
    expect(calls("FailoverGlobalCluster")).toEqual([]);

    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(/us-east-1's 503 may be Aurora blocking its commits/);
  });

  it("says nothing of managed RPO below its floor, or towards the home region (the DR stack refuses managedRpoSeconds)", async () => {
    world.lagMs = 15_000;
    const answers = (role: string) => async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role }) });
    const low = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fakeFetch({ [primaryRegionOutputs.healthUrl]: answers("primary"), [drRegionOutputs.healthUrl]: healthy }) });
    expect(low.code).toBe(EXIT_CODES.ok);
    expect(low.stdout).not.toMatch(/managedRpoSeconds/);

    world.lagMs = 90_000;
    const back = await dr(["failover", "--to", HOME, "--allow-data-loss", "--yes"], { fetch: fakeFetch({ [drRegionOutputs.healthUrl]: answers("dr"), [primaryRegionOutputs.healthUrl]: healthy }) });
    expect(back.code).toBe(EXIT_CODES.ok);
    expect(back.stdout).not.toMatch(/managedRpoSeconds/);
  });

  describe("with us-east-1 down", () => {
    const drOnly = () => fakeFetch({ [drRegionOutputs.healthUrl]: healthy });
    beforeEach(() => world.down.add(HOME));

    it("refuses while the target cluster is not available, calling no FailoverGlobalCluster", async () => {
      world.clusterStatus[DR] = "modifying";
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.refused);
      expect(stderr).toMatch(/is modifying, not available/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("refuses while a move towards the other region is under way", async () => {
      world.writer = DR;
      world.startMove(HOME, "switching-over");
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.refused);
      expect(stderr).toMatch(/towards us-east-1 is in progress/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("waits for the move when FailoverGlobalCluster's answer is lost after AWS started it: exit 0, one call, still nothing asked of the failed region", async () => {
      world.answerLost = true;
      const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.ok);
      expect(world.writer).toBe(DR);
      expect(calls("FailoverGlobalCluster")).toHaveLength(1);
      expect(world.clientRegions.filter((c) => c.region !== DR)).toEqual([]);
      expect(world.calls.filter((c) => c.region !== DR)).toEqual([]);
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/FailoverGlobalCluster in us-east-2 answered .*under way/));
    });

    it("waits too when that lost answer hides a move already complete: the target is the writer and nothing is in progress any more (exit 0, not 3)", async () => {
      world.failing.set("rds/FailoverGlobalCluster", () => {
        world.writer = DR; // AWS moved the writer; its answer never came
        return Object.assign(new Error("socket hang up: no response within 10000 ms"), { name: "TimeoutError" });
      });
      const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.ok);
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/FailoverGlobalCluster in us-east-2 answered .*under way/));
    });

    it("does not wait for the global cluster to settle: with us-east-1 down AWS may keep its FailoverState (demoting the old primary) after it names us-east-2 the writer", async () => {
      const original = world.advanceMove.bind(world);
      world.advanceMove = () => {
        original();
        if (world.writer === DR) {
          world.status = "failing-over";
          world.operation = { Status: "failing-over", FromDbClusterArn: world.clusterArnOf(HOME), ToDbClusterArn: world.clusterArnOf(DR), IsDataLossAllowed: true };
        }
      };
      const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.ok);
      expect(JSON.parse(stdout)).toMatchObject({ outcome: "done", to: DR });
    });

    it("is already done when the target holds the writer: exit 0, no second FailoverGlobalCluster", async () => {
      world.writer = DR;
      const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.ok);
      expect(JSON.parse(stdout).outcome).toBe("already-done");
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("asks for confirmation like every move: without --yes and without a terminal it refuses, calling nothing", async () => {
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.refused);
      expect(stderr).toMatch(/pass --yes/);
      expect(calls("FailoverGlobalCluster")).toEqual([]);
    });

    it("counts its timeout from the confirmation, not from the start of the command", async () => {
      const { code } = await dr(["failover", "--to", DR, "--allow-data-loss", "--timeout", "60"], {
        fetch: drOnly(),
        isTTY: true,
        ask: async () => {
          await clock.sleep(120_000);
          return "yes";
        },
      });
      expect(code).toBe(EXIT_CODES.ok);
      expect(world.writer).toBe(DR);
    });

    it("is a failure (exit 3) when AWS refuses the failover and nothing moves", async () => {
      world.refuseMoves = true;
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: drOnly() });
      expect(code).toBe(EXIT_CODES.failed);
      expect(stderr).toMatch(/FailoverGlobalCluster in us-east-2 failed: .*not in a valid state/);
      expect(world.writer).toBe(HOME);
    });

    // During an outage the reads a failover only informs itself with may be denied or broken (a
    // break-glass role without CloudWatch or Lambda reads): they are said to be unknown, and the
    // failover still goes on.
    describe("when the reads it only informs itself with are denied or broken", () => {
      const fetchWithPrimaryDown = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });

      // Without --force it is refused: the probe's metric, unreadable, cannot say us-east-1 is down (above).
      it("fails over with --force when CloudWatch cannot be read: the RPO estimate is unknown, with why, and there is no outage clock", async () => {
        world.metricDataStatus = "Forbidden";
        const { code, stdout, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes", "--force", "--json"], { fetch: fetchWithPrimaryDown() });
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
    });
  });

  it("refuses --force on any other command", async () => {
    const { code, stderr } = await dr(["switchover", "--to", DR, "--force", "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/--force does not apply to switchover; it is for failover/);
  });

  it("refuses (exit 2) a failover to a cluster that is not a member of the global cluster, and calls no FailoverGlobalCluster", async () => {
    // us-east-1 down, us-east-2's cluster detached from the global database (runbook: "not a member").
    world.down.add(HOME);
    world.absentMembers.add(DR);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(new RegExp(`${drRegionOutputs.clusterIdentifier} is not a member of ${primaryRegionOutputs.globalClusterId}: nothing to fail over to`));
    expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toEqual([]);
  });

  it("a FailoverGlobalCluster AWS refuses is exit 3 with AWS's reason, even when the global cluster cannot be re-read to see whether it started", async () => {
    world.down.add(HOME);
    world.failing.set("rds/FailoverGlobalCluster", () => {
      // From the refusal on, RDS in us-east-2 does not answer either: whether a move is under way is unknown.
      world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
      return Object.assign(new Error("Global cluster payments-dr-aurora-dev is not in a valid state"), { name: "InvalidGlobalClusterStateFault" });
    });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr.split("\n").at(-1)).toBe("dr: FailoverGlobalCluster in us-east-2 failed: InvalidGlobalClusterStateFault: Global cluster payments-dr-aurora-dev is not in a valid state");
    expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toHaveLength(1);
  });
});

// run.ts refuses a failover without --allow-data-loss before it reads the outputs; failover() checks
// again because it is exported (role-change/index): a caller that skipped run.ts must not reach
// FailoverGlobalCluster, which loses the writes not yet replicated.
describe("failover() called directly", () => {
  it("failover() itself refuses without allowDataLoss, before any AWS call or /health probe, even with yes and force", async () => {
    const fetch = bothApisUp(world);
    const ctx = directContext(new Aws(world.clients(), world.clock), fetch);
    const call = failover(ctx, ctx.topology.resolve(DR), { yes: true, force: true, allowDataLoss: false });
    await expect(call).rejects.toThrow(RefusedError);
    await expect(call).rejects.toThrow(FAILOVER_NEEDS_CONSENT);
    expect(world.calls).toEqual([]);
    expect(world.clientRegions).toEqual([]);
    expect(fetch.urls).toEqual([]);
  });
});

/** A Context for calling failover() directly, on `world`, with `aws` and `fetch`. */
function directContext(aws: Aws, fetch: Context["fetch"]): Context {
  return {
    topology: new Topology(outputs),
    aws,
    fetch,
    clock: world.clock,
    confirm: async () => true,
    log: () => undefined,
    timeoutSeconds: 300,
    pollIntervalMs: 10_000,
    healthTimeoutMs: 50,
    paymentTimeoutMs: 50,
  };
}

/** Lets every pending callback run (the fake AWS answers on later turns of the event loop). */
async function drain(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * `aws` whose every call waits at its method's gate until the test opens it: which calls have
 * started, and so which ran side by side, can then be read before any of them answers.
 */
function gatedAws(aws: Aws): { aws: Aws; started: string[]; open(method: string): void; openAll(): void } {
  const started: string[] = [];
  const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
  const gate = (method: string) => {
    let found = gates.get(method);
    if (!found) {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      found = { open, opened };
      gates.set(method, found);
    }
    return found;
  };
  let allOpen = false;
  const gated = new Proxy(aws, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return async (...args: unknown[]) => {
        started.push(property);
        if (!allOpen) await gate(property).opened;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    aws: gated,
    started,
    open: (method) => gate(method).open(),
    openAll: () => {
      allOpen = true;
      for (const { open } of gates.values()) open();
    },
  };
}

// The pre-move reads once ran in three phases, the global cluster, then the fence, then the rest,
// each up to an AWS call's limits (≈ 20 s) when the target region's APIs are slow: about a minute
// before the move, where the runbook's Recovery budget counted half that.
describe("failover()'s reads before the move overlap (a slow target region's calls must not add up before the move)", () => {
  it("starts every read of the target alone beside the global cluster's, and asks the old writer's /health as soon as the global cluster names it, while those reads still wait", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const gated = gatedAws(new Aws(world.clients(), world.clock));
    const ctx = directContext(gated.aws, fetch);
    const moved = failover(ctx, ctx.topology.resolve(DR), { yes: true, allowDataLoss: true });
    await drain();
    // Before the global cluster answers: whether the target is fenced (Lambda), its cluster, the lag, the probe.
    expect([...gated.started].sort()).toEqual(["cluster", "functionTags", "functionTags", "globalCluster", "probeSamples", "replicationLag", "reservedConcurrency", "reservedConcurrency"]);
    expect(fetch.urls).toEqual([]);

    gated.open("globalCluster");
    await drain();
    expect(fetch.urls).toEqual([primaryRegionOutputs.healthUrl]);
    expect(calls("FailoverGlobalCluster")).toEqual([]);

    gated.openAll();
    await expect(moved).resolves.toMatchObject({ outcome: "done", from: HOME, to: DR });
    expect(world.calls.filter((c) => c.region !== DR)).toEqual([]);
  });

  // A read started early and left unawaited by a refusal must not be an unhandled rejection: Node
  // prints a warning for it, and with --unhandled-rejections=throw (Node's default) ends the process.
  it.each([
    [
      "the target is fenced",
      () => {
        world.functions[drRegionOutputs.lambdaName]!.reserved = 0;
      },
      /us-east-2 is fenced/,
    ],
    [
      "a move towards the other region is under way",
      () => {
        world.writer = DR;
        world.startMove(HOME, "switching-over");
      },
      /towards us-east-1 is in progress/,
    ],
    [
      "the target is not a member",
      () => {
        world.absentMembers.add(DR);
      },
      /is not a member of/,
    ],
  ])("refuses when %s with the target's cluster read failing unawaited, and leaves no unhandled rejection", async (_case, arrange, refusal) => {
    world.down.add(HOME);
    arrange();
    world.failing.set("rds/DescribeDBClusters", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    world.failing.set("cloudwatch/GetMetricData", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const host = (globalThis as { __synthHostProcess?: NodeJS.Process }).__synthHostProcess ?? process;
    const unhandled: unknown[] = [];
    const observe = (reason: unknown, promise: Promise<unknown>) => {
      unhandled.push(reason);
      promise.catch(() => undefined);
    };
    host.on("unhandledRejection", observe);
    try {
      const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
      const ctx = directContext(new Aws(world.clients(), world.clock), fetch);
      await expect(failover(ctx, ctx.topology.resolve(DR), { yes: true, allowDataLoss: true })).rejects.toThrow(refusal);
      await drain();
    } finally {
      host.off("unhandledRejection", observe);
    }
    expect(calls("DescribeDBClusters")).toHaveLength(1);
    expect(unhandled).toEqual([]);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
  });
});

describe("the pre-move worst case the runbook and the README quote", () => {
  const WORKSPACE = path.resolve(__dirname, "../../../..");
  /** The document with its line breaks as spaces: a reflowed paragraph says the same. */
  const read = (file: string) => readFileSync(path.join(WORKSPACE, file), "utf8").replace(/\s+/g, " ");
  const { maxAttempts: attempts, requestHandler } = AWS_CALL_LIMITS;
  // smithy's request timeout is a timer from the request's start, the connect included (node-http-handler's setRequestTimeout).
  const request = requestHandler.requestTimeout / 1000;
  const awsCall = attempts * request;
  const [health, poll] = [HEALTH_TIMEOUT_MS / 1000, POLL_INTERVAL_MS / 1000];
  // One AWS call (the global cluster, beside every read of the target alone), then the old writer's /health, then the first poll.
  const worst = awsCall + health + poll;

  it.each([
    ["docs/runbook.md", `after the CLI's own checks (≈ ${worst} s at worst`],
    ["docs/runbook.md", `(each call ${attempts} × ${request} s = ${awsCall} s when the APIs there time out: two tries, each cut off ${request} s after it started, its connect included, \`AWS_CALL_LIMITS\`)`],
    ["docs/runbook.md", `(${health} s when its region hangs, \`HEALTH_TIMEOUT_MS\`); then the first ${poll} s poll: ${awsCall} + ${health} + ${poll};`],
    ["README.md", `up to ≈ ${worst} s of the CLI's own checks`],
  ])("%s says %s (AWS_CALL_LIMITS, HEALTH_TIMEOUT_MS, POLL_INTERVAL_MS)", (file, text) => {
    expect(read(file)).toContain(text);
  });
});
