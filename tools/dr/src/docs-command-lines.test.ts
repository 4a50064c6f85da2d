import * as path from "node:path";
import { cliLines, documentedCliCommands, refusedCliLines } from "@payments-dr/testing/doc-commands";
import { HELP, parseCliArgs } from "./args";
import { missingOption } from "./run";

// On-call pastes the documents' `dr` lines during an outage: a flag renamed or dropped in args.ts
// must fail here, naming the line, not there.
const WORKSPACE = path.resolve(__dirname, "../../..");

/** Values of the shape the CLI checks, for the documents' placeholders (`--since <as printed>`). */
const SAMPLES = { since: "2025-06-02T08:58:00Z", until: "2025-06-02T09:10:00Z", to: "us-east-2", region: "us-east-2" };

const lines = cliLines(WORKSPACE, "tools/dr", SAMPLES);

describe("the dr command lines of the README, docs/ and the tools' READMEs", () => {
  it("are found: each command has one at least (a reader that finds no line checks nothing)", () => {
    expect(documentedCliCommands(lines)).toEqual(Object.keys(HELP).filter((command) => command !== "help").sort());
  });

  it("each parse with the CLI's own parseCliArgs and carry the options their command requires (after `--`, placeholders given sample values)", () => {
    expect(refusedCliLines(lines, (argv) => missingOption(parseCliArgs(argv)))).toEqual([]);
  });
});
