import { EXIT_CODES } from "@payments-dr/cli-support";
import { stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { DR, FakeClock, fakeFetch, FakeWorld, HOME, outputs, runDr, type DrOptions } from "../test-support";
import { MOVE_ENDED_CONFIRM_MS } from "../thresholds";

let clock: FakeClock;
let world: FakeWorld;

beforeEach(() => {
  clock = new FakeClock();
  world = new FakeWorld(outputs, clock);
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);

describe("switchover", () => {
  it("says what \"done\" leaves to DNS when a failover domain is deployed: clients move as Route 53's check of the primary turns, then the TTL (≈ 90 s); back home, the DR API answers their writes 503 meanwhile", async () => {
    const withDomain = stackOutputsDir({ "primary-region": outputs.primary, "dr-region": outputs.dr, global: { ...outputs.global, failoverDomain: "pay.example.com" } });
    const away = await dr(["switchover", "--to", DR, "--yes"], { outputs: withDomain });
    expect(away.code).toBe(EXIT_CODES.ok);
    expect(away.stdout).toContain(
      "clients of https://pay.example.com move to us-east-2 once Route 53 has seen us-east-1's /health fail 3 checks in a row (10 s apart) and the 60 s TTL has run out (≈ 90 s, 119 s at worst from its first failure)",
    );
    // Back home from a DR region that has long held the writer (a move just made would wait for its first lag reading).
    world.writer = DR;
    delete world.secondarySince[HOME];
    const back = await dr(["failback", "--yes"], { outputs: withDomain });
    expect(back.code).toBe(EXIT_CODES.ok);
    expect(back.stdout).toContain("clients of https://pay.example.com come back to us-east-1 once Route 53 has seen its /health pass 3 checks in a row");
    expect(back.stdout).toContain("until then us-east-2's API answers their writes with 503");
    // Both roles moved: both regional stacks' state must learn it (runbook, "After every move").
    expect(back.stdout).toContain("next: npx nx run primary-region:refresh && npx nx run dr-region:refresh, or the deploy workflow run by hand with command refresh and stacks all");
    // Without a failover domain, clients call a region's URL: nothing to say about DNS.
    expect((await dr(["switchover", "--to", DR, "--yes"])).stdout).not.toContain("Route 53 has seen");
  });

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
    // The target's fence was read (in its region) and found open: nothing to note.
    expect(world.calls.filter((c) => c.command === "GetFunctionConcurrency").map((c) => c.region)).toEqual([DR, DR]);
    expect(result.timeline.map((e: { step: string }) => e.step)).not.toContainEqual(expect.stringMatching(/could not read whether .* is fenced/));
  });

  it("times each step of its timeline to the tenth of a second from the command's start, and totals the whole run", async () => {
    const start = clock.now().getTime();
    const { code, stdout } = await dr(["switchover", "--to", DR, "--json"], {
      isTTY: true,
      ask: async () => {
        await clock.sleep(2_340); // the operator answers after 2.34 s
        return "yes";
      },
    });
    expect(code).toBe(EXIT_CODES.ok);
    const result = JSON.parse(stdout) as { timeline: { step: string; at: string; elapsedSeconds: number }[]; totalSeconds: number };
    expect(result.timeline.find((e) => e.step.startsWith("SwitchoverGlobalCluster requested"))).toMatchObject({ at: new Date(start + 2_340).toISOString(), elapsedSeconds: 2.3 });
    for (const event of result.timeline) expect(event.elapsedSeconds).toBe(Math.round((Date.parse(event.at) - start) / 100) / 10);
    expect(result.totalSeconds).toBe(Math.round((clock.now().getTime() - start) / 100) / 10);
    expect(result.totalSeconds % 1).not.toBe(0);
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
      expect(posts[0]!.headers?.["Idempotency-Key"]).toMatch(/^dr-switchover-/);
      expect(posts[0]!.headers).toMatchObject({ Authorization: `Bearer ${KEY}` });
      expect(JSON.parse(posts[0]!.body ?? "{}")).toMatchObject({ amount: 100, currency: "EUR", reference: "dr-switchover-check" });
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(`test payment pay_check_1 written through ${drRegionOutputs.apiUrl}: ${DR} takes writes`);
    });

    it("retries through a lost answer: the same key still in flight (409), then the original replayed (200) is the payment written", async () => {
      const answers = [
        async () => Promise.reject(new TypeError("fetch failed: socket hang up")),
        async () => ({ status: 409, body: JSON.stringify({ title: "Idempotency-Key in flight" }) }),
        async () => ({ status: 200, body: JSON.stringify({ id: "pay_check_1" }) }),
      ];
      const keys: (string | undefined)[] = [];
      const fetch = fakeFetch({
        [primaryRegionOutputs.healthUrl]: world.health(HOME),
        [drRegionOutputs.healthUrl]: world.health(DR),
        [`${drRegionOutputs.apiUrl}/payments`]: async (init) => {
          keys.push(init.headers?.["Idempotency-Key"]);
          return answers[Math.min(keys.length, answers.length) - 1]!();
        },
      });
      const { code, stdout } = await dr(["switchover", "--to", DR, "--yes", "--json"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.ok);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect(JSON.parse(stdout).timeline.map((e: { step: string }) => e.step)).toContainEqual(`test payment pay_check_1 written through ${drRegionOutputs.apiUrl}: ${DR} takes writes`);
    });

    it("times out (exit 4) when the new writer's API never writes, though its /health is 200: writes are down in both regions, so it says to move back, not to re-run", async () => {
      const { fetch } = drPayments(Infinity);
      const { code, stderr } = await dr(["switchover", "--to", DR, "--yes", "--timeout", "60"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.timedOut);
      expect(stderr).toMatch(/timed out waiting for a test payment to be written through .*\/payments \(last seen: HTTP 503\)/);
      expect(stderr).toMatch(/us-east-2 holds the writer but its API does not serve it, so writes are down in both regions \(us-east-1's API cannot reach this writer\): move the writer back at once with `dr switchover --to us-east-1`/);
      expect(stderr).not.toMatch(/re-run the same command/);
    });

    it("after a failover whose new writer never writes, says to look at that region's Lambda: the other region is the one lost, there is no moving back", async () => {
      world.down.add(HOME);
      const { fetch } = drPayments(Infinity);
      const { code, stderr } = await dr(["failover", "--to", DR, "--allow-data-loss", "--yes", "--timeout", "60"], { fetch, drillApiKey: KEY });
      expect(code).toBe(EXIT_CODES.timedOut);
      expect(stderr).toMatch(/us-east-2 holds the writer but its API does not serve it, and us-east-1, the region lost, cannot reach it: look at us-east-2's Lambda now/);
      expect(stderr).not.toMatch(/dr switchover --to us-east-1/);
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

  it("waits out a response that shows the move over before naming the new writer (AWS documents no order): exit 0, not 'ended without'", async () => {
    world.writerNamedAfterClear = true;
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(stderr).not.toMatch(/ended without/);
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(DR);
  });

  it("does not call a move over that RDS does not show yet: describes that lag behind the request (eventually consistent) are waited out, exit 0", async () => {
    const original = world.advanceMove.bind(world);
    let lagging = 3;
    let shown: Pick<FakeWorld, "operation" | "status"> | undefined;
    world.advanceMove = () => {
      if (shown) Object.assign(world, shown);
      shown = undefined;
      if (calls("SwitchoverGlobalCluster").length > 0 && lagging > 0) {
        lagging -= 1;
        shown = { operation: world.operation, status: world.status };
        Object.assign(world, { operation: undefined, status: "available" });
        return;
      }
      original();
    };
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(stderr).not.toMatch(/ended without/);
    expect(code).toBe(EXIT_CODES.ok);
    expect(world.writer).toBe(DR);
  });

  it("calls a rolled-back move over once it has looked so for MOVE_ENDED_CONFIRM_MS, not at its first poll", async () => {
    world.moveOutcome = "rolled-back";
    const polls = () => calls("DescribeGlobalClusters").length;
    let endedAt: number | undefined;
    let pollsAtEnd = 0;
    const original = world.advanceMove.bind(world);
    world.advanceMove = () => {
      original();
      if (endedAt === undefined && world.operation === undefined && calls("SwitchoverGlobalCluster").length > 0) {
        endedAt = clock.now().getTime();
        pollsAtEnd = polls();
      }
    };
    const { code } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.failed);
    expect(clock.now().getTime() - endedAt!).toBeGreaterThanOrEqual(MOVE_ENDED_CONFIRM_MS);
    // And not much later: a real rollback is reported 10 s after it shows (two 5 s polls), here at the next 10 s poll.
    expect(clock.now().getTime() - endedAt!).toBeLessThanOrEqual(20_000);
    expect(polls() - pollsAtEnd).toBeGreaterThanOrEqual(1);
  });

  it("refuses to pass off a failover with data loss under way as its own RPO-0 switchover, and names the command that follows it", async () => {
    world.startMove(DR, "failing-over", true);
    const { code, stderr } = await dr(["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/a failover with data loss towards us-east-2 is in progress, not a switchover: follow it with `dr failover --to us-east-2 --allow-data-loss`/);
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

  it("gives up at --timeout itself, not at the first poll after it", async () => {
    world.convergeAfter = Infinity;
    const started = clock.now().getTime();
    const { code } = await dr(["switchover", "--to", DR, "--yes", "--timeout", "125"]);
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(clock.now().getTime() - started).toBe(125_000);
  });

  it("refuses (exit 2) a switchover while a move towards the other region is in progress, and requests nothing", async () => {
    world.writer = DR;
    world.startMove(HOME);
    const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(stderr).toMatch(/a switching-over towards us-east-1 is in progress: wait for it \(dr status\), then decide/);
    expect(world.calls.filter((c) => c.command === "SwitchoverGlobalCluster" || c.command === "FailoverGlobalCluster")).toEqual([]);
  });
});

// A re-run after a timeout finds the target the writer: "already done" waits for its cluster, and a
// wait that times out says what it last saw, so on-call knows whether to wait or look elsewhere.
describe("already done, waiting for the new writer's cluster (finish)", () => {
  beforeEach(() => {
    world.writer = DR;
  });

  it("times out (exit 4) naming the cluster's last status when the new writer's cluster never becomes available", async () => {
    world.clusterStatus[DR] = "modifying";
    const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes", "--timeout", "60"]);
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/timed out waiting for payments-dr-aurora-use2-\S+ to be available \(last seen: status modifying\); it may still complete: re-run the same command/);
  });

  it("times out (exit 4) naming the last error when the cluster cannot be read at all", async () => {
    world.failing.set("rds/DescribeDBClusters", () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const { code, stderr } = await runDr(world, ["switchover", "--to", DR, "--yes", "--timeout", "60"]);
    expect(code).toBe(EXIT_CODES.timedOut);
    expect(stderr).toMatch(/to be available \(last seen: error: ThrottlingException: Rate exceeded\)/);
  });
});
