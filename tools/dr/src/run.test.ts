import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { HELP } from "./args";
import { interruptedMessage, run } from "./run";
import { answersAfter, bothApisUp, DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, outputsDir, runDr, type DrOptions } from "./test-support";

let clock: FakeClock;
let world: FakeWorld;

beforeEach(() => {
  clock = new FakeClock();
  world = new FakeWorld(outputs, clock);
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);

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

describe("interrupted (Ctrl+C during a wait)", () => {
  it("says that a requested move goes on in AWS and how to follow it; after a drill, how to bring the writer home", () => {
    expect(interruptedMessage(["failover", "--to", "dr", "--allow-data-loss"])).toMatch(/^dr: failover interrupted\. A move already requested goes on in AWS and cannot be cancelled from here: .*dr:status.*running the same command again waits for the move/);
    expect(interruptedMessage(["--json", "switchover", "--to", "dr"])).toMatch(/^dr: switchover interrupted\./);
    expect(interruptedMessage(["drill", "--yes"])).toMatch(/^dr: drill interrupted, no report written\. The writer may be away from home: .*dr:status.*dr:failback/);
    expect(interruptedMessage(["status"])).toBe("dr: interrupted");
  });
});

describe("cli", () => {
  it("every command runs as `npx nx run dr:<command>`: the built CLI with that command, after the build, with the arguments after --", () => {
    const project = JSON.parse(readFileSync(path.resolve(__dirname, "../project.json"), "utf8"));
    const commands = Object.keys(HELP).filter((name) => name !== "help");
    expect(commands).toEqual(expect.arrayContaining(["status", "preflight", "switchover", "failover", "failback", "drill"]));
    for (const command of commands) {
      expect([command, project.targets[command]]).toEqual([
        command,
        expect.objectContaining({ executor: "nx:run-commands", dependsOn: ["build"], options: expect.objectContaining({ command: `node dist/tools/dr/cli.js ${command}`, forwardAllArgs: true }) }),
      ]);
    }
    expect(project.targets.build.options.command).toBe("node tools/scripts/bundle.mjs tools/dr/src/cli.ts dist/tools/dr/cli.js");
  });

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
    const code = await run(["failover", "--to", DR, "--allow-data-loss", "--yes", "--outputs", outputsDir()], {
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

  it("polls a move every 5 s by default (the runbook's poll: small against the 90 s aimed at)", async () => {
    const polledAt: number[] = [];
    const original = world.advanceMove.bind(world);
    world.advanceMove = () => {
      if (calls("SwitchoverGlobalCluster").length > 0) polledAt.push(clock.now().getTime());
      original();
    };
    const code = await run(["switchover", "--to", DR, "--yes", "--outputs", outputsDir()], {
      workspace: "/nonexistent",
      stdout: () => undefined,
      stderr: () => undefined,
      isTTY: false,
      clients: world.clients(),
      fetch: bothApisUp(world),
      clock,
    });
    expect(code).toBe(EXIT_CODES.ok);
    expect(polledAt.length).toBeGreaterThan(1);
    expect(polledAt.slice(1).map((at, i) => at - polledAt[i]!)).toEqual(polledAt.slice(1).map(() => 5_000));
  });

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
      const code = await run(["status"], { workspace: outputsDir(), stdout: () => undefined, stderr: (t) => stderr.push(t), isTTY: false });
      expect(code).toBe(EXIT_CODES.refused);
    } finally {
      process.env.PATH = path0;
    }
    expect(stderr).toEqual(["dr: the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json, dr-region.json and global.json"]);
  });

  it("an AWS error no command handles (a break-glass role denied DescribeGlobalClusters) is exit 3 with AWS's own words on one line, and nothing moves", async () => {
    world.down.add(HOME);
    world.failing.set("rds/DescribeGlobalClusters", () =>
      Object.assign(new Error("User: arn:aws:sts::123456789012:assumed-role/break-glass/oncall is not authorized to perform: rds:DescribeGlobalClusters"), { name: "AccessDenied" }),
    );
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: healthy });
    const { code, stderr } = await runDr(world, ["failover", "--to", DR, "--allow-data-loss", "--yes"], { fetch });
    expect(code).toBe(EXIT_CODES.failed);
    expect(stderr).toBe("dr: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/break-glass/oncall is not authorized to perform: rds:DescribeGlobalClusters");
    expect(world.calls.filter((c) => c.command === "FailoverGlobalCluster")).toEqual([]);
  });
});
