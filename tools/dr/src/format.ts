import { orDash, table } from "@payments-dr/cli-support";
import { AURORA_RPO_LAG_METRIC } from "@payments-dr/monitoring/aurora-lag";
import type { ClearSessionsResult } from "./clear-sessions";
import { FENCE_RESTORE_TAG, type FenceResult } from "./fence";
import { describeRto, type DrillResult } from "./drill";
import type { PreflightResult } from "./preflight";
import type { RoleChangeResult } from "./role-change";
import type { AlertsStatus, GlobalTableStatus, ProbeStatus, StatusReport } from "./status-schema";
import { LOST_WRITES_LOOKBACK_SECONDS, PROBE_LOOKBACK_SECONDS } from "./thresholds";

export function formatStatus(report: StatusReport): string {
  const g = report.globalCluster;
  const op = g.operation ? `, ${g.operation.status} ${orDash(g.operation.fromRegion)} → ${orDash(g.operation.toRegion)}` : "";
  const regions = table(
    ["region", "stack", "role", "cluster", "sync", "engine", "lag s", "route53", "/health", "fence"],
    report.regions.map((r) => [
      r.region,
      r.stack,
      r.role,
      r.cluster.error ? `error: ${r.cluster.error}` : orDash(r.cluster.status),
      orDash(r.cluster.synchronizationStatus),
      orDash(r.cluster.engineVersion),
      r.lagError ? "error" : orDash(r.replicationLagSeconds),
      r.route53HealthCheck.error
        ? "error"
        : r.route53HealthCheck.healthy === null
          ? "-"
          : `${r.route53HealthCheck.healthy ? "healthy" : "UNHEALTHY"} ${r.route53HealthCheck.checkersHealthy}/${r.route53HealthCheck.checkersTotal}${checkFlags(r.route53HealthCheck)}`,
      r.api.ok ? `200 ${r.api.latencyMs}ms` : `FAIL ${r.api.error ?? ""}`,
      !r.fence ? "-" : r.fence.fenced ? "FENCED" : r.fence.error ? "error" : "no",
    ]),
  );
  const fenced = report.regions.filter((r) => r.fence?.fenced).map(fenceLine);
  const fenceErrors = report.regions.filter((r) => r.fence?.error).map((r) => `fence of ${r.region}: error: ${r.fence?.error}`);
  const tableLine = (t: GlobalTableStatus) =>
    t.error ? `error: ${t.error}` : `${t.tableStatus}; replicas ${t.replicas.map((r) => `${r.region} ${r.status}`).join(", ") || "none"}`;
  const s3 = report.s3Replication.error
    ? `error: ${report.s3Replication.error}`
    : report.s3Replication.rules.map((r) => `${r.id} ${r.status} → ${orDash(r.destinationBucket)}`).join(", ") || "no rules";
  return [
    `global cluster ${g.id}: ${g.error ? `error: ${g.error}` : `${g.status}, engine ${orDash(g.engineVersion)}${op}`}`,
    `writer: ${orDash(report.writerRegion)}`,
    "",
    regions,
    ...(fenced.length || fenceErrors.length ? ["", ...fenced, ...fenceErrors] : []),
    "",
    `sessions table ${report.sessions.table}: ${tableLine(report.sessions)}`,
    `API keys table ${report.apiKeys.table}: ${tableLine(report.apiKeys)}`,
    `S3 replication from ${report.s3Replication.sourceBucket}: ${s3}`,
    ...(report.primaryProbe ? [probeLine(report.primaryProbe)] : []),
    ...report.regions.flatMap((r) => (r.alerts ? [alertsLine(r.region, r.alerts)] : [])),
    "",
    `lag: CloudWatch ${AURORA_RPO_LAG_METRIC} (Maximum, 1 min), latest datapoint of the last 5 min, readers only`,
  ].join("\n");
}

/** A fenced region: which functions are at 0, whether `dr unfence` can restore them, and how. */
function fenceLine(r: StatusReport["regions"][number]): string {
  const functions = (r.fence?.functions ?? []).filter((f) => f.reservedConcurrency === 0);
  const byHand = r.fence?.error ? [] : functions.filter((f) => f.restore === null);
  // A tag not read (ListTags failed: see the error line) is not a fence by hand.
  const record = (f: (typeof functions)[number]) => (f.restore !== null ? ` (restores ${f.restore})` : r.fence?.error ? " (record not read)" : " (by hand: no record)");
  const names = functions.map((f) => `${f.name}${record(f)}`).join(", ");
  const undo = byHand.length ? "`dr unfence` refuses the ones fenced by hand (docs/runbook.md, Failback)" : `undo: npx nx run dr:unfence -- --region ${r.region}`;
  return `${r.region} is FENCED: reserved concurrency 0 on ${names}. Its payments answer a 5xx and its /health fails; ${undo}`;
}

/** A disabled check is always healthy to Route 53 (its record never fails over); an inverted one reads backwards; a disabled and inverted one is always unhealthy. */
function checkFlags(check: { disabled: boolean | null; inverted: boolean | null }): string {
  // Disabled holds the check healthy; inverted as well, Route 53 holds it unhealthy.
  if (check.disabled && check.inverted) return " DISABLED INVERTED (always unhealthy: DNS never answers with its record)";
  return `${check.disabled ? " DISABLED (always healthy: no DNS failover)" : ""}${check.inverted ? " INVERTED" : ""}`;
}

function subscriptionState(s: AlertsStatus["subscriptions"][number]): string {
  if (s.state === "pending") return "PENDING CONFIRMATION (SNS deletes it 48 h after it was made)";
  if (s.state === "deleted") return "DELETED (unsubscribed)";
  if (s.authenticated === null) return "confirmed (who may unsubscribe it: not read)";
  return s.authenticated ? "confirmed" : "confirmed without --authenticate-on-unsubscribe: ANY ALERT'S UNSUBSCRIBE LINK REMOVES IT";
}

/** Who a region's alarms page, and what would stop them: an unconfirmed subscription pages no one, one confirmed through the email's link can be removed by any alert's unsubscribe link. */
function alertsLine(region: string, alerts: AlertsStatus): string {
  const head = `alerts from ${region} (${alerts.topicArn})`;
  const error = alerts.error ? `; error: ${alerts.error}` : "";
  if (alerts.error && alerts.subscriptions.length === 0) return `${head}: error: ${alerts.error}`;
  const subscriptions = alerts.subscriptions.map((s) => `${s.protocol} ${s.endpoint} ${subscriptionState(s)}`);
  const pagesNobody = alerts.subscriptions.some((s) => s.state === "confirmed") ? "" : "; its alarms PAGE NOBODY";
  const fix = alerts.subscriptions.some((s) => s.state === "pending" || s.authenticated === false) ? " (README, Deploy: confirm with --authenticate-on-unsubscribe true)" : "";
  const remake = alerts.subscriptions.some((s) => s.state === "deleted") ? " (a deleted one: refresh, then up, makes it again)" : "";
  const none = "no subscription (alertEmail unset, or SNS deleted it unconfirmed: refresh, then up, makes it again)";
  return `${head}: ${subscriptions.join(", ") || none}${pagesNobody}${fix}${remake}${error}`;
}

function probeLine(p: ProbeStatus): string {
  const seen = p.error
    ? `error: ${p.error}`
    : p.healthy === null
      ? `no datapoint in the last ${PROBE_LOOKBACK_SECONDS / 60} min (probe not deployed, or not reporting)`
      : `${p.healthy ? "healthy" : "UNHEALTHY"} at ${p.at}${p.failedInARow > 0 ? `, ${p.failedInARow} failed in a row` : ""}`;
  return `${p.target} /health probed from ${p.region}: ${seen}`;
}

export function formatPreflight(result: PreflightResult): string {
  return [
    `preflight to ${result.target}: ${result.ok ? "PASS" : "FAIL"}`,
    table(["", "check", "detail"], result.checks.map((c) => [c.ok ? "ok" : "FAIL", c.name, c.detail])),
  ].join("\n");
}

export function formatRoleChange(result: RoleChangeResult): string {
  const outcome = { done: "done", "already-done": "already done", resumed: "done (waited for the move already in progress)" }[result.outcome];
  const lines = [`${result.command} ${orDash(result.from)} → ${result.to}: ${outcome} in ${result.totalSeconds} s`];
  if (result.rpoEstimate) {
    const { seconds, observedAt, source } = result.rpoEstimate;
    lines.push(`RPO estimate: last lag seen ${seconds ?? "unknown"} s at ${orDash(observedAt)} (${source}); the writes lost may be recovered from the old writer's snapshot rds:unplanned-global-failover-*, if Aurora could take it, and listed with libs/payment-lambda/sql/lost-payments-*.sql (docs/runbook.md, The lost writes may be recoverable)`);
  }
  lines.push(table(["at", "+s", "step"], result.timeline.map((e) => [e.at, e.elapsedSeconds.toFixed(1), e.step])));
  if (result.rpoEstimate) {
    lines.push(
      `next: delete the sessions of the payments the failover may have lost (GETs answer them until then): npx nx run dr:clear-sessions -- --region ${result.to} --since ${result.rpoEstimate.lostSince}` +
        ` (earlier if the outage began more than ${LOST_WRITES_LOOKBACK_SECONDS / 60} minutes before the failover; docs/runbook.md)`,
    );
  } else if (result.command === "failover") {
    // A re-run that found the move under way or done: the run that requested it printed the exact --since.
    lines.push(
      `next: delete the sessions of the payments the failover may have lost (GETs answer them until then): npx nx run dr:clear-sessions -- --region ${result.to} --since <the --since the run that requested the failover printed in its timeline; else ${LOST_WRITES_LOOKBACK_SECONDS / 60} minutes before the writer's region began to fail> (docs/runbook.md)`,
    );
  }
  lines.push(
    result.command === "failover"
      ? `next: refresh the stack of ${result.to} now, the other region's once that region answers (npx nx run <app>:refresh, or the deploy workflow run by hand with command refresh; see docs/runbook.md)`
      : "next: npx nx run primary-region:refresh && npx nx run dr-region:refresh, or the deploy workflow run by hand with command refresh and stacks all (see docs/runbook.md)",
  );
  return lines.join("\n");
}

export function formatClearSessions(result: ClearSessionsResult): string {
  const counts = `scanned ${result.scanned}, matched ${result.matched}, deleted ${result.deleted}`;
  return [
    `clear-sessions ${result.table} in ${result.region}, createdAt ${result.since} → ${result.until}: ${counts}`,
    ...(result.dryRun ? [`--dry-run: nothing deleted; without it, the ${result.matched} matched would be deleted`] : []),
  ].join("\n");
}

export function formatDrill(result: DrillResult, reportPath: string): string {
  return [
    `drill ${result.from} → ${result.to} → ${result.from}: ${result.ok ? "PASSED" : "FAILED"}${result.error ? ` (${result.error})` : ""}`,
    `observed RTO: ${describeRto(result)}`,
    `payments: ${result.payments.sent} sent, ${result.payments.acknowledged} acknowledged, ${result.payments.lost} lost`,
    `report: ${reportPath}`,
  ].join("\n");
}

export function formatFence(result: FenceResult): string {
  const outcome = result.outcome === "done" ? "done" : result.command === "fence" ? "already fenced" : "not fenced: nothing to do";
  const value = (n: number | null) => (n === null ? "unreserved" : String(n));
  return [
    `${result.command} ${result.region}: ${outcome} in ${result.totalSeconds} s`,
    table(
      ["function", "role", "reserved before", "now", FENCE_RESTORE_TAG],
      result.functions.map((f) => [f.name, f.role, value(f.before), value(f.after), orDash(f.restoreTag)]),
    ),
    table(["at", "+s", "step"], result.timeline.map((e) => [e.at, e.elapsedSeconds.toFixed(1), e.step])),
    ...(result.effect ? [`effect: ${result.effect}`] : []),
    ...(result.undo ? [`undo: ${result.undo}`] : []),
  ].join("\n");
}
