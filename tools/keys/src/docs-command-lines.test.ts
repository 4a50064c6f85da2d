import * as path from "node:path";
import { cliLines, documentedCliCommands, refusedCliLines } from "@payments-dr/testing/doc-commands";
import { HELP, parseCliArgs } from "./args";

// On-call pastes the documents' `keys` lines during an outage: a flag renamed or dropped in args.ts
// must fail here, naming the line, not there.
const WORKSPACE = path.resolve(__dirname, "../../..");

/** Values of the shape the CLI checks, for the documents' placeholders (`--key-id <id>`, `--merchant <merchant id>`). */
const SAMPLES = { "key-id": "0123456789abcdef", merchant: "m-123", label: "checkout backend", region: "us-east-2" };

const lines = cliLines(WORKSPACE, "tools/keys", SAMPLES);

describe("the keys command lines of the README, docs/ and the tools' READMEs", () => {
  it("are found: each command has one at least (a reader that finds no line checks nothing)", () => {
    expect(documentedCliCommands(lines)).toEqual(Object.keys(HELP).filter((command) => command !== "help").sort());
  });

  it("each parse with the CLI's own parseCliArgs (after `--`, placeholders given sample values)", () => {
    expect(refusedCliLines(lines, (argv) => void parseCliArgs(argv))).toEqual([]);
  });
});
