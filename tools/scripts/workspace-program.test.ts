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

  it("is where lint and typecheck run: no project has targets of its own for them", () => {
    const own = projects.flatMap(({ name, targets }) => ["lint", "typecheck"].filter((target) => targets.has(target)).map((target) => `${name}:${target}`));
    expect(own).toEqual([]);
    expect(readNxProjects(WORKSPACE).get("workspace")?.targets).toEqual(new Set(["lint", "typecheck"]));
  });
});
