import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EXIT_CODES, RefusedError } from "./errors";
import { scratchDir, stackOutputsDir } from "@payments-dr/testing/scratch-dir";
import { PulumiNotInstalledError, readStackOutputs, runPulumi, type PulumiRunner } from "./stack-outputs";

interface Primary {
  region: string;
  apiName: string;
  tableName: string;
}
interface Dr {
  region: string;
  apiName: string;
}
interface Global {
  healthCheckId: string;
}
type Three = { primary: Primary; dr: Dr; global: Global };

const primary: Primary = { region: "us-east-1", apiName: "api-use1", tableName: "keys" };
const dr: Dr = { region: "us-east-2", apiName: "api-use2" };
const global: Global = { healthCheckId: "0f1e2d3c" };

const apps = { primary: "primary-region", dr: "dr-region", global: "global" } as const;
const required = { primary: ["region", "tableName"], dr: ["region"], global: ["healthCheckId"] } as const;

/** The refusal `read` ends with (every problem is exit 2). */
async function refusal(read: Promise<unknown>): Promise<string> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedError);
  expect((error as RefusedError).exitCode).toBe(EXIT_CODES.refused);
  return (error as Error).message;
}

/** A runner answering each app's outputs as JSON, recording what it was asked. */
function fakePulumi(outputsByApp: Record<string, object>): PulumiRunner & { asked: { args: readonly string[]; cwd: string }[] } {
  const asked: { args: readonly string[]; cwd: string }[] = [];
  const run = async (args: readonly string[], cwd: string) => {
    asked.push({ args, cwd });
    return JSON.stringify(outputsByApp[path.basename(cwd)]);
  };
  return Object.assign(run, { asked });
}

describe("readStackOutputs from an --outputs directory", () => {
  it("reads <app>.json per stack, keyed as the CLI asked", async () => {
    const outputsDir = stackOutputsDir({ "primary-region": primary, "dr-region": dr, global });
    const read = await readStackOutputs<Three>({ apps, required, outputsDir, workspace: "/nonexistent" });
    expect(read).toEqual({ primary, dr, global });
  });

  it("a missing file is refused, listing every file the directory needs", async () => {
    const outputsDir = stackOutputsDir({ "primary-region": primary, "dr-region": dr });
    expect(await refusal(readStackOutputs<Three>({ apps, required, outputsDir, workspace: "/nonexistent" }))).toBe(
      `cannot read ${path.join(outputsDir, "global.json")}: --outputs needs primary-region.json, dr-region.json and global.json`,
    );
  });

  it("a file that is not JSON, or not an object, is refused naming the file", async () => {
    const outputsDir = stackOutputsDir({ "primary-region": primary, "dr-region": ["not", "an", "object"] });
    const two = { apps: { primary: "primary-region", dr: "dr-region" }, required: { primary: [], dr: [] }, outputsDir, workspace: "/nonexistent" } as const;
    expect(await refusal(readStackOutputs<{ primary: Primary; dr: Dr }>(two))).toBe(`${path.join(outputsDir, "dr-region.json")} is not an object of outputs`);
    writeFileSync(path.join(outputsDir, "dr-region.json"), "{ not json");
    expect(await refusal(readStackOutputs<{ primary: Primary; dr: Dr }>(two))).toBe(`${path.join(outputsDir, "dr-region.json")} is not JSON`);
  });
});

describe("readStackOutputs with the Pulumi CLI", () => {
  const stack0 = process.env.PULUMI_STACK;
  afterEach(() => {
    if (stack0 === undefined) delete process.env.PULUMI_STACK;
    else process.env.PULUMI_STACK = stack0;
  });

  it("runs `pulumi stack output --json --stack <stack>` in apps/<app> of the workspace, for each stack", async () => {
    const runner = fakePulumi({ "primary-region": primary, "dr-region": dr, global });
    const read = await readStackOutputs<Three>({ apps, required, stack: "prod", workspace: "/ws", runPulumi: runner });
    expect(read).toEqual({ primary, dr, global });
    expect(runner.asked).toEqual(
      ["primary-region", "dr-region", "global"].map((app) => ({ args: ["stack", "output", "--json", "--stack", "prod"], cwd: `/ws/apps/${app}` })),
    );
  });

  it("the stack defaults to $PULUMI_STACK, else dev", async () => {
    const runner = fakePulumi({ "primary-region": primary, "dr-region": dr, global });
    delete process.env.PULUMI_STACK;
    await readStackOutputs<Three>({ apps, required, workspace: "/ws", runPulumi: runner });
    process.env.PULUMI_STACK = "staging";
    await readStackOutputs<Three>({ apps, required, workspace: "/ws", runPulumi: runner });
    expect(runner.asked.map((a) => a.args.at(-1))).toEqual(["dev", "dev", "dev", "staging", "staging", "staging"]);
  });

  it("refuses a required field that is missing, empty or not a string, naming the first stack that lacks one", async () => {
    const runner = fakePulumi({ "primary-region": primary, "dr-region": { region: "" }, global: { healthCheckId: 42 } });
    expect(await refusal(readStackOutputs<Three>({ apps, required, workspace: "/ws", runPulumi: runner }))).toBe(
      "the apps/dr-region outputs lack region: deploy that stack first",
    );
    const bare = fakePulumi({ "primary-region": { apiName: "api" }, "dr-region": dr, global });
    expect(await refusal(readStackOutputs<Three>({ apps, required, workspace: "/ws", runPulumi: bare }))).toBe(
      "the apps/primary-region outputs lack region, tableName: deploy that stack first",
    );
  });

  it("without the Pulumi CLI, says in one line to pass --outputs with the files this CLI needs", async () => {
    const missing: PulumiRunner = () => Promise.reject(new PulumiNotInstalledError());
    const two = { apps: { primary: "primary-region", dr: "dr-region" }, required: { primary: [], dr: [] }, workspace: "/ws", runPulumi: missing } as const;
    expect(await refusal(readStackOutputs<{ primary: Primary; dr: Dr }>(two))).toBe(
      "the Pulumi CLI is not installed: pass --outputs <dir> with primary-region.json and dr-region.json",
    );
  });

  // Only a missing Pulumi CLI is turned into "pass --outputs": any other failure of `pulumi stack
  // output` (a wrong --stack, a backend that refused) reaches the operator in pulumi's own words.
  it("passes on a failure of pulumi other than its absence unchanged", async () => {
    const failure = new RefusedError("pulumi stack output --json --stack prod failed in /ws/apps/primary-region: error: no stack named prod found");
    const failing: PulumiRunner = () => Promise.reject(failure);
    const read = readStackOutputs<{ primary: { region: string } }>({ apps: { primary: "primary-region" }, required: { primary: ["region"] }, stack: "prod", workspace: "/ws", runPulumi: failing });
    await expect(read).rejects.toBe(failure);
  });
});

describe("runPulumi", () => {
  const path0 = process.env.PATH;
  const backend0 = process.env.PULUMI_BACKEND_URL;
  beforeEach(() => delete process.env.PULUMI_BACKEND_URL);
  afterEach(() => {
    process.env.PATH = path0;
    if (backend0 !== undefined) process.env.PULUMI_BACKEND_URL = backend0;
  });

  /** A workspace with apps/<app>, and a `pulumi` on PATH that prints its backend and arguments, or fails on `fail`. */
  function workspaceWithPulumi(options: { fileBackend: boolean }): { workspace: string; appDir: string } {
    const workspace = scratchDir("workspace-");
    const appDir = path.join(workspace, "apps", "primary-region");
    mkdirSync(appDir, { recursive: true });
    if (options.fileBackend) mkdirSync(path.join(workspace, ".pulumi-state"));
    const bin = path.join(workspace, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "pulumi"),
      [
        "#!/bin/sh",
        'if [ "$1" = fail ]; then echo "warning: ignored" >&2; echo "error: no stack named dev found" >&2; exit 255; fi',
        'if [ "$1" = hang ]; then exec /bin/sleep 30; fi',
        `printf '%s|%s' "$PULUMI_BACKEND_URL" "$*"`,
      ].join("\n"),
    );
    chmodSync(path.join(bin, "pulumi"), 0o755);
    process.env.PATH = bin;
    return { workspace, appDir };
  }

  it("uses the workspace's .pulumi-state file backend when $PULUMI_BACKEND_URL is unset", async () => {
    const { workspace, appDir } = workspaceWithPulumi({ fileBackend: true });
    expect(await runPulumi(["stack", "output", "--json"], appDir)).toBe(`file://${path.join(workspace, ".pulumi-state")}|stack output --json`);
  });

  it("leaves $PULUMI_BACKEND_URL alone when set, and the default backend when there is no .pulumi-state", async () => {
    const { appDir } = workspaceWithPulumi({ fileBackend: true });
    process.env.PULUMI_BACKEND_URL = "s3://state";
    expect(await runPulumi(["whoami"], appDir)).toBe("s3://state|whoami");
    delete process.env.PULUMI_BACKEND_URL;
    const other = workspaceWithPulumi({ fileBackend: false });
    expect(await runPulumi(["whoami"], other.appDir)).toBe("|whoami");
  });

  it("a failing command is refused with its last stderr line", async () => {
    const { appDir } = workspaceWithPulumi({ fileBackend: false });
    expect(await refusal(runPulumi(["fail"], appDir))).toBe(`pulumi fail failed in ${appDir}: error: no stack named dev found`);
  });

  it("a command that hangs (a state backend that does not answer) is stopped and refused, pointing to --outputs", async () => {
    const { appDir } = workspaceWithPulumi({ fileBackend: false });
    const started = Date.now();
    expect(await refusal(runPulumi(["hang"], appDir, 300))).toBe(
      `pulumi hang did not finish within 0.3 s in ${appDir} (is its state backend reachable?): pass --outputs <dir> with the stacks' outputs saved before`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("no pulumi on PATH rejects with PulumiNotInstalledError", async () => {
    const { appDir } = workspaceWithPulumi({ fileBackend: false });
    process.env.PATH = "";
    await expect(runPulumi(["whoami"], appDir)).rejects.toBeInstanceOf(PulumiNotInstalledError);
  });
});
