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
    const configs = stacks.map((app) => `apps/${app}/Pulumi.dev.yaml`);
    const checked = execFileSync(process.execPath, [require.resolve("nx/bin/nx.js"), "show", "target", "inputs", task, "--check", ...configs], {
      cwd: WORKSPACE,
      env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" },
      encoding: "utf8",
    });
    expect(checked).toMatch(/These arguments were inputs/);
    expect(checked).not.toMatch(/not inputs/);
  }, 60_000);

  it.each(["preview", "deploy", "up", "refresh", "destroy"])("%s runs the Pulumi CLI through the wrapper, on the app's folder", (target) => {
    expect(nxJson.targetDefaults[target].options?.command).toMatch(/^tools\/scripts\/pulumi-stack\.sh \{projectRoot\} /);
  });
});
