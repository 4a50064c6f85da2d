import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

// The order Nx runs the stacks' targets in (DESIGN §3; README, Deploy and Per-stack operations):
// StackReferences are invisible to Nx, so nx.json and the apps' project.json files are all that
// keeps `deploy` in dependency order, `up` to one stack and `destroy` in reverse. Read as Nx reads
// them: a project's own dependsOn, else nx.json's targetDefaults.
const WORKSPACE = path.resolve(__dirname, "../..");
const APPS = ["primary-region", "dr-region", "global"] as const;

type DependsOn = (string | { projects?: string[]; target: string })[];
interface TargetConfig {
  dependsOn?: DependsOn;
  options?: { command?: string };
}
const readJson = (file: string) => JSON.parse(readFileSync(path.join(WORKSPACE, file), "utf8"));
const nxJson: { targetDefaults: Record<string, TargetConfig> } = readJson("nx.json");
const project = (app: string): { implicitDependencies?: string[]; targets: Record<string, TargetConfig> } => readJson(`apps/${app}/project.json`);

function dependsOn(app: string, target: string): DependsOn {
  const own = project(app).targets[target];
  expect(own).toBeDefined();
  return own.dependsOn ?? nxJson.targetDefaults[target]?.dependsOn ?? [];
}

/** The same target of other projects that `target` of `app` waits for. */
function sameTargetOf(app: string, target: string): string[] {
  return dependsOn(app, target).flatMap((d) => (typeof d === "object" && d.target === target ? (d.projects ?? []) : []));
}

/** What Nx answers to `nx show target inputs <task> --check <files>`: which files are the task's inputs. */
function checkInputs(task: string, files: string[]): string {
  return execFileSync(process.execPath, [require.resolve("nx/bin/nx.js"), "show", "target", "inputs", task, "--check", ...files], {
    cwd: WORKSPACE,
    env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" },
    encoding: "utf8",
  });
}

describe("the stacks' Nx targets", () => {
  it("declare the deploy order primary-region → dr-region → global as implicit dependencies", () => {
    expect(project("primary-region").implicitDependencies ?? []).toEqual([]);
    expect(project("dr-region").implicitDependencies).toEqual(["primary-region"]);
    expect([...(project("global").implicitDependencies ?? [])].sort()).toEqual(["dr-region", "primary-region"]);
  });

  it.each(APPS)("%s: deploy waits for its upstream stacks' deploy (^deploy); up, preview and refresh update this stack alone", (app) => {
    expect(dependsOn(app, "deploy")).toContain("^deploy");
    for (const target of ["up", "preview", "refresh"]) {
      expect(dependsOn(app, target)).not.toContain("^deploy");
      expect(dependsOn(app, target).filter((d) => typeof d === "object" && d.target === "deploy")).toEqual([]);
    }
    // up still builds what it bundles (the Lambda artifacts), as DESIGN §3 asks.
    expect(dependsOn(app, "up")).toEqual(expect.arrayContaining(["build", "^build"]));
  });

  it("destroys in the reverse order: each stack after the stacks that read it", () => {
    expect(sameTargetOf("global", "destroy")).toEqual([]);
    expect(sameTargetOf("dr-region", "destroy")).toEqual(["global"]);
    expect([...sameTargetOf("primary-region", "destroy")].sort()).toEqual(["dr-region", "global"]);
    for (const app of APPS) expect(dependsOn(app, "destroy")).not.toContain("^destroy");
  });

  // As Nx itself computes them: a negation in a named input (say, production's) would drop the
  // stack config from every target that uses it, whatever the target adds back; a cached synth
  // would then replay the old plan and the old policy verdict after a config change.
  it.each([
    ["dr-region:synth", ["primary-region", "dr-region"]],
    ["global:synth", APPS],
  ])("%s is run again when the config of its stack or of a stack it reads changes", (task, stacks) => {
    const checked = checkInputs(task, stacks.map((app) => `apps/${app}/Pulumi.dev.yaml`));
    expect(checked).toMatch(/These arguments were inputs/);
    expect(checked).not.toMatch(/not inputs/);
  }, 60_000);

  // Targets that read files outside their project, or their builds' output: a cached pass would hide a change that fails them.
  it.each([
    ["conventions:test", "README.md"], // the Configuration table against CONFIG_KEYS
    ["policy-pack:test", "apps/global/project.json"], // every stack's synth runs the policy pack
    ["scripts:test", "apps/dr-region/Pulumi.dev.yaml"], // the deploy workflow's setup step on the real stack files
    ["primary-region:synth", "dist/apps/primary-region/index.js"], // the bundle `pulumi up` runs, which synth runs
    ["local-api:test", "dist/tools/local-api/serve.js"], // the adapter the tests start
  ])("%s is run again when %s, which it reads, changes", (task, file) => {
    expect(checkInputs(task, [file])).toMatch(/is an input/);
  }, 60_000);

  it.each(["preview", "deploy", "up", "refresh", "destroy"])("%s runs the Pulumi CLI through the wrapper, on the app's folder", (target) => {
    expect(nxJson.targetDefaults[target].options?.command).toMatch(/^tools\/scripts\/pulumi-stack\.sh \{projectRoot\} /);
  });
});
