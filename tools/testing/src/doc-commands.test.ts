import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cliLines, commandsOf, documentedCliCommands, documentedFiles, refusedCliLines, shellCommands } from "./doc-commands";
import { scratchDir } from "./scratch-dir";

describe("shellCommands", () => {
  it.each([
    ["npx nx run keys:build && node cli.js create --label \"checkout backend\"", [["npx", "nx", "run", "keys:build"], ["node", "cli.js", "create", "--label", "checkout backend"]]],
    ["PULUMI_CONFIG_PASSPHRASE=… AWS_PROFILE=x npx nx run-many -t deploy --graph=stdout | jq .tasks", [["npx", "nx", "run-many", "-t", "deploy", "--graph=stdout"], ["jq", ".tasks"]]],
    ["node cli.js status --json > status.json 2>&1; echo 'a b' x\\ y", [["node", "cli.js", "status", "--json"], ["echo", "a b", "x y"]]],
    ["node cli.js create --merchant <merchant id> --since \"$(date -u +%FT%TZ)\"", [["node", "cli.js", "create", "--merchant", "<merchant id>", "--since", "$(date -u +%FT%TZ)"]]],
    ["a --urn 'x\\$y' || b", [["a", "--urn", "x\\$y"], ["b"]]],
  ])("%s", (line, commands) => {
    expect(shellCommands(line).commands).toEqual(commands);
  });

  it("ends at a comment, which it returns", () => {
    expect(shellCommands("npx nx run dr:status   # then `npx nx run dr:build` a#b")).toEqual({ commands: [["npx", "nx", "run", "dr:status"]], comment: " then `npx nx run dr:build` a#b" });
  });
});

describe("commandsOf", () => {
  it("reads shell fences line by line, and inline code in prose and in fenced comments, with their lines", () => {
    const markdown = [
      "Run `nx run a:b`, or `nx run-many -t", // 1: a span over a line break
      "lint test`.",
      "",
      "```sh",
      "nx run c:d \\", // 5: continued
      "  -- --x 1",
      "# 3. A drill: `nx run e:f`", // 7
      "```",
      "```ts",
      'run("nx run g:h");', // not shell
      "```",
      "- step",
      "  ~~~",
      "  nx run i:j", // 14: an indented tilde fence
      "  ~~~",
      "A lone ` backtick", // 16: no span
      "",
      "and `nx run k:l`", // 18
    ].join("\n");
    expect(commandsOf("doc.md", markdown).map(({ line, text, words }) => [line, text, words.join(" ")])).toEqual([
      [1, "nx run a:b", "nx run a:b"],
      [1, "nx run-many -t lint test", "nx run-many -t lint test"],
      [5, "nx run c:d    -- --x 1", "nx run c:d -- --x 1"],
      [7, "nx run e:f", "nx run e:f"],
      [14, "nx run i:j", "nx run i:j"],
      [18, "nx run k:l", "nx run k:l"],
    ]);
  });
});

describe("cliLines", () => {
  const root = scratchDir("doc-commands-");
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write(
    "tools/cli/project.json",
    JSON.stringify({
      name: "cli",
      targets: {
        build: { options: { command: "node bundle.mjs src/cli.ts dist/tools/cli/cli.js" } },
        go: { options: { command: "node dist/tools/cli/cli.js go", forwardAllArgs: true } },
      },
    }),
  );
  write("README.md", "```sh\nnpx nx run cli:go -- --id <id> --n 2   # note\nnpx nx run cli:build\nnpx nx run cli:go --id 1\n```\n");
  write("docs/runbook.md", "`node dist/tools/cli/cli.js go --at <time>`, `node dist/tools/cli/cli.js <command> --help`, `npx nx run cli:<command> -- …`, `node dist/tools/cli/cli.js`\n");
  write("tools/cli/README.md", "`npx nx run cli:go -- …`\n");
  mkdirSync(path.join(root, "apps"));
  mkdirSync(path.join(root, "libs"));

  it("reads the README, docs/ and the projects' READMEs", () => {
    expect(documentedFiles(root)).toEqual(["README.md", "docs/runbook.md", "tools/cli/README.md"]);
  });

  it("gives the argv each line passes the CLI, with sample values for placeholders; leaves out patterns and other targets", () => {
    expect(cliLines(root, "tools/cli", { id: "0123" })).toEqual([
      { file: "README.md", line: 2, text: "npx nx run cli:go -- --id <id> --n 2   # note", argv: ["go", "--id", "0123", "--n", "2"] },
      { file: "README.md", line: 4, text: "npx nx run cli:go --id 1", problem: "--id 1 before `--`: Nx reads it, write it after `--`" },
      { file: "docs/runbook.md", line: 1, text: "node dist/tools/cli/cli.js go --at <time>", problem: "no sample value for --at <time>: add one, of the shape the CLI checks" },
    ]);
  });

  it("names each line the CLI's check refuses, thrown or answered, and the lines that could not be made an argv", () => {
    const lines = cliLines(root, "tools/cli", { id: "0123", at: "noon" });
    expect(documentedCliCommands(lines)).toEqual(["go"]);
    expect(refusedCliLines(lines, () => undefined)).toEqual(["README.md:4: npx nx run cli:go --id 1 → --id 1 before `--`: Nx reads it, write it after `--`"]);
    expect(refusedCliLines(lines, (argv) => (argv.includes("--n") ? "--n is not an option" : undefined))).toEqual([
      "README.md:2: npx nx run cli:go -- --id <id> --n 2   # note → --n is not an option",
      "README.md:4: npx nx run cli:go --id 1 → --id 1 before `--`: Nx reads it, write it after `--`",
    ]);
    const parser = (argv: string[]) => {
      if (argv.includes("--at")) throw new Error("--at takes a time");
    };
    expect(refusedCliLines(lines, parser)).toContain("docs/runbook.md:1: node dist/tools/cli/cli.js go --at <time> → --at takes a time");
  });
});
