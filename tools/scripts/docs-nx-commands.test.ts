import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { commandsOf, documentedCommands } from "@payments-dr/testing/doc-commands";
import { scratchDir } from "@payments-dr/testing/scratch-dir";
import { brokenNxCommands } from "./docs-nx-commands";
import { readNxProjects } from "./nx-projects";

const WORKSPACE = path.resolve(__dirname, "../..");
const projects = readNxProjects(WORKSPACE);
const commands = documentedCommands(WORKSPACE);

describe("the nx command lines of the README, docs/ and the libs' and tools' READMEs", () => {
  it("each name projects and targets that exist (project.json with nx.json's targetDefaults and the jest plugin)", () => {
    expect(brokenNxCommands(commands, projects)).toEqual([]);
  });

  it("are read: without dr-region's refresh target, the README's and the runbook's refresh lines fail", () => {
    const dr = projects.get("dr-region")!;
    const withoutRefresh = new Map(projects).set("dr-region", { ...dr, targets: new Set([...dr.targets].filter((t) => t !== "refresh")) });
    const refreshes = brokenNxCommands(commands, withoutRefresh).filter((problem) => problem.includes("→ dr-region has no target refresh "));
    const files = new Set(refreshes.map((problem) => problem.split(":")[0]));
    expect(files).toEqual(new Set(["README.md", "docs/runbook.md"]));
  });
});

describe("brokenNxCommands", () => {
  const doc = (markdown: string) => brokenNxCommands(commandsOf("doc.md", markdown), projects);

  it("checks nx run, and nx run-many and nx affected with or without -p", () => {
    expect(doc("`npx nx run dr:status` `nx run dr:statsu`\n```sh\nnpx nx run-many -t build test -p dr keys\nnx affected --targets=lint,tset\n```\n")).toEqual([
      expect.stringMatching(/^doc\.md:1: nx run dr:statsu → dr has no target statsu \(it has build, clear-sessions, .*\)$/),
      "doc.md:4: nx affected --targets=lint,tset → no project has a target tset",
    ]);
    expect(doc("`npx nx run-many -t build -p primary-region polcy-pack`")).toEqual(["doc.md:1: npx nx run-many -t build -p primary-region polcy-pack → no project polcy-pack"]);
  });

  it("expands <app> to every app, and leaves other placeholders unchecked", () => {
    expect(doc("`npx nx run <app>:refresh` `npx nx run <app>:serve` `npx nx run dr:<command> -- …` `npx nx run <project>:lint`")).toEqual([
      expect.stringMatching(/^doc\.md:1: npx nx run <app>:serve → dr-region has no target serve/),
      expect.stringMatching(/^doc\.md:1: npx nx run <app>:serve → global has no target serve/),
      expect.stringMatching(/^doc\.md:1: npx nx run <app>:serve → primary-region has no target serve/),
    ]);
  });
});

describe("readNxProjects", () => {
  it("counts a declared target only when it or nx.json's targetDefaults says what to run, and adds the jest plugin's test target", () => {
    const root = scratchDir("nx-projects-");
    const write = (file: string, json: object) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), JSON.stringify(json));
    };
    write("nx.json", { plugins: [{ plugin: "@nx/jest/plugin", options: { targetName: "unit" } }], targetDefaults: { deploy: { executor: "nx:run-commands" } } });
    write("apps/a/project.json", { name: "a", targets: { deploy: {}, orphan: {}, own: { command: "echo" }, bench: { options: { command: "node x" } } } });
    writeFileSync(path.join(root, "apps/a/jest.config.cjs"), "");
    write("libs/b/project.json", { name: "b" });
    write("project.json", { name: "workspace", targets: { lint: { command: "eslint ." } } });
    mkdirSync(path.join(root, "tools"));
    expect([...readNxProjects(root).values()].map(({ name, root, targets }) => [name, root, [...targets].sort()])).toEqual([
      ["a", "apps/a", ["bench", "deploy", "own", "unit"]],
      ["b", "libs/b", []],
      ["workspace", ".", ["lint"]],
    ]);
  });
});
