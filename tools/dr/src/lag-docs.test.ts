import { readFileSync } from "node:fs";
import * as path from "node:path";
import { MAX_LAG_SECONDS } from "./thresholds";

// The replication lag at which the alarms warn and `dr preflight` refuses a move (MAX_LAG_SECONDS,
// pinned to libs/monitoring's threshold by drill.test.ts) is quoted across the README, the runbook
// and the design decisions, in the words on-call reads before a move. Every copy of each shape
// must hold it, so a new share or RPO fails here until the documents say the same.
const WORKSPACE = path.resolve(__dirname, "../../..");
const DOCS = ["README.md", "docs/runbook.md", "docs/design-decisions.md"].map((file) => [file, readFileSync(path.join(WORKSPACE, file), "utf8")] as const);

const SHAPES = [
  /(\d+) s for a minute/g,
  /\| (\d+) s, alarmed after a minute \|/g,
  /replication lag (?:is )?under \**(\d+) s/g,
  /lag passes (\d+) s/g,
  /while it is (\d+) s or more/g,
  /crosses (\d+) s after/g,
];

describe("the replication lag warning as the documents quote it", () => {
  it.each(SHAPES)("every copy of %s says MAX_LAG_SECONDS", (shape) => {
    const copies = DOCS.flatMap(([file, text]) => [...text.matchAll(shape)].map((match) => [file, Number(match[1])] as const));
    expect(copies.length).toBeGreaterThan(0);
    for (const [file, seconds] of copies) expect([file, seconds]).toEqual([file, MAX_LAG_SECONDS]);
  });
});
