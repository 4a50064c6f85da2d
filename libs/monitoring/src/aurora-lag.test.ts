import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AURORA_RPO_LAG_METRIC, auroraRpoLagQuery } from "./aurora-lag";

describe("auroraRpoLagQuery", () => {
  it("takes the cluster's highest lag from AWS/RDS by its identifier alone, over every dimension set (no SCHEMA)", () => {
    expect(auroraRpoLagQuery("payments-dr-aurora-use2-dev")).toBe(`SELECT MAX(${AURORA_RPO_LAG_METRIC}) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'payments-dr-aurora-use2-dev'`);
    expect(auroraRpoLagQuery("payments-dr-aurora-use2-dev")).not.toMatch(/SCHEMA/i);
  });

  it.each(["", "Payments", "x' OR DBClusterIdentifier != 'y", "a".repeat(64), "1cluster"])("refuses %j: not an identifier RDS gives, and nothing may end the query's string", (identifier) => {
    expect(() => auroraRpoLagQuery(identifier)).toThrow(/is not an Aurora DB cluster identifier/);
  });
});

describe("the lag query in README.md and docs/runbook.md", () => {
  // The on-call pastes these during an outage: they must ask what the alarms and `dr` ask.
  const WORKSPACE = join(__dirname, "..", "..", "..");
  const quoted = ["README.md", "docs/runbook.md"].flatMap((file) =>
    [...readFileSync(join(WORKSPACE, file), "utf8").matchAll(/--metric-data-queries '([^']+)'/g)].map((match): [string, string] => [file, match[1]!]),
  );

  it("quotes it in both files", () => {
    expect(new Set(quoted.map(([file]) => file))).toEqual(new Set(["README.md", "docs/runbook.md"]));
  });

  it.each(quoted)("%s: the shell's single-quoted JSON is auroraRpoLagQuery of the DR cluster, per minute", (_file, json) => {
    // README names the cluster with its `<suffix>` placeholder, the runbook with the dev stack's.
    expect(JSON.parse(json.replace("<suffix>", "dev"))).toEqual([{ Id: "lag", Period: 60, Expression: auroraRpoLagQuery("payments-dr-aurora-use2-dev") }]);
  });
});
