import { FailedError, messageOf, RefusedError } from "@payments-dr/cli-support";
import { AURORA_RPO_LAG_METRIC, type GlobalClusterView } from "./aws";
import { confirmOrRefuse } from "./confirm";
import type { Context } from "./context";
import { checkHealth } from "./http";
import { outageClock } from "./outage";
import { operationInProgress, preflight, type PreflightOptions, type PreflightResult } from "./preflight";
import { readGlobalCluster, roleOf, writerSite } from "./status";
import { LOST_WRITES_LOOKBACK_SECONDS } from "./thresholds";
import { Timeline, type TimelineEvent } from "./timeline";
import type { RegionSite } from "./topology";
import { postTestPayment } from "./traffic";
import { deadlineFrom, waitFor } from "./wait";

export interface RoleChangeResult {
  command: "switchover" | "failover" | "failback";
  /** `done`: this run moved the writer; `resumed`: it waited for a move already under way. */
  outcome: "done" | "already-done" | "resumed";
  from: string | null;
  to: string;
  timeline: TimelineEvent[];
  totalSeconds: number;
  preflight?: PreflightResult;
  /**
   * Failover only: the last replication lag the target region reported before the move, an
   * estimate of the writes lost (the lag may have grown after that reading, until the writer's region failed).
   */
  rpoEstimate?: RpoEstimate;
}

/** What a failover may have lost, from the last lag reading of the target. */
export interface RpoEstimate {
  seconds: number | null;
  observedAt: string | null;
  source: string;
  /** Where the sessions of payments the failover may have lost begin ({@link lostWritesSince}): the `--since` of `dr clear-sessions`. */
  lostSince: string;
}

export interface RoleChangeOptions {
  /** Skip the confirmation (`--yes`, or a drill that already asked once). */
  yes: boolean;
  /** Switchover: preflight counts only lag readings after this (a drill's return leg). */
  lagSince?: PreflightOptions["lagSince"];
  /** Switchover: called once the target is seen as the writer, before the checks that follow (a drill re-points its payments). */
  onWriter?: () => void;
}

/** Options of {@link failover}. */
export interface FailoverOptions extends RoleChangeOptions {
  /** `--allow-data-loss`: required. */
  allowDataLoss: boolean;
  /** `--force`: fail over even while the writer's region answers `/health` 200. */
  force?: boolean;
}

/**
 * Planned switchover (RPO 0): both regions healthy, preflight must pass. Re-running it is safe:
 * a target already writer is "already done"; a switchover to it already under way is waited for.
 */
export async function switchover(ctx: Context, target: RegionSite, options: RoleChangeOptions, command: RoleChangeResult["command"] = "switchover"): Promise<RoleChangeResult> {
  const timeline = new Timeline(ctx.clock, ctx.log);
  let deadline = deadlineFrom(ctx);
  const global = await readGlobalCluster(ctx, [target, ctx.topology.other(target)]);
  const from = writerSite(global, ctx.topology)?.region ?? null;
  timeline.mark(`read ${global.id}: status ${global.status}, writer ${from ?? "none"}`);

  const settled = settledOn(global, target);
  if (settled) {
    options.onWriter?.();
    return finish(ctx, command, "already-done", from, target, timeline, deadline);
  }

  if (operationInProgress(global)) {
    const towards = ctx.topology.byClusterArn(global.operation?.toClusterArn);
    if (towards && towards !== target) {
      throw new RefusedError(`a ${global.operation?.status ?? global.status} towards ${towards.region} is in progress: wait for it (dr status), then decide`);
    }
    // Not this command's move: reporting it as an RPO-0 switchover would hide the data loss and the sessions to clear.
    if (global.operation?.dataLossAllowed === true) {
      throw new RefusedError(`a failover with data loss towards ${target.region} is in progress, not a switchover: follow it with \`dr failover --to ${target.region} --allow-data-loss\` (it waits for the move and says which sessions to clear)`);
    }
    timeline.mark(`a role change is already in progress (${global.operation?.status ?? global.status}); waiting for it instead of starting another`);
    await waitForWriter(ctx, target, deadline, { settle: true, onWriter: options.onWriter });
    timeline.mark(`${target.region} is the writer and ${global.id} is available`);
    return finish(ctx, command, "resumed", from, target, timeline, deadline);
  }

  const checks = await preflight(ctx, target, global, { lagSince: options.lagSince });
  timeline.mark(`preflight ${checks.ok ? "passed" : "failed"}`);
  if (!checks.ok) {
    const failed = checks.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    throw new RefusedError(`preflight to ${target.region} failed, nothing changed:\n  - ${failed.join("\n  - ")}`);
  }
  const planNote = arcPlanNote(ctx, target);
  if (planNote) timeline.mark(planNote);
  await confirmOrRefuse(ctx, options, `Switch the Aurora global writer from ${from} to ${target.region} (planned, no data loss)?${planNote ? ` (${planNote})` : ""}`);
  deadline = deadlineFrom(ctx);

  // The API is called in the current writer's region: both regions are healthy (preflight), and
  // the writer's region is where the global cluster's control plane already acts from.
  const callRegion = from ?? target.region;
  await requestMove(ctx, target, timeline, `SwitchoverGlobalCluster in ${callRegion}`, () => ctx.aws.switchover(callRegion, global.id, target.clusterArn));
  timeline.mark(`SwitchoverGlobalCluster requested in ${callRegion} (target ${target.clusterArn})`);
  await waitForWriter(ctx, target, deadline, { settle: true, timeline, onWriter: options.onWriter });
  const result = await finish(ctx, command, "done", from, target, timeline, deadline);
  return { ...result, preflight: checks };
}

/** What a rate-limited `/health` answers (WAF's limit, or API Gateway's throttle). */
const TOO_MANY_REQUESTS = 429;

/** Why a failover without `--allow-data-loss` is refused. */
export const FAILOVER_NEEDS_CONSENT =
  "failover may lose the writes not yet replicated: pass --allow-data-loss to proceed (for a planned move with both regions healthy, use `dr switchover`)";

/**
 * Unplanned failover: the writer's region is lost. Every AWS call goes to the target region
 * only; the last lag that region reported estimates the data lost. Refused while the writer's
 * region still answers `/health` 200 (its API writes to its database), or 429 (rate-limited: it
 * may), unless `force`: AWS fences
 * the old writer's storage only on a best-effort basis, so a failover while it serves can split
 * writes between the regions, and those on the old side are lost. That is a switchover's case.
 */
export async function failover(ctx: Context, target: RegionSite, options: FailoverOptions): Promise<RoleChangeResult> {
  if (!options.allowDataLoss) {
    throw new RefusedError(FAILOVER_NEEDS_CONSENT);
  }
  const timeline = new Timeline(ctx.clock, ctx.log);
  let deadline = deadlineFrom(ctx);
  const global = await readGlobalCluster(ctx, [target]);
  const writer = writerSite(global, ctx.topology);
  const from = writer?.region ?? null;
  timeline.mark(`read ${global.id} in ${target.region}: status ${global.status}, writer ${from ?? "none"}`);

  // A move away from the target is refused before anything else: the target may still be the writer, not for long.
  const towards = operationInProgress(global) ? ctx.topology.byClusterArn(global.operation?.toClusterArn) : undefined;
  if (towards && towards !== target) throw new RefusedError(`a ${global.operation?.status} towards ${towards.region} is in progress: check \`dr status\``);
  if (roleOf(global, target) === "writer") {
    // Asked to fail over to the region that holds the writer: if that region is the failing one, no wait mends it.
    const health = await checkHealth(ctx.fetch, target.healthUrl, ctx.healthTimeoutMs);
    if (!health.ok && !operationInProgress(global)) {
      const other = ctx.topology.other(target);
      throw new RefusedError(
        `${target.region} already holds the writer, and its ${target.healthUrl} answers ${health.error ?? `HTTP ${health.httpStatus}`}: a failover moves the writer away from a failed region. Did you mean \`dr failover --to ${other.region} --allow-data-loss\`?`,
      );
    }
    return finish(ctx, "failover", "already-done", from, target, timeline, deadline);
  }
  if (roleOf(global, target) === "absent") throw new RefusedError(`${target.clusterIdentifier} is not a member of ${global.id}: nothing to fail over to`);
  // A writer the outputs do not name: its region's /health (the split-writes guard below) cannot be asked.
  const unknownWriter = writer ? undefined : global.members.find((m) => m.isWriter);
  if (unknownWriter && !options.force) {
    throw new RefusedError(
      `the writer ${unknownWriter.clusterArn} is none of the clusters the stacks' outputs name: the outputs read are stale or another stack's, so whether the old writer still serves cannot be checked. Read fresh outputs (--outputs DIR, or the stacks), or, once its traffic is stopped, re-run with --force`,
    );
  }

  if (operationInProgress(global)) {
    timeline.mark(`a role change is already in progress (${global.operation?.status ?? global.status}); waiting for it`);
    await waitForWriter(ctx, target, deadline, { settle: false });
    timeline.mark(`${target.region} is the writer`);
    return finish(ctx, "failover", "resumed", from, target, timeline, deadline);
  }

  // Towards the DR region, its probe of the primary dates the outage (read in the DR region).
  const outage = target === ctx.topology.dr ? outageClock(ctx) : undefined;
  // The writer's /health goes to its API over the internet, not to AWS's control plane in that region.
  const [cluster, writerHealth] = await Promise.all([
    ctx.aws.cluster(target.region, target.clusterIdentifier),
    writer && writer !== target ? checkHealth(ctx.fetch, writer.healthUrl, ctx.healthTimeoutMs) : undefined,
  ]);
  if (cluster.status !== "available") throw new RefusedError(`${target.clusterIdentifier} is ${cluster.status}, not available: it cannot take the writer role now`);
  if (writerHealth?.ok) {
    if (!options.force) {
      throw new RefusedError(
        `${writer?.region} still answers ${writerHealth.url} with 200: its API is writing to its database, and a failover now could split writes between the regions (AWS fences the old writer only on a best-effort basis). Use \`dr switchover\` (no data loss); if ${writer?.region} is broken in a way /health does not show, stop its traffic first, then re-run with --force`,
      );
    }
    timeline.mark(`${writer?.region} still answers /health 200; going on (--force)`);
  } else if (writerHealth?.httpStatus === TOO_MANY_REQUESTS) {
    // WAF's limit on a flood of /health (or its throttle): the region's edge is up, and whether
    // its API still writes is unknown. Going on could split writes, as above.
    if (!options.force) {
      throw new RefusedError(
        `${writer?.region} answers ${writerHealth.url} with 429 (/health is rate-limited: a flood, or its throttle), so whether its API still writes is unknown. Judge by its Route 53 health check (\`dr status\`) and its database; if ${writer?.region} is down, re-run with --force`,
      );
    }
    timeline.mark(`${writer?.region} answers /health 429 (rate-limited); going on (--force)`);
  }
  if (outage) timeline.mark(await outage);

  let seen: Omit<RpoEstimate, "lostSince">;
  try {
    const reading = await ctx.aws.replicationLag(target.region, target.clusterIdentifier);
    seen = { seconds: reading?.seconds ?? null, observedAt: reading?.at.toISOString() ?? null, source: `CloudWatch ${AURORA_RPO_LAG_METRIC} in ${target.region}` };
  } catch (error) {
    seen = { seconds: null, observedAt: null, source: `unreadable: ${messageOf(error)}` };
  }
  const lag: RpoEstimate = { ...seen, lostSince: lostWritesSince(ctx.clock.now(), seen.seconds) };
  timeline.mark(`last replication lag seen: ${lag.seconds ?? "unknown"} s (the estimate of data lost)`);
  // Now, not only in the result: a move that times out or fails its check prints no result lines.
  timeline.mark(`sessions of payments created since ${lag.lostSince} may name lost payments: dr clear-sessions --region ${target.region} --since ${lag.lostSince} after the move`);

  await confirmOrRefuse(ctx, options, `Fail the Aurora global writer over to ${target.region}, losing the writes not yet replicated (about ${lag.seconds ?? "an unknown number of"} s at the last lag reading${lagAge(ctx, lag)})?`);
  deadline = deadlineFrom(ctx);
  await requestMove(ctx, target, timeline, `FailoverGlobalCluster in ${target.region}`, () => ctx.aws.failover(target.region, global.id, target.clusterArn));
  timeline.mark(`FailoverGlobalCluster (AllowDataLoss) requested in ${target.region}`);
  await waitForWriter(ctx, target, deadline, { settle: false, timeline });
  const result = await finish(ctx, "failover", "done", from, target, timeline, deadline);
  return { ...result, rpoEstimate: lag };
}

/** Switchover back to the home region (the primary-region stack's), once it has rejoined. */
export async function failback(ctx: Context, options: RoleChangeOptions): Promise<RoleChangeResult> {
  const home = ctx.topology.home;
  const global = await readGlobalCluster(ctx, [ctx.topology.dr, home]);
  const member = global.members.find((m) => m.clusterArn === home.clusterArn);
  if (!member) {
    throw new RefusedError(`${home.clusterIdentifier} (${home.region}) is not a member of ${global.id}: it has not rejoined; once ${home.region} is back, re-add it as a secondary (npx nx run primary-region:refresh, then up) and wait until it is available`);
  }
  if (!member.isWriter && member.synchronizationStatus === "pending-resync") {
    throw new RefusedError(`${home.region} has rejoined but is still resynchronizing (pending-resync): wait, then retry`);
  }
  return switchover(ctx, home, options, "failback");
}

/**
 * With the opt-in ARC Region switch plan and a failover domain, the primary's failover record
 * also needs ARC's health check for the home region, which only the plan turns healthy again: a
 * move back to the home region made here leaves DNS on the DR region if the move away was made
 * with the plan. The CLI cannot read that check (README, `regionSwitchPlan`), so it says so.
 */
function arcPlanNote(ctx: Context, target: RegionSite): string | undefined {
  const { regionSwitchPlanArn, failoverUrl, home } = ctx.topology;
  if (!regionSwitchPlanArn || !failoverUrl || target !== home) return undefined;
  return `if the move away from ${home.region} was made with the Region switch plan ${regionSwitchPlanArn}, move back with the plan instead: this moves the database only, and DNS stays on the other region until ARC's check for ${home.region} is healthy again`;
}

/**
 * Asks AWS for the move. A call that fails may still have started it: its answer lost to a
 * timeout, or the SDK's retry refused because the first attempt had started the move. So on
 * failure the global cluster decides (read in the target region): already the writer, or a move
 * under way towards the target, is waited for like any other; anything else is a failure.
 */
async function requestMove(ctx: Context, target: RegionSite, timeline: Timeline, call: string, request: () => Promise<void>): Promise<void> {
  try {
    await request();
  } catch (error) {
    const global = await ctx.aws.globalCluster(target.region, ctx.topology.globalClusterId).catch(() => undefined);
    const underWay = global !== undefined && (roleOf(global, target) === "writer" || global.operation?.toClusterArn === target.clusterArn);
    if (!underWay) throw new FailedError(`${call} failed: ${messageOf(error)}`);
    timeline.mark(`${call} answered "${messageOf(error)}", but the move towards ${target.region} is under way: waiting for it`);
  }
}


/** How old the lag reading behind the data-loss estimate is, for the confirmation question. */
function lagAge(ctx: Context, lag: RpoEstimate): string {
  if (!lag.observedAt) return "";
  return `, ${Math.round((ctx.clock.now().getTime() - Date.parse(lag.observedAt)) / 1000)} s old`;
}

/**
 * Where `dr clear-sessions` should begin after a failover started at `start`: the lag last seen
 * and {@link LOST_WRITES_LOOKBACK_SECONDS} before it, down to the second. Generous on purpose:
 * too early costs cache misses, too late leaves lost payments answering GETs.
 */
function lostWritesSince(start: Date, lagSeconds: number | null): string {
  const ms = start.getTime() - ((lagSeconds ?? 0) + LOST_WRITES_LOOKBACK_SECONDS) * 1000;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** The target is writer and nothing is moving: the job is done. */
function settledOn(global: GlobalClusterView, target: RegionSite): boolean {
  return roleOf(global, target) === "writer" && !operationInProgress(global);
}

/** How {@link waitForWriter} waits: also for nothing in progress (`settle`), marking the timeline, telling `onWriter` when the target is the writer. */
interface WriterWait {
  settle: boolean;
  timeline?: Timeline;
  onWriter?: () => void;
}

async function waitForWriter(ctx: Context, target: RegionSite, deadline: number, { settle, timeline, onWriter }: WriterWait): Promise<void> {
  let writerSeen = false;
  let movingSeen = false;
  await waitFor(
    ctx,
    `${target.region} to become the writer${settle ? " and the global cluster to be available" : ""}`,
    () => ctx.aws.globalCluster(target.region, ctx.topology.globalClusterId),
    (global) => {
      const isWriter = roleOf(global, target) === "writer";
      if (isWriter && !writerSeen) {
        writerSeen = true;
        timeline?.mark(`${target.region} is the writer`);
        onWriter?.();
      }
      return isWriter && (!settle || settledOn(global, target));
    },
    deadline,
    (global) => `status ${global.status}, writer ${writerSite(global, ctx.topology)?.region ?? "none"}`,
    {
      // A move AWS cancels or rolls back ends without the target as writer: waiting cannot mend that.
      failed: (global) => {
        const state = `status ${global.status}, writer ${writerSite(global, ctx.topology)?.region ?? "none"}`;
        if (global.operation?.status === "cancelling") return `AWS is cancelling the move towards ${target.region} (${state}): nothing more will happen on its own. See \`dr status\` and the RDS events of ${global.id}, then decide`;
        if (operationInProgress(global)) movingSeen = true;
        else if (movingSeen && roleOf(global, target) !== "writer") return `the move towards ${target.region} ended without making it the writer (cancelled or rolled back by AWS; ${state}). See \`dr status\` and the RDS events of ${global.id}, then decide`;
        return undefined;
      },
    },
  );
  if (settle) timeline?.mark(`${ctx.topology.globalClusterId} is available`);
}

async function finish(
  ctx: Context,
  command: RoleChangeResult["command"],
  outcome: RoleChangeResult["outcome"],
  from: string | null,
  target: RegionSite,
  timeline: Timeline,
  deadline: number,
): Promise<RoleChangeResult> {
  if (outcome === "already-done") timeline.mark(`${target.region} is already the writer: no role change needed`);
  // Checked on every outcome: a re-run after a timeout must not report success on the writer flag
  // alone. The cluster's own status shows the promotion finished; /health that its API serves.
  await waitFor(
    ctx,
    `${target.clusterIdentifier} to be available`,
    () => ctx.aws.cluster(target.region, target.clusterIdentifier),
    (cluster) => cluster.status === "available",
    deadline,
    (cluster) => `status ${cluster.status}`,
  );
  // Back home but its API cannot write: the other region's cannot either (no peering), so waiting is the wrong advice.
  const advice =
    command === "failback"
      ? `${target.region} holds the writer but its API does not answer 200, so writes are down in both regions: move the writer back at once with \`dr switchover --to ${ctx.topology.other(target).region}\`, then find out why ${target.region}'s Lambda cannot reach its cluster (docs/runbook.md, Failback)`
      : undefined;
  await waitFor(ctx, `${target.healthUrl} to answer 200`, () => checkHealth(ctx.fetch, target.healthUrl, ctx.healthTimeoutMs), (h) => h.ok, deadline, (h) => h.error ?? `HTTP ${h.httpStatus}`, { advice });
  timeline.mark(`${target.clusterIdentifier} is available and ${target.region} /health is 200`);
  await checkWrites(ctx, command, target, timeline, deadline);
  return { command, outcome, from, to: target.region, timeline: timeline.events, totalSeconds: timeline.totalSeconds() };
}

/**
 * With the drill merchant's key, waits (within the deadline) until one test payment is written
 * through the target region's API; retries reuse its Idempotency-Key, so at most one is made. A
 * refusal that waiting cannot mend (a 4xx but 408, 409 and 429: the key, the request) fails at once.
 */
async function checkWrites(ctx: Context, command: RoleChangeResult["command"], target: RegionSite, timeline: Timeline, deadline: number): Promise<void> {
  const apiKey = ctx.writeCheckApiKey;
  if (!apiKey) {
    timeline.mark("writes not checked: set DR_DRILL_API_KEY to have one test payment written through the new writer's API");
    return;
  }
  const at = ctx.clock.now().toISOString();
  const payment = { idempotencyKey: `dr-${command}-${at}`, reference: `dr-${command}-check`, description: `DR ${command} write check` };
  const written = await waitFor(
    ctx,
    `a test payment to be written through ${target.apiUrl}/payments`,
    () => postTestPayment(ctx, target.apiUrl, payment, { apiKey }),
    (attempt) => attempt.paymentId !== undefined || refusedForGood(attempt.httpStatus),
    deadline,
    (attempt) => attempt.error ?? `HTTP ${attempt.httpStatus}`,
  );
  if (written.paymentId === undefined) {
    throw new FailedError(`${target.region} holds the writer, but its API refused the test payment with HTTP ${written.httpStatus}: check DR_DRILL_API_KEY (the drill merchant's key), then write one payment by hand`);
  }
  timeline.mark(`test payment ${written.paymentId} written through ${target.apiUrl}: ${target.region} takes writes`);
}

/** 4xx answers a retry can change: a timeout, the same key still in flight, throttling. */
const RETRYABLE_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 409, 429]);

/** A 4xx answer that a retry cannot change (the key, the request). */
function refusedForGood(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
}
