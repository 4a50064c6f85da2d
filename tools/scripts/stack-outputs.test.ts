import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { parse } from "yaml";

const WORKSPACE = path.resolve(__dirname, "../..");
const SCRIPT = path.join(WORKSPACE, ".github/scripts/stack-outputs.sh");

/** The regional stack's outputs as `pulumi stack output --json` prints them: the token redacted. */
const REGIONAL_OUTPUTS = { region: "us-east-1", apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/v1", healthCheckToken: "[secret]" };

/** What the Pulumi CLI (3.x) prints on stderr, exiting 255, for a stack that does not exist, and for a token Pulumi Cloud refuses. */
const NO_STACK = { error: "error: no stack named 'acme/dev' found" };
const UNAUTHORIZED = { error: "error: [401] Unauthorized: No credentials provided or are invalid." };

type Answer = object | { error: string };

/** A directory holding a fake `pulumi` whose `stack output` prints `outputs`, or fails with the error given. */
function fakePulumi(outputs: Answer): string {
  const bin = scratchDir("fake-pulumi-");
  const printed = path.join(bin, "outputs.json");
  const body = "error" in outputs ? `echo ${JSON.stringify(outputs.error)} >&2\nexit 255` : `cat ${JSON.stringify(printed)}`;
  if (!("error" in outputs)) writeFileSync(printed, JSON.stringify(outputs));
  writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return bin;
}

/** Runs the script for `app` with a fake `pulumi` on the PATH that prints `outputs` (or fails). */
function run(app: string, outputs: Answer) {
  const bin = fakePulumi(outputs);
  const dir = scratchDir("stack-outputs-");
  const result = spawnSync("bash", [SCRIPT, dir, "acme/dev", app], { encoding: "utf8", env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` }, timeout: 30_000 });
  return { ...result, file: path.join(dir, `${app}.json`) };
}

describe(".github/scripts/stack-outputs.sh", () => {
  it("keeps a regional stack's outputs with its health check token still redacted: a secret output by design no longer fails every deploy after primary-region's up", () => {
    const result = run("primary-region", REGIONAL_OUTPUTS);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(result.file, "utf8"))).toEqual(REGIONAL_OUTPUTS);
  });

  it("still refuses an output the CLIs read that prints as [secret]", () => {
    const result = run("primary-region", { ...REGIONAL_OUTPUTS, apiUrl: "[secret]" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("secret outputs (apiUrl");
  });

  it("exits 3 only for a stack not deployed yet (none, or no outputs), 1 for any other failure", () => {
    expect(run("primary-region", NO_STACK)).toMatchObject({ status: 3, stderr: expect.stringContaining("no such stack: deploy it first") });
    expect(run("primary-region", {})).toMatchObject({ status: 3, stderr: expect.stringContaining("no outputs: deploy it first") });
    expect(run("primary-region", UNAUTHORIZED)).toMatchObject({ status: 1, stderr: expect.stringContaining("[401] Unauthorized") });
  });
});

/** The shell of a `run:` step of pulumi-stack.yml, by the step's name. */
function stepScript(name: string): string {
  const workflow = parse(readFileSync(path.join(WORKSPACE, ".github/workflows/pulumi-stack.yml"), "utf8"));
  const step = (workflow.jobs.run.steps as { name?: string; run?: string }[]).find((candidate) => candidate.name === name);
  if (!step?.run) throw new Error(`pulumi-stack.yml has no run step named ${name}`);
  return step.run;
}

describe("pulumi-stack.yml, a preview's 'Upstream stacks deployed' step", () => {
  /** Runs the step as GitHub does (bash -e, from the checkout) for dr-region's preview, with a fake `pulumi` that answers `outputs`. */
  function upstreamStep(outputs: Answer) {
    const temp = scratchDir("runner-temp-");
    const script = path.join(temp, "step.sh");
    writeFileSync(script, stepScript("Upstream stacks deployed"));
    const githubOutput = path.join(temp, "github-output");
    writeFileSync(githubOutput, "");
    const result = spawnSync("bash", ["-e", script], {
      cwd: WORKSPACE,
      encoding: "utf8",
      env: { ...process.env, PATH: `${fakePulumi(outputs)}${path.delimiter}${process.env.PATH}`, APP: "dr-region", UPSTREAM: "primary-region", STACK_REF: "acme/dev", RUNNER_TEMP: temp, GITHUB_OUTPUT: githubOutput },
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, output: readFileSync(githubOutput, "utf8") };
  }

  it("previews once the upstream stack is deployed, and skips with a warning while it is not", () => {
    expect(upstreamStep(REGIONAL_OUTPUTS)).toMatchObject({ status: 0, output: "ready=true\n" });
    for (const notYet of [NO_STACK, {}]) {
      expect(upstreamStep(notYet)).toMatchObject({ status: 0, output: "ready=false\n", stdout: expect.stringContaining("::warning::preview of dr-region skipped") });
    }
  });

  // Pitfall: skipping on any failure turned the health check token's "[secret]" into a green
  // check on every pull request (dr-region and global "not deployed yet"), so no preview showed it.
  it("fails the job on any other failure (an output the script refuses, the token): a skipped preview is a green check that previewed nothing", () => {
    for (const broken of [{ ...REGIONAL_OUTPUTS, apiUrl: "[secret]" }, UNAUTHORIZED]) {
      const result = upstreamStep(broken);
      expect(result).toMatchObject({ status: 1, output: "", stdout: expect.stringContaining("::error::cannot read the outputs of primary-region (acme/dev)") });
    }
  });
});
