import { CliError, FailedError, messageOf, RefusedError } from "@payments-dr/cli-support";
import type { LagReading } from "./aws";
import type { Context } from "./context";
import { lagAcceptable, operationInProgress } from "./preflight";
import { confirmOrRefuse } from "./confirm";
import { type RoleChangeResult, switchover } from "./role-change";
import { readGlobalCluster, roleOf, writerSite } from "./status";
import { Timeline, type TimelineEvent } from "./timeline";
import type { RegionSite } from "./topology";
import { forgetSessions, lostPayments, type OutageWindow, outageWindows, type PaymentAttempt, PaymentTraffic, type TrafficOptions } from "./traffic";
import { AIM_RTO_SECONDS, MAX_LAG_SECONDS, RTO_SECONDS } from "./thresholds";
import { deadlineFrom, waitFor } from "./wait";

/**
 * How long the drill's payments may run: its four waits, each up to --timeout (the move, the
 * demoted cluster's lag, the move back, payments succeeding again), and the two baselines.
 */
export function drillTrafficSeconds(timeoutSeconds: number, settleSeconds: number): number {
  return 4 * timeoutSeconds + 2 * settleSeconds;
}

export interface DrillOptions extends TrafficOptions {
  yes: boolean;
  /** Seconds of traffic before the first switchover and after the second (a baseline either side). */
  settleSeconds: number;
}

export interface DrillResult {
  command: "drill";
  ok: boolean;
  endpoint: string;
  from: string;
  to: string;
  timeline: TimelineEvent[];
  switchovers: RoleChangeResult[];
  payments: { sent: number; acknowledged: number; failed: number; lost: number; lostKeys: string[] };
  /** Longest outage seen by the payments (first failure → first success after it), seconds; null when they never recovered. */
  observedRtoSeconds: number | null;
  /** The observed RTO judged against the targets: over the promise fails the drill; over the aim is only reported. */
  rto: RtoVerdict;
  outages: OutageWindow[];
  totalSeconds: number;
  error?: string;
}

export interface RtoVerdict {
  /** RTO_SECONDS (RECOVERY_TARGETS.rtoSeconds). */
  promisedSeconds: number;
  /** AIM_RTO_SECONDS (RECOVERY_TARGETS.aimRtoSeconds). */
  aimedSeconds: number;
  /** False also when the payments never recovered. */
  withinPromise: boolean;
  withinAim: boolean;
}

/**
 * Switchover to the DR region and back while payments flow through the public endpoint, then
 * reads every acknowledged payment back. A switchover is RPO 0: any lost payment fails the drill.
 */
export async function drill(ctx: Context, options: DrillOptions): Promise<DrillResult> {
  const { home, dr } = ctx.topology;
  const global = await readGlobalCluster(ctx, [home, dr]);
  if (roleOf(global, home) !== "writer" || operationInProgress(global)) {
    throw new RefusedError(`a drill starts from ${home.region} as the idle writer (now: ${home.region} is ${roleOf(global, home)}, status ${global.status}); use dr status / dr failback first`);
  }
  // With DNS failover, payments go where merchants send them: the failover domain. Without it no
  // endpoint follows the writer (each region's API can write only while its own cluster holds
  // the writer: the regions have no VPC peering), so they go to the writer region's API, moved
  // after each switchover as a client re-pointed by hand would be.
  const { failoverUrl } = ctx.topology;
  let writerApi = home.apiUrl;
  const endpoint = () => failoverUrl ?? writerApi;
  const described = failoverUrl ?? `the writer region's API (${home.apiUrl}, then ${dr.apiUrl}, then back; no failover domain)`;
  await confirmOrRefuse(ctx, options, `Drill: switch the writer ${home.region} → ${dr.region} → ${home.region} while sending up to ${options.maxPayments} test payments to ${described}?`);

  const timeline = new Timeline(ctx.clock, ctx.log);
  const traffic = new PaymentTraffic(ctx, endpoint, options);
  const switchovers: RoleChangeResult[] = [];
  let error: string | undefined;
  traffic.start();
  timeline.mark(`payments started to ${described}`);
  await ctx.clock.sleep(options.settleSeconds * 1000);
  // A drill that cannot pay (a revoked key, an API down) would move production and measure nothing.
  if (!traffic.attempts.some((a) => a.paymentId)) {
    const attempts = await traffic.stop();
    throw new RefusedError(
      `no test payment was acknowledged in the ${options.settleSeconds} s before the first switchover (${answersOf(attempts)}), so nothing was moved: ` +
        `check DR_DRILL_API_KEY (the drill merchant's key, e.g. a 401) and ${described}`,
    );
  }
  try {
    timeline.mark(`switchover ${home.region} → ${dr.region}`);
    // Payments follow the writer as soon as it moves, not after the move's own checks.
    switchovers.push(await switchover(ctx, dr, { yes: true, onWriter: () => (writerApi = dr.apiUrl) }));
    // The way back needs the replication lag of the cluster demoted a moment ago, which Aurora
    // publishes only now that it is a secondary (its first datapoint comes a minute or two
    // later), and under preflight's threshold: a catch-up spike would refuse the return leg.
    const demotedAt = ctx.clock.now();
    timeline.mark(`waiting for ${home.region}'s replication lag as a secondary to be reported under ${MAX_LAG_SECONDS} s`);
    const lag = await lagUnderThresholdSince(ctx, home, demotedAt);
    timeline.mark(`switchover ${dr.region} → ${home.region} (lag ${lag.seconds} s at ${lag.at.toISOString()})`);
    switchovers.push(await switchover(ctx, home, { yes: true, lagSince: demotedAt, onWriter: () => (writerApi = home.apiUrl) }, "failback"));
    timeline.mark(`back on ${home.region}`);
    await paymentsRecovered(ctx, traffic, described, timeline);
    await ctx.clock.sleep(options.settleSeconds * 1000);
  } catch (caught) {
    // A CLI error's message is already the operator's text (run.ts prints it so); messageOf would prefix its class name.
    error = caught instanceof CliError ? caught.message : messageOf(caught);
    // Its own advice ("re-run the same command") does not fit a drill, which refuses to start away from home.
    const writerNow = await readGlobalCluster(ctx, [dr, home]).then((g) => writerSite(g, ctx.topology)?.region, () => undefined);
    if (writerNow !== home.region) error += `; the writer is ${writerNow ? `left in ${writerNow}` : "unknown"}: check \`dr status\`, then move it home with \`dr failback\` (docs/runbook.md, Failback)`;
    timeline.mark(`drill stopped: ${error}`);
  }
  const attempts = await traffic.stop();
  timeline.mark(`payments stopped: ${attempts.length} sent`);
  const readRegion = writerApi === dr.apiUrl ? dr.region : home.region;
  const { cleared, failed } = await forgetSessions(ctx, readRegion, attempts);
  timeline.mark(`cleared ${cleared} payments' sessions in ${readRegion}, so the read-back asks PostgreSQL${failed ? ` (${failed} could not be: those may be read from the cache)` : ""}`);
  const lost = await lostPayments(ctx, endpoint(), attempts, options);
  timeline.mark(`read back ${attempts.filter((a) => a.paymentId).length} acknowledged payments: ${lost.length} lost`);

  const outages = outageWindows(attempts);
  const unrecovered = outages.some((w) => w.seconds === null);
  const observedRtoSeconds = unrecovered ? null : Math.max(0, ...outages.map((w) => w.seconds ?? 0));
  const rto = rtoVerdict(observedRtoSeconds);
  timeline.mark(`observed RTO: ${describeRto({ observedRtoSeconds, rto })}`);
  const acknowledged = attempts.filter((a) => a.paymentId).length;
  return {
    command: "drill",
    ok: error === undefined && lost.length === 0 && rto.withinPromise,
    endpoint: described,
    from: home.region,
    to: dr.region,
    timeline: timeline.events,
    switchovers,
    payments: { sent: attempts.length, acknowledged, failed: attempts.length - acknowledged, lost: lost.length, lostKeys: lost.map((a) => a.idempotencyKey) },
    observedRtoSeconds,
    rto,
    outages,
    totalSeconds: timeline.totalSeconds(),
    ...(error ? { error } : {}),
  };
}

/** The answers a set of payments got, e.g. "4 sent: 4 × HTTP 401". */
function answersOf(attempts: PaymentAttempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts) {
    const answer = a.httpStatus === null ? (a.error ?? "no answer") : `HTTP ${a.httpStatus}`;
    counts.set(answer, (counts.get(answer) ?? 0) + 1);
  }
  return `${attempts.length} sent${[...counts].map(([answer, n]) => `${n === attempts.length ? ": " : ", "}${n} × ${answer}`).join("")}`;
}

/** The observed RTO against the promise and the aim: at them still within. */
export function rtoVerdict(observedSeconds: number | null): RtoVerdict {
  return {
    promisedSeconds: RTO_SECONDS,
    aimedSeconds: AIM_RTO_SECONDS,
    withinPromise: observedSeconds !== null && observedSeconds <= RTO_SECONDS,
    withinAim: observedSeconds !== null && observedSeconds <= AIM_RTO_SECONDS,
  };
}

/** The observed RTO against the promise and the aim, in words: "120 s, within the promised 300 s but over the aimed 90 s". */
export function describeRto({ observedRtoSeconds: observed, rto }: Pick<DrillResult, "observedRtoSeconds" | "rto">): string {
  if (observed === null) return `not recovered, over the promised ${rto.promisedSeconds} s`;
  if (!rto.withinPromise) return `${observed} s, over the promised ${rto.promisedSeconds} s`;
  if (!rto.withinAim) return `${observed} s, within the promised ${rto.promisedSeconds} s but over the aimed ${rto.aimedSeconds} s`;
  return `${observed} s, within the aimed ${rto.aimedSeconds} s (promised ${rto.promisedSeconds} s)`;
}

/**
 * Waits, within --timeout, until the newest payment succeeded: the way back is over for clients
 * only then. Through a failover domain that is Route 53's move back (3 passing checks of the home
 * region's /health, then the record's TTL), which starts only once the home region holds the
 * writer again, so it comes after the switchover instead of alongside it as on the way out.
 */
async function paymentsRecovered(ctx: Context, traffic: PaymentTraffic, described: string, timeline: Timeline): Promise<void> {
  const newest = () => traffic.attempts.at(-1);
  if (newest()?.paymentId !== undefined) return;
  timeline.mark(`waiting for a payment through ${described} to succeed again`);
  await waitFor(
    ctx,
    `a payment through ${described} to succeed again`,
    async () => newest(),
    (attempt) => attempt?.paymentId !== undefined,
    deadlineFrom(ctx),
    (attempt) => (attempt ? `HTTP ${attempt.httpStatus ?? attempt.error ?? "no answer"}` : "no payment yet"),
    {
      failed: (attempt) =>
        attempt?.paymentId === undefined && traffic.finished
          ? `the drill's payments stopped at their cap (${traffic.attempts.length} sent: --max-payments, or its time limit) before one succeeded again; run it again with a higher --max-payments`
          : undefined,
      advice: "check `dr status` (each region's Route 53 check and /health) and where the failover domain resolves",
    },
  );
  timeline.mark(`payments through ${described} succeed again`);
}

/** Polls `site`'s replication lag until a reading covering time after `since` is under preflight's threshold, within --timeout. */
async function lagUnderThresholdSince(ctx: Context, site: RegionSite, since: Date): Promise<LagReading> {
  const reading = await waitFor(
    ctx,
    `a replication lag of ${site.clusterIdentifier} under ${MAX_LAG_SECONDS} s after ${since.toISOString()}`,
    () => ctx.aws.replicationLag(site.region, site.clusterIdentifier),
    (newest) => lagAcceptable(newest, since, ctx.clock.now()),
    deadlineFrom(ctx),
    (newest) => (newest ? `${newest.seconds} s at ${newest.at.toISOString()}` : "no datapoint"),
  );
  // waitFor returns only a value its predicate accepted: a reading.
  return reading as LagReading;
}

/** Why a finished drill failed, as the exit-code error; undefined when it passed. */
export function drillFailure(result: DrillResult): FailedError | undefined {
  if (result.ok) return undefined;
  const reasons = [
    result.error,
    result.payments.lost > 0 ? `${result.payments.lost} acknowledged payment(s) could not be read back (a switchover must lose none)` : undefined,
    result.outages.some((w) => w.seconds === null) ? "payments never succeeded again after failing" : undefined,
    result.observedRtoSeconds !== null && !result.rto.withinPromise ? `observed RTO ${result.observedRtoSeconds} s is over the promised ${result.rto.promisedSeconds} s` : undefined,
  ].filter(Boolean);
  return new FailedError(`drill failed: ${reasons.join("; ")}`);
}

/** The short Markdown record of a drill, kept with the team's DR evidence. */
export function drillMarkdown(result: DrillResult): string {
  const lines = [
    `# DR drill ${result.timeline[0]?.at ?? ""}`,
    "",
    `- Result: **${result.ok ? "passed" : "FAILED"}**${result.error ? ` (${result.error})` : ""}`,
    `- Move: ${result.from} → ${result.to} → ${result.from} (Aurora global switchover, RPO 0)`,
    `- Endpoint: ${result.endpoint}`,
    `- Observed RTO (longest run of failed payments, first failure → first success): ${describeRto(result)}`,
    `- Payments: ${result.payments.sent} sent, ${result.payments.acknowledged} acknowledged, ${result.payments.failed} failed, **${result.payments.lost} lost**`,
    `- Total: ${result.totalSeconds} s`,
    "",
    "## Switchovers",
    "",
    "| from | to | outcome | seconds |",
    "|---|---|---|---|",
    ...result.switchovers.map((s) => `| ${s.from ?? "?"} | ${s.to} | ${s.outcome} | ${s.totalSeconds} |`),
    "",
    "## Outages seen by payments",
    "",
    ...(result.outages.length === 0 ? ["None."] : result.outages.map((w) => `- ${w.from} → ${w.to ?? "never"}: ${w.seconds ?? "∞"} s`)),
    "",
    "## Timeline",
    "",
    "| at | +s | step |",
    "|---|---|---|",
    ...result.timeline.map((e) => `| ${e.at} | ${e.elapsedSeconds} | ${e.step.replace(/\|/g, "\\|")} |`),
    "",
  ];
  if (result.payments.lostKeys.length > 0) lines.push("## Lost payments (Idempotency-Key)", "", ...result.payments.lostKeys.map((k) => `- ${k}`), "");
  return lines.join("\n");
}
