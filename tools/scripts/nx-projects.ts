import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** A project of the workspace, with the targets `nx run` can run on it. */
export interface NxProject {
  name: string;
  /** Its directory, relative to the workspace root (`apps/global`). */
  root: string;
  targets: Set<string>;
}

interface TargetConfig {
  executor?: string;
  command?: string;
  options?: { command?: string };
}

type PluginEntry = string | { plugin: string; options?: { targetName?: string } };

/**
 * The workspace's projects (each project.json under apps/, libs/ and tools/, and the root's) by name, read as
 * Nx builds them, without Nx (no daemon, no `nx show`): a target project.json declares runs
 * when it says what to run itself or nx.json's targetDefaults does for its name (`"deploy": {}`
 * is the default deploy; a declared name with neither runs nothing), and @nx/jest/plugin adds
 * its target (`test`, or its targetName) to each project with a jest.config.*.
 */
export function readNxProjects(root: string): Map<string, NxProject> {
  const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8"));
  const nx = readJson("nx.json") as { targetDefaults?: Record<string, TargetConfig>; plugins?: PluginEntry[] };
  const jest = (nx.plugins ?? []).map((entry) => (typeof entry === "string" ? { plugin: entry } : entry)).find(({ plugin }) => plugin === "@nx/jest/plugin");
  const runs = (name: string, target: TargetConfig) => [target, nx.targetDefaults?.[name] ?? {}].some((t) => t.executor ?? t.command ?? t.options?.command);
  const projects = new Map<string, NxProject>();
  const read = (projectRoot: string) => {
    if (!existsSync(path.join(root, projectRoot, "project.json"))) return;
    const project = readJson(`${projectRoot}/project.json`) as { name: string; targets?: Record<string, TargetConfig> };
    const targets = new Set(Object.entries(project.targets ?? {}).flatMap(([target, config]) => (runs(target, config) ? [target] : [])));
    const hasJestConfig = readdirSync(path.join(root, projectRoot)).some((file) => /^jest\.config\.(c|m)?(j|t)s$/.test(file));
    if (jest && hasJestConfig) targets.add(jest.options?.targetName ?? "test");
    projects.set(project.name, { name: project.name, root: projectRoot, targets });
  };
  for (const dir of ["apps", "libs", "tools"]) {
    for (const name of readdirSync(path.join(root, dir)).sort()) read(`${dir}/${name}`);
  }
  // The workspace's own targets (lint and typecheck over every project at once).
  read(".");
  return projects;
}
