// Checks synthesized stacks against the compliance policies, offline.
// Usage: node dist/libs/policy-pack/cli.js dist/synth/*.json
// Exit codes: 0 no mandatory violation (advisory warnings allowed), 1 a mandatory policy is
// broken, 2 usage or unreadable plan.
import { readFileSync } from "node:fs";
import type { StackPlan } from "@payments-dr/synth";
import { checkPlan } from "./check-plan";
import type { Violation } from "./model";
import { POLICIES } from "./policies";

/** What a CLI run printed and how it ended. */
export interface CliResult {
  exitCode: number;
  output: string;
}

const USAGE = "usage: policy-pack <dist/synth/app.json>...";

/** Runs the CLI over synth plan files, without exiting the process (tests call it directly). */
export function runCli(files: readonly string[]): CliResult {
  if (files.length === 0) return { exitCode: 2, output: USAGE };
  const lines: string[] = [];
  const broken = new Set<string>();
  let mandatory = 0;
  let advisory = 0;
  let resources = 0;
  for (const file of files) {
    const plan = readPlan(file);
    if (typeof plan === "string") return { exitCode: 2, output: [...lines, plan].join("\n") };
    const violations = checkPlan(plan);
    resources += plan.resources.filter((r) => r.custom).length;
    mandatory += violations.filter((v) => v.enforcementLevel === "mandatory").length;
    advisory += violations.filter((v) => v.enforcementLevel === "advisory").length;
    violations.filter((v) => v.enforcementLevel === "mandatory").forEach((v) => broken.add(v.policy));
    lines.push(`${file} (${plan.project}/${plan.stack}): ${violations.length === 0 ? "compliant" : `${violations.length} finding(s)`}`);
    lines.push(...byResource(violations));
  }
  if (broken.size > 0) {
    lines.push("How to fix:");
    for (const policy of POLICIES.filter((p) => broken.has(p.name))) lines.push(`  ${policy.name}: ${policy.remediation}`);
  }
  const verdict = mandatory > 0 ? "FAIL" : "PASS";
  lines.push(
    `policy-pack: ${verdict} — ${files.length} stack(s), ${resources} resources, ${POLICIES.length} policies: ` +
      `${mandatory} mandatory violation(s), ${advisory} advisory warning(s)`,
  );
  return { exitCode: mandatory > 0 ? 1 : 0, output: lines.join("\n") };
}

function readPlan(file: string): StackPlan | string {
  let plan: StackPlan;
  try {
    plan = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return `policy-pack: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!plan || !Array.isArray(plan.resources) || typeof plan.config !== "object") {
    return `policy-pack: ${file} is not a synth plan (no resources/config); produce it with nx run <app>:synth`;
  }
  return plan;
}

/** Violations grouped by resource, mandatory ones as errors and advisory ones as warnings. */
function byResource(violations: readonly Violation[]): string[] {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    const key = `${v.resource.type} ${v.resource.name}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  return [...groups.entries()].flatMap(([resource, found]) => [
    `  ${resource}`,
    ...found.map((v) => `    ${v.enforcementLevel === "mandatory" ? "error  " : "warning"} ${v.policy}: ${v.message}`),
  ]);
}

if (require.main === module) {
  const { exitCode, output } = runCli(process.argv.slice(2));
  (exitCode === 2 ? console.error : console.log)(output);
  process.exitCode = exitCode;
}
