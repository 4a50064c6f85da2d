import { isPlaceholder, type DocCommand } from "@payments-dr/testing/doc-commands";
import type { NxProject } from "./nx-projects";

/** The projects a project name in a document stands for; none when it is a placeholder left unchecked. */
function projectsNamed(name: string, projects: Map<string, NxProject>): string[] {
  // `<app>` is "each stack": the README's table (`npx nx run <app>:refresh`, …) says the target works
  // on every app, so each must have it. Any other placeholder (`<project>`) names no project to check.
  if (name === "<app>") return [...projects.values()].filter((p) => p.root.startsWith("apps/")).map((p) => p.name);
  return isPlaceholder(name) ? [] : [name];
}

/** The values of `-t`/`--targets` (or `-p`/`--projects`) in an `nx run-many` or `nx affected`: separate words or commas. */
function optionValues(args: string[], names: string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const [name, inline] = args[i]!.split(/=(.*)/s);
    if (!names.includes(name!)) continue;
    if (inline !== undefined) values.push(inline);
    else for (; i + 1 < args.length && !args[i + 1]!.startsWith("-"); i++) values.push(args[i + 1]!);
  }
  return values.flatMap((value) => value.split(",")).filter(Boolean);
}

/** What is wrong with one documented nx command: each project or target it names that does not exist (`nx affected` alone names the command, runs nothing). */
function problemsOf(words: string[], projects: Map<string, NxProject>): string[] {
  const nx = words[0] === "npx" ? words.slice(1) : words;
  if (nx[0] !== "nx") return [];
  const problems = new Set<string>();
  const check = (name: string, target: string) => {
    const project = projects.get(name);
    if (!project) problems.add(`no project ${name}`);
    else if (!isPlaceholder(target) && !project.targets.has(target)) problems.add(`${name} has no target ${target} (it has ${[...project.targets].sort().join(", ")})`);
  };
  if (nx[1] === "run" && nx[2] !== undefined) {
    const [name, target] = nx[2].split(":");
    if (target === undefined) return [`${nx[2]} names no target (nx run <project>:<target>)`];
    for (const project of projectsNamed(name!, projects)) check(project, target);
  } else if ((nx[1] === "run-many" || nx[1] === "affected") && nx.length > 2) {
    const targets = optionValues(nx.slice(2), ["-t", "--targets", "--target"]);
    const named = optionValues(nx.slice(2), ["-p", "--projects"]);
    if (targets.length === 0) return [`nx ${nx[1]} without -t`];
    for (const target of targets) {
      if (named.length > 0) for (const project of named.flatMap((name) => projectsNamed(name, projects))) check(project, target);
      // Without -p, Nx runs a target on each project that has it: one at least must.
      else if (![...projects.values()].some((p) => p.targets.has(target))) problems.add(`no project has a target ${target}`);
    }
  }
  return [...problems];
}

/** Each documented `nx run`, `nx run-many` and `nx affected` that names a project or target that does not exist, as `file:line: text → why`. */
export function brokenNxCommands(commands: DocCommand[], projects: Map<string, NxProject>): string[] {
  return commands.flatMap(({ file, line, text, words }) => problemsOf(words, projects).map((problem) => `${file}:${line}: ${text} → ${problem}`));
}
