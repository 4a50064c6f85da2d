import { readFileSync } from "node:fs";
import * as path from "node:path";
import { defaultAlarmThresholds } from "./thresholds";

// The replication warning (the default of the Aurora lag alarm, of both tables' replication
// alarms, and the lag at which `dr preflight` refuses a move: tools/dr pins its MAX_LAG_SECONDS
// to it) is quoted across the README, the runbook and the design decisions, in the words on-call
// reads before a move. Every copy of each shape must hold it, so a new share or RPO fails here
// until the documents say the same.
const WORKSPACE = path.resolve(__dirname, "../../../..");
const DOCS = ["README.md", "docs/runbook.md", "docs/design-decisions.md"].map((file) => [file, readFileSync(path.join(WORKSPACE, file), "utf8")] as const);

const SHAPES = [
  /(\d+) s for a minute/g,
  /\| (\d+) s, alarmed after a minute \|/g,
  /replication lag (?:is )?under \**(\d+) s/g,
  /lag passes (\d+) s/g,
  /while it is (\d+) s or more/g,
  /crosses (\d+) s after/g,
];

describe("the replication warning as the documents quote it", () => {
  const { auroraReplicationLagMs, dynamodbReplicationLatencyMs, apiKeysReplicationLatencyMs, rpoLagMinutes } = defaultAlarmThresholds;

  it("is one number for Aurora and both tables, confirmed for a minute: the documents quote one", () => {
    expect(new Set([auroraReplicationLagMs, dynamodbReplicationLatencyMs, apiKeysReplicationLatencyMs]).size).toBe(1);
    expect(rpoLagMinutes).toBe(1);
  });

  it.each(SHAPES)("every copy of %s says the default warning", (shape) => {
    const copies = DOCS.flatMap(([file, text]) => [...text.matchAll(shape)].map((match) => [file, Number(match[1])] as const));
    expect(copies.length).toBeGreaterThan(0);
    for (const [file, seconds] of copies) expect([file, seconds]).toEqual([file, auroraReplicationLagMs / 1000]);
  });
});
