import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as ts from "typescript";
import { readNxProjects } from "./nx-projects";

// lint and typecheck run once, over the program of the root tsconfig.json (project.json): a
// project whose sources that program does not include (say, .ts files outside src/) would be
// neither type-checked nor linted with types, and nothing would say so.
const WORKSPACE = path.resolve(__dirname, "../..");

function filesOf(tsconfig: string): string[] {
  const onUnRecoverableConfigFileDiagnostic = (diagnostic: ts.Diagnostic) => {
    throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic });
  if (!parsed) throw new Error(`${tsconfig} could not be read`);
  return parsed.fileNames;
}

describe("the workspace's one program (tsconfig.json), which lint and typecheck check", () => {
  const workspaceFiles = new Set(filesOf(path.join(WORKSPACE, "tsconfig.json")));
  const projects = [...readNxProjects(WORKSPACE).values()].filter(({ root }) => root !== ".");

  it("includes every file of every project's own tsconfig.json", () => {
    const missing = projects.flatMap(({ root }) => filesOf(path.join(WORKSPACE, root, "tsconfig.json")).filter((file) => !workspaceFiles.has(file)));
    expect(missing).toEqual([]);
    expect(projects.length).toBeGreaterThanOrEqual(20);
  });

  it("is what lint's and typecheck's cache keys hash: a change to any project's file runs them again", () => {
    // Nx gives a file to the deepest project that holds it, so the root project's own inputs
    // ({projectRoot}/**) hold none of the projects' files: they come in through ^default.
    const sources = projects.map(({ root }) => path.relative(WORKSPACE, filesOf(path.join(WORKSPACE, root, "tsconfig.json"))[0]!));
    for (const target of ["lint", "typecheck"]) {
      const nx = spawnSync(path.join(WORKSPACE, "node_modules/.bin/nx"), ["show", "target", "inputs", `workspace:${target}`, "--check", ...sources], {
        cwd: WORKSPACE,
        encoding: "utf8",
        env: { ...process.env, NX_DAEMON: "false" },
      });
      expect({ target, status: nx.status, notInputs: nx.stdout.split("were not inputs")[1] ?? "" }).toEqual({ target, status: 0, notInputs: "" });
    }
  }, 60_000);

  it("is where lint and typecheck run: no project has targets of its own for them", () => {
    const own = projects.flatMap(({ name, targets }) => ["lint", "typecheck"].filter((target) => targets.has(target)).map((target) => `${name}:${target}`));
    expect(own).toEqual([]);
    expect(readNxProjects(WORKSPACE).get("workspace")?.targets).toEqual(new Set(["lint", "typecheck"]));
  });
});
