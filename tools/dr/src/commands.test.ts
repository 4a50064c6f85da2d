import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { Aws } from "./aws";
import type { Context } from "./context";
import type { Fetch } from "./http";
import { preflight } from "./preflight";
import { interruptedMessage, run } from "./run";
import { validateStatusReport } from "./status-schema";
import { answersAfter, DR, FakeClock, fakeFetch, FakeWorld, globalOutputs, hangs, healthy, HOME } from "./test-support";
import { Topology } from "./topology";

const outputs = { primary: primaryRegionOutputs, dr: drRegionOutputs, global: globalOutputs(primaryRegionOutputs, drRegionOutputs) };
const outputsDir = stackOutputsDir({ "primary-region": outputs.primary, "dr-region": outputs.dr, global: outputs.global });

let clock: FakeClock;
let world: FakeWorld;

beforeEach(() => {
  clock = new FakeClock();
  world = new FakeWorld(outputs, clock);
});
afterEach(() => world.restore());

/** Both APIs up, each /health answering for its role as deployed (see FakeWorld.health). */
const bothUp = () => fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: world.health(DR) });

async function dr(args: string[], options: { fetch?: Fetch; isTTY?: boolean; answer?: string; ask?: () => Promise<string>; drillApiKey?: string; outputs?: string } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run([...args, "--outputs", options.outputs ?? outputsDir], {
    workspace: "/nonexistent",
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    isTTY: options.isTTY ?? false,
    ask: options.ask ?? (async () => options.answer ?? "n"),
    clients: world.clients(),
    fetch: options.fetch ?? bothUp(),
    clock,
    pollIntervalMs: 10_000,
    healthTimeoutMs: 50,
    paymentTimeoutMs: 50,
    drillApiKey: options.drillApiKey,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

const calls = (command: string) => world.calls.filter((c) => c.command === command);

describe("status", () => {
  it("--json output matches the StatusReport schema and reports roles, lag, health, replicas and S3 rules", async () => {
    const { code, stdout } = await dr(["status", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.writerRegion).toBe(HOME);
    const [home, drRegion] = report.regions;
    expect(home).toMatchObject({ region: HOME, role: "writer", replicationLagSeconds: null, api: { ok: true, httpStatus: 200 } });
    expect(drRegion).toMatchObject({ region: DR, role: "reader", replicationLagSeconds: 0.8, route53HealthCheck: { healthy: true, checkersHealthy: 4, checkersTotal: 4 } });
    expect(report.sessions.replicas).toEqual([{ region: DR, status: "ACTIVE" }]);
    expect(report.apiKeys).toEqual({ table: primaryRegionOutputs.apiKeysTableName, tableStatus: "ACTIVE", replicas: [{ region: DR, status: "ACTIVE" }] });
    expect(report.s3Replication.rules).toEqual([{ id: "payments-dr-replicate-all", status: "Enabled", destinationBucket: drRegionOutputs.bucketArn }]);
    expect(report.primaryProbe).toEqual({ region: DR, target: "primary", healthy: true, at: expect.any(String), failedInARow: 0 });
  });

  it("shows what the DR region's probe sees of the primary: read in the DR region only, failures in a row counted from the newest", async () => {
    world.down.add(HOME);
    world.probeValues = [0, 0, 0, 1, 1];
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: hangs, [drRegionOutputs.healthUrl]: world.health(DR) });
    const { stdout } = await dr(["status", "--json"], { fetch });
    const report = JSON.parse(stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.primaryProbe).toMatchObject({ region: DR, healthy: false, failedInARow: 3 });
    expect(calls("GetMetricData").filter((c) => (c.input as { MetricDataQueries: { Id: string }[] }).MetricDataQueries[0]!.Id === "probe").map((c) => c.region)).toEqual([DR]);
    expect((await dr(["status"], { fetch })).stdout).toMatch(/primary \/health probed from us-east-2: UNHEALTHY at .*, 3 failed in a row/);
    // No datapoint: no probe deployed, or it stopped reporting; never read as healthy.
    world.probeValues = [];
    expect(JSON.parse((await dr(["status", "--json"], { fetch })).stdout).primaryProbe).toMatchObject({ healthy: null, at: null, failedInARow: 0 });
  });

  it("the schema validator rejects a report of the wrong shape", () => {
    expect(validateStatusReport({ schemaVersion: 1, regions: "none" })).toEqual(
      expect.arrayContaining(["$.generatedAt: expected string", "$.regions: expected array"]),
    );
  });

  it("a region whose API does not answer is reported as failing, and the report is still schema-valid", async () => {
    world.down.add(DR);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: healthy, [drRegionOutputs.healthUrl]: hangs });
    const { code, stdout } = await dr(["status", "--json"], { fetch });
    const report = JSON.parse(stdout);
    expect(code).toBe(EXIT_CODES.ok);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[1].api).toMatchObject({ ok: false, httpStatus: null, error: "no answer within 50 ms" });
    expect(report.regions[1].cluster.error).toMatch(/ETIMEDOUT/);
  });

  it("reads the global cluster from the DR region first: the one that answers during a primary outage", async () => {
    await dr(["status", "--json"]);
    expect(calls("DescribeGlobalClusters")[0]).toMatchObject({ region: DR });
  });

  it("prints a human table by default", async () => {
    const { stdout } = await dr(["status"]);
    expect(stdout).toMatch(/writer: us-east-1/);
    expect(stdout).toMatch(/us-east-2\s+dr-region\s+reader\s+available/);
  });
});

describe("preflight", () => {
  it("passes when the DR region is healthy, in step and lagging under 15 s", async () => {
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(JSON.parse(stdout).checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(code).toBe(EXIT_CODES.ok);
  });

  it("counts no lag reading from before the target became a secondary (lagSince), and one whose minute ends after it", async () => {
    const target = new Topology(outputs).dr;
    const ctx = { topology: new Topology(outputs), aws: new Aws(world.clients(), clock), fetch: bothUp(), clock, healthTimeoutMs: 50 } as unknown as Context;
    const global = await new Aws(world.clients(), clock).globalCluster(DR, outputs.primary.globalClusterId);
    const lagCheck = async (since: Date) => (await preflight(ctx, target, global, { lagSince: since })).checks.find((c) => c.name.startsWith("replication lag"));
    // The newest datapoint is stamped a minute ago and covers the minute up to now.
    expect(await lagCheck(clock.now())).toMatchObject({ ok: false, detail: expect.stringMatching(/no AuroraGlobalDBRPOLag datapoint since .* \(when us-east-2 became a secondary\)/) });
    expect(await lagCheck(new Date(clock.now().getTime() - 30_000))).toMatchObject({ ok: true, detail: expect.stringMatching(/^0\.8 s at/) });
  });

  it("fails when the target region's /health does not answer", async () => {
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: healthy, [drRegionOutputs.healthUrl]: async () => Promise.reject(new TypeError("fetch failed")) });
    const { code, stdout } = await dr(["preflight", "--to", "dr", "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: false, detail: `${drRegionOutputs.healthUrl}: TypeError: fetch failed` });
  });

  it("fails when the target region has no replica of the API keys table (its authorizer could not authenticate anyone)", async () => {
    world.missingTables.add(`${DR}/${primaryRegionOutputs.apiKeysTableName}`);
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual(expect.objectContaining({ name: "API keys replica active in target", ok: false, detail: expect.stringMatching(/not found/) }));
  });

  it("back to the home region, accepts its API's 503 for role primary: that /health is 200 only on the writer", async () => {
    world.writer = DR;
    const { code, stdout } = await dr(["preflight", "--to", HOME, "--json"]);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: true, detail: expect.stringMatching(/^HTTP 503 for role primary .*expected while us-east-1 is a secondary/) });
    expect(code).toBe(EXIT_CODES.ok);
  });

  it("back to the home region, a 503 that is not its function's (a gateway error) still fails", async () => {
    world.writer = DR;
    const gatewayError = async () => ({ status: 503, body: JSON.stringify({ message: "Service Unavailable" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: gatewayError, [drRegionOutputs.healthUrl]: world.health(DR) });
    const { code, stdout } = await dr(["preflight", "--to", HOME, "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: false, detail: `${primaryRegionOutputs.healthUrl}: HTTP 503` });
  });

  it("a 503 for role primary from the DR region's API fails: only the primary-region API answers so while healthy", async () => {
    const primary503 = async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: primary503 });
    const { code } = await dr(["preflight", "--to", DR, "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
  });

  it("fails while a move is under way, when the target already holds the writer, and while the target resynchronizes", async () => {
    const failed = async (args: string[]) => {
      const { code, stdout } = await dr([...args, "--json"]);
      expect(code).toBe(EXIT_CODES.refused);
      return JSON.parse(stdout).checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name);
    };
    world.startMove(DR);
    expect(await failed(["preflight", "--to", DR])).toContain("no global-cluster operation in progress");
    world.restore();
    world = new FakeWorld(outputs, clock);
    expect(await failed(["preflight", "--to", HOME])).toContain("target is a secondary member");
    world.writer = DR;
    world.syncStatus[HOME] = "pending-resync";
    expect(await failed(["preflight", "--to", HOME])).toContain("target member synchronized");
  });

  it("fails on different engine versions", async () => {
    world.engineVersions[DR] = "16.4";
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "engine versions equal", ok: false, detail: "target 16.4, writer 16.6" });
  });
});

describe("switchover", () => {
  it("moves the writer with SwitchoverGlobalCluster on the target ARN and reports a timeline", async () => {
    const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(calls("SwitchoverGlobalCluster")).toEqual([
      expect.objectContaining({
        region: HOME,
        input: { GlobalClusterIdentifier: primaryRegionOutputs.globalClusterId, TargetDbClusterIdentifier: drRegionOutputs.clusterArn },
      }),
    ]);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ outcome: "done", from: HOME, to: DR });
    expect(result.timeline.map((e: { step: string }) => e.step)).toEqual(
      expect.arrayContaining(["preflight passed", `${DR} is the writer`, `${primaryRegionOutputs.globalClusterId} is available`, `${drRegionOutputs.clusterIdentifier} is available and ${DR} /health is 200`]),
    );
    expect(result.totalSeconds).toBeGreaterThan(0);
  });

  describe("with DR_DRILL_API_KEY, proves writes with one test payment through the new writer's API (its /health cannot: 200 while read-only too)", () => {
    const KEY = `pdr_${"0123456789abcdef"}_${"s".repeat(43)}`;
    /** The DR region's API: writes 503 until the region holds the writer and `readyAfter` more POSTs came. */
    function drPayments(readyAfter = 0) {
      const posts: { headers?: Record<string, string>; body?: string }[] = [];
      const fetch = fakeFetch({
        [primaryRegionOutputs.healthUrl]: world.health(HOME),
        [drRegionOutputs.healthUrl]: world.health(DR),
        [`${drRegionOutputs.apiUrl}/payments`]: async (init) => {
          posts.push(init);
          const writes = world.writer === DR && posts.length > readyAfter;
          return writes ? { status: 201, body: JSON.stringify({ id: "pay_check_1" }) } : { status: 503, body: JSON.stringify({ title: "database unavailable" }) };
        },
      });
      return { fetch, posts };
    }

    it("waits until the payment is written, reusing one Idempotency-Key, and says so in the timeline", async () => {
      const { fetch, posts } = drPayments(2);
      const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.ok);
      expect(posts).toHaveLength(3);
      expect(new Set(posts.map((p) => p.headers?.["Idempotency-Key"])).size).toBe(1);
      expect(posts[0]!.headers).toMatchObject({ Authorization: `Bearer ${KEY}` });
      expect(JSON.parse(posts[0]!.body ?? "{}")).toMatchObject({ amount: 100, currency: "EUR", reference: "dr-switchover-check" });
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(`test payment pay_check_1 written through ${drRegionOutputs.apiUrl}: ${DR} takes writes`);
    });

    it("times out (exit 4) when the new writer's API never writes, though its /health is 200", async () => {
      const { fetch } = drPayments(Infinity);
      const { code, stderr } = await dr(["switchover", "--to", DR, "--yes", "--timeout", "60"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.timedOut);
      expect(stderr).toMatch(/timed out waiting for a test payment to be written through .*\/payments \(last seen: HTTP 503\)/);
    });

    it("fails at once (exit 3) when the API refuses the key, saying the move itself is done", async () => {
      const fetch = fakeFetch({
        [primaryRegionOutputs.healthUrl]: world.health(HOME),
        [drRegionOutputs.healthUrl]: world.health(DR),
        [`${drRegionOutputs.apiUrl}/payments`]: async () => ({ status: 401, body: JSON.stringify({ title: "Unauthorized" }) }),
      });
      const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.failed);
      expect(stderr).toMatch(/us-east-2 holds the writer, but its API refused the test payment with HTTP 401: check DR_DRILL_API_KEY/);
      expect(world.writer).toBe(DR);
    });

    it("ends a failover too, with us-east-1 down: the payment goes to the surviving region's API only", async () => {
      world.down.add(HOME);
      const { fetch, posts } = drPayments();
      const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--json"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.ok);
      expect(posts).toHaveLength(1);
      expect(JSON.parse(posts[0]!.body ?? "{}")).toMatchObject({ reference: "dr-failover-check", description: "DR failover write check" });
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(`test payment pay_check_1 written through ${drRegionOutputs.apiUrl}: ${DR} takes writes`);
    });

    it("is no concern of status or preflight: a malformed key does not stop them", async () => {
      for (const args of [["status"], ["preflight", "--to", DR]]) {
        expect((await dr(args, { drillApiKey: "not-a-key" })).code).toBe(EXIT_CODES.ok);
      }
    });

    it("without the key, says that writes were not checked", async () => {
      const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"]);
      expect(code).toBe(EXIT_CODES.ok);
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/^writes not checked: set DR_DRILL_API_KEY/));
    });

    it("refuses before any move when the key is malformed", async () => {
      const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"], { drillApiKey: "not-a-key" });
      expect(code).toBe(EXIT_CODES.refused);
      expect(stderr).toMatch(/DR_DRILL_API_KEY is not an API key/);
      expect(world.calls).toEqual([]);
    });
  });

  it("refuses when the replication lag is over the 15 s threshold, without calling Switchover", async () => {
    world.lagMs = 20_000;
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/replication lag under 15 s: 20 s/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("refuses at exactly 15 s of lag: the threshold is the lag alarm's, and a move never starts while it fires", async () => {
    world.lagMs = 15_000;
    const { code } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("refuses without --yes when there is no terminal to confirm on", async () => {
    const { code, stderr } = await dr(["switchover", "--to", DR]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/pass --yes/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("refuses when the operator does not answer yes, an empty answer (Enter alone) included", async () => {
    for (const answer of ["no", ""]) {
      const { code } = await dr(["switchover", "--to", DR], { isTTY: true, answer });
      expect(code).toBe(EXIT_CODES.refused);
    }
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it.each([
    ["cancels it", "cancelled" as const, /AWS is cancelling the move towards us-east-2/],
    ["rolls it back", "rolled-back" as const, /the move towards us-east-2 ended without making it the writer \(cancelled or rolled back by AWS; status available, writer us-east-1\)/],
  ])("stops at once (exit 3, not a wait to the timeout) when AWS %s, and says so", async (_how, outcome, message) => {
    world.moveOutcome = outcome;
    const started = clock.now().getTime();
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr).toMatch(message);
    expect(world.writer).toBe(HOME);
    expect(clock.now().getTime() - started).toBeLessThan(60_000);
  });

  it("refuses to pass off a failover with data loss under way as its own RPO-0 switchover, and names the command that follows it", async () => {
    world.startMove(DR, "failing-over", true);
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/a failover with data loss towards us-east-2 is in progress, not a switchover: follow it with `dr failover --to us-east-2 --allow-data-loss`/);
  });

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
  });

  it("refuses a failover to the region that holds the writer while its /health fails, and suggests the other region (no wait to the timeout)", async () => {
    // us-east-1's API is down (its /health 503), while its RDS API still answers.
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 503, body: "" }), [drRegionOutputs.healthUrl]: healthy });
    const started = clock.now().getTime();
    const { code, stderr } = await dr(["failover", "--to", "primary", "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/us-east-1 already holds the writer, and its .* answers .*: a failover moves the writer away from a failed region\. Did you mean `dr failover --to us-east-2 --allow-data-loss`\?/);
    expect(clock.now().getTime() - started).toBeLessThan(60_000);
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

  it("takes Ctrl+C at the prompt (readline's AbortError) as a no: exit 2, nothing moved", async () => {
    const aborted = Object.assign(new Error("Aborted with Ctrl+C"), { name: "AbortError" });
    const { code } = await dr(["switchover", "--to", DR], { isTTY: true, ask: async () => Promise.reject(aborted) });
    expect(code).toBe(EXIT_CODES.refused);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("resumes after a crash mid-switchover: waits for the move in progress, no second Switchover call", async () => {
    world.startMove(DR);
    const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout).outcome).toBe("resumed");
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
    expect(world.writer).toBe(DR);
  });

  it("is already done when the target is the writer: exit 0, no call", async () => {
    world.writer = DR;
    const { code, stdout } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(/already done/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("already done is not success until the target serves: a re-run after a timeout waits for /health 200", async () => {
    world.writer = DR;
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: async () => ({ status: 503, body: "" }) });
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes", "--timeout", "30"], { fetch });
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/timed out waiting for .*\/health to answer 200/);
  });

  it("a switchover whose answer is lost after AWS started the move waits for it: exit 0, one call", async () => {
    world.answerLost = true;
    const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(DR);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(1);
    expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(expect.stringMatching(/answered .*TimeoutError|answered .*no response.*under way/));
  });

  it("a switchover AWS refuses, with nothing moving, is a failure (exit 3)", async () => {
    world.refuseMoves = true;
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr).toMatch(/SwitchoverGlobalCluster in us-east-1 failed: .*not in a valid state/);
    expect(world.writer).toBe(HOME);
  });

  it("the timeout counts from the confirmation, not from the start of the command", async () => {
    const { code } = await dr(["switchover", "--to", DR, "--timeout", "60"], {
      isTTY: true,
      ask: async () => {
        await clock.sleep(120_000); // the operator reads the question for two minutes
        return "yes";
      },
    });
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(DR);
  });

  it("times out with exit 4 and a message when the move never converges", async () => {
    world.convergeAfter = Infinity;
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes", "--timeout", "120"]);
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/timed out waiting for us-east-2 to become the writer .*last seen: status switching-over, writer us-east-1.*re-run/);
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(1);
  });
});

describe("failover", () => {
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
    expect((await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch: fetch() })).stdout).toContain("saw the primary's /health pass last");
  });

  it("prints the exact clear-sessions command for the sessions of lost payments, deleting none itself: --since = its start − the lag − 15 min", async () => {
    world.down.add(HOME);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    // Started at 09:00:00 with 0.8 s of lag last seen: 09:00:00 − 0.8 s − 15 min, down to the second.
    expect(stdout).toMatch(/RPO estimate: last lag seen 0.8 s at 2025-06-02T08:59:00.000Z/);
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

  it("goes on when the writer's /health answers 503 (its database down) without --force", async () => {
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) }), [drRegionOutputs.healthUrl]: healthy });
    const { code, stdout } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.ok);
    expect(calls("FailoverGlobalCluster")).toHaveLength(1);
    // Not both refreshes chained: the failed region's would fail first and stop the other.
    expect(stdout).toMatch(/next: refresh the stack of us-east-2 now, the other region's once that region answers/);
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
  });

  it("refuses --force on any other command", async () => {
    const { code, stderr } = await dr(["switchover", "--to", DR, "--force", "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/--force does not apply to switchover; it is for failover/);
  });
});

describe("refusals that need no stack outputs", () => {
  // /nonexistent: reading the outputs would fail with its own message, so these come first.
  it.each([
    [["failover", "--to", DR], /pass --allow-data-loss to proceed/],
    [["switchover"], /--to <region\|primary\|dr> is required/],
    [["clear-sessions", "--region", DR], /--since <ISO 8601 time> is required/],
    [["clear-sessions", "--region", DR, "--since", "2025-06-02T08:58:00"], /--since must be an ISO 8601 time with its zone/],
    [["drill"], /set DR_DRILL_API_KEY/],
  ])("dr %s → refused before reading the stacks' outputs", async (args, message) => {
    const { code, stderr } = await dr(args as string[], { outputs: "/nonexistent" });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(message as RegExp);
    expect(world.calls).toEqual([]);
  });
});

describe("failback", () => {
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
    expect(stderr).toMatch(/us-east-1 holds the writer but its API does not answer 200, so writes are down in both regions: move the writer back at once with `dr switchover --to us-east-2`/);
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

describe("interrupted (Ctrl+C during a wait)", () => {
  it("says that a requested move goes on in AWS and how to follow it; after a drill, how to bring the writer home", () => {
    expect(interruptedMessage(["failover", "--to", "dr", "--allow-data-loss"])).toMatch(/^dr: failover interrupted\. A move already requested goes on in AWS and cannot be cancelled from here: .*dr:status.*running the same command again waits for the move/);
    expect(interruptedMessage(["--json", "switchover", "--to", "dr"])).toMatch(/^dr: switchover interrupted\./);
    expect(interruptedMessage(["drill", "--yes"])).toMatch(/^dr: drill interrupted, no report written\. The writer may be away from home: .*dr:status.*dr:failback/);
    expect(interruptedMessage(["status"])).toBe("dr: interrupted");
  });
});

describe("cli", () => {
  it("--help on every command lists the exit codes", async () => {
    for (const command of ["status", "preflight", "switchover", "failover", "failback", "drill", "clear-sessions"]) {
      const { code, stdout } = await dr([command, "--help"]);
      expect(code).toBe(EXIT_CODES.ok);
      expect(stdout).toMatch(/4 {2}timed out/);
    }
  });

  it("drill refuses before any move without a well-formed DR_DRILL_API_KEY, never echoing it", async () => {
    const missing = await dr(["drill", "--yes"]);
    expect(missing.code).toBe(EXIT_CODES.refused);
    expect(missing.stderr).toMatch(/set DR_DRILL_API_KEY .* node dist\/tools\/keys\/cli\.js create --merchant dr-drill/);
    const malformed = await dr(["drill", "--yes"], { drillApiKey: "not-a-key-s3cret" });
    expect(malformed.code).toBe(EXIT_CODES.refused);
    expect(malformed.stderr).toMatch(/DR_DRILL_API_KEY is not an API key/);
    expect(malformed.stderr).not.toContain("s3cret");
    expect(calls("SwitchoverGlobalCluster")).toHaveLength(0);
  });

  it("an option of another command is refused, not ignored: failback --to, status --allow-data-loss, preflight --rate", async () => {
    for (const args of [["failback", "--to", "dr"], ["status", "--allow-data-loss"], ["preflight", "--to", "dr", "--rate", "5"]]) {
      const { code, stderr } = await dr(args);
      expect(code).toBe(EXIT_CODES.refused);
      expect(stderr).toMatch(/--(to|allow-data-loss|rate) does not apply to (failback|status|preflight)/);
    }
    expect(world.calls).toHaveLength(0);
    // Asking for help is never refused.
    expect((await dr(["failback", "--to", "dr", "--help"])).code).toBe(EXIT_CODES.ok);
  });

  it("waits the real /health timeout by default (7 s, Route 53's 4 s + 2 s): an old writer answering 200 after 4 s still blocks a failover", async () => {
    const stderr: string[] = [];
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: answersAfter(4_000, 200, JSON.stringify({ status: "ok", role: "primary" })), [drRegionOutputs.healthUrl]: healthy });
    const code = await run(["failover", "--to", DR, "--allow-data-loss", "--yes", "--outputs", outputsDir], {
      workspace: "/nonexistent",
      stdout: () => undefined,
      stderr: (t) => stderr.push(t),
      isTTY: false,
      clients: world.clients(),
      fetch,
      clock,
      pollIntervalMs: 10_000,
    });
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr.join("\n")).toMatch(/still answers .*\/health with 200/);
    expect(calls("FailoverGlobalCluster")).toEqual([]);
  }, 15_000);

  it("an unknown --to region is refused", async () => {
    const { code, stderr } = await dr(["preflight", "--to", "eu-west-1"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/not one of this deployment's regions/);
  });

  it("without --outputs and without the Pulumi CLI, says in one line to use --outputs", async () => {
    const path0 = process.env.PATH;
    process.env.PATH = "";
    const stderr: string[] = [];
    try {
      const code = await run(["status"], { workspace: outputsDir, stdout: () => undefined, stderr: (t) => stderr.push(t), isTTY: false });
      expect(code).toBe(EXIT_CODES.refused);
    } finally {
      process.env.PATH = path0;
    }
    expect(stderr).toEqual(["dr: the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json, dr-region.json and global.json"]);
  });
});
