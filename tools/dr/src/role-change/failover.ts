import { RefusedError } from "@payments-dr/cli-support";
import { confirmOrRefuse } from "../confirm";
import { refuseIfFenced } from "../fence";
import type { Context } from "../context";
import { checkHealth } from "../http";
import { outageView, type OutageView } from "../outage";
import { operationInProgress } from "../preflight";
import { readGlobalCluster, roleOf, writerSite } from "../status";
import { MANAGED_RPO_MIN_SECONDS, PROBE_PASS_VOUCHES_SECONDS } from "../thresholds";
import { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { deadlineFrom } from "../wait";
import { finish } from "./finish";
import { requestMove } from "./request-move";
import { estimateRpo, lagAge } from "./rpo-estimate";
import type { RoleChangeOptions, RoleChangeResult } from "./types";
import { waitForWriter } from "./wait-for-writer";

/** Options of {@link failover}. */
export interface FailoverOptions extends RoleChangeOptions {
  /** `--allow-data-loss`: required. */
  allowDataLoss: boolean;
  /**
   * `--force`: fail over all the same while the writer's region answers `/health` 200 or 429,
   * while it does not answer here (or not from its function) and the DR probe does not see it
   * failing, or while the writer is none of the clusters the outputs name.
   */
  force?: boolean;
}

/** What a rate-limited `/health` answers (WAF's limit, or API Gateway's throttle). */
const TOO_MANY_REQUESTS = 429;

/** Why a failover without `--allow-data-loss` is refused. */
export const FAILOVER_NEEDS_CONSENT =
  "failover may lose the writes not yet replicated: pass --allow-data-loss to proceed (for a planned move with both regions healthy, use `dr switchover`)";

/**
 * A read started before the decision that needs it: a refusal taken first leaves it unawaited, so
 * its failure is marked handled here (no unhandledRejection); awaiting it still throws.
 */
function early<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/** Whole seconds from `at` to now; a time "in the future" (CloudWatch's clock ahead of this machine's) is just now. */
function secondsSince(ctx: Context, at: Date): number {
  return Math.max(0, Math.round((ctx.clock.now().getTime() - at.getTime()) / 1000));
}

/**
 * Whether the DR region's probe sees the old writer's `/health` failing now: its newest samples a
 * run of failures, the newest no older than a pass that would vouch for it (a run of failures
 * that then stops is a probe that stopped, which says nothing of the region since).
 */
function probeSeesItFail(ctx: Context, outage: OutageView): boolean {
  return outage.failing && outage.newestAt !== undefined && secondsSince(ctx, outage.newestAt) <= PROBE_PASS_VOUCHES_SECONDS;
}

/**
 * Unplanned failover: the writer's region is lost. Every AWS call goes to the target region
 * only; the last lag that region reported estimates the data lost. Refused while the writer's
 * region still answers `/health` 200 (its API writes to its database), or 429 (rate-limited: it
 * may), or when it does not answer here (or only WAF or the gateway does) and the DR region's probe
 * does not see it failing (this machine's network may be what failed), unless `force`: AWS fences the old writer's storage only on a best-effort basis, so a
 * failover while it serves can split writes between the regions, and those on the old side are
 * lost. That is a switchover's case.
 *
 * Before the move it waits, at worst, for one AWS call (`AWS_CALL_LIMITS`: the global
 * cluster, read beside everything that needs only the target), then for the old writer's
 * `/health` (`ctx.healthTimeoutMs`): the runbook's Recovery budget quotes the sum, and a test in
 * failover.test.ts holds it to these limits.
 */
export async function failover(ctx: Context, target: RegionSite, options: FailoverOptions): Promise<RoleChangeResult> {
  if (!options.allowDataLoss) {
    throw new RefusedError(FAILOVER_NEEDS_CONSENT);
  }
  const timeline = new Timeline(ctx.clock, ctx.log);
  let deadline = deadlineFrom(ctx);
  // Every read that needs only the target starts now, beside the global cluster's: each may take
  // its own timeout (AWS_CALL_LIMITS), and one after another they would add up to the RTO. The
  // decisions below still take them in their order of precedence; a refusal taken before one is
  // needed leaves it unawaited (early() keeps its failure from being an unhandled rejection).
  // All in the target region; towards the DR region, its probe of the primary dates the outage.
  const fenceRead = early(refuseIfFenced(ctx, target, "failover"));
  const clusterRead = early(ctx.aws.cluster(target.region, target.clusterIdentifier));
  const outageRead = target === ctx.topology.dr ? early(outageView(ctx)) : undefined;
  const lagRead = early(estimateRpo(ctx, target));
  const global = await readGlobalCluster(ctx, [target]);
  const writer = writerSite(global, ctx.topology);
  const from = writer?.region ?? null;
  timeline.mark(`read ${global.id} in ${target.region}: status ${global.status}, writer ${from ?? "none"}`);

  // A move away from the target is refused before anything else: the target may still be the writer, not for long.
  const towards = operationInProgress(global) ? ctx.topology.byClusterArn(global.operation?.toClusterArn) : undefined;
  if (towards && towards !== target) throw new RefusedError(`a ${global.operation?.status} towards ${towards.region} is in progress: check \`dr status\``);
  if (roleOf(global, target) === "writer") {
    // Asked to fail over to the region that holds the writer while its /health fails: either the
    // on-call meant the other region (its edge answers: 200, or 429 under a flood; no wait mends
    // this one), or this is a re-run after a failover that timed out waiting for the new writer to
    // serve (the other region is the lost one), and the re-run waits for it, as the timeout's
    // advice says; that advice also names the other region, in case neither answers here.
    const other = ctx.topology.other(target);
    const [health, otherHealth] = await Promise.all([
      checkHealth(ctx.fetch, target.healthUrl, ctx.healthTimeoutMs),
      operationInProgress(global) ? undefined : checkHealth(ctx.fetch, other.healthUrl, ctx.healthTimeoutMs),
    ]);
    if (!health.ok && (otherHealth?.ok || otherHealth?.httpStatus === TOO_MANY_REQUESTS)) {
      throw new RefusedError(
        `${target.region} already holds the writer, and its ${target.healthUrl} answers ${health.error ?? `HTTP ${health.httpStatus}`} while ${other.region}'s answers ${otherHealth.httpStatus}: a failover moves the writer away from a failed region. Did you mean \`dr failover --to ${other.region} --allow-data-loss\`?`,
      );
    }
    return finish(ctx, "failover", "already-done", from, target, timeline, deadline);
  }
  if (roleOf(global, target) === "absent") throw new RefusedError(`${target.clusterIdentifier} is not a member of ${global.id}: nothing to fail over to`);
  // The old writer's /health (the split-writes guard below) as soon as the global cluster names it:
  // it goes to its API over the internet, not to AWS's control plane in that region. Not when a
  // move is already under way: that is waited for, whatever /health says.
  const writerHealthRead = writer && writer !== target && !operationInProgress(global) ? early(checkHealth(ctx.fetch, writer.healthUrl, ctx.healthTimeoutMs)) : undefined;
  // A fenced target would take the writer with its API throttled: payments stopped in both regions. Read in the target region only.
  const unread = await fenceRead;
  if (unread) timeline.mark(unread);
  // A writer the outputs do not name: its region's /health (the split-writes guard below) cannot be asked.
  const unknownWriter = writer ? undefined : global.members.find((m) => m.isWriter);
  if (unknownWriter && !options.force) {
    throw new RefusedError(
      `the writer ${unknownWriter.clusterArn} is none of the clusters the stacks' outputs name: the outputs read are stale or another stack's, so whether the old writer still serves cannot be checked. Read fresh outputs (--outputs DIR, or the stacks), or, once its traffic is stopped (\`dr fence\`), re-run with --force`,
    );
  }

  if (operationInProgress(global)) {
    timeline.mark(`a role change is already in progress (${global.operation?.status ?? global.status}); waiting for it`);
    await waitForWriter(ctx, target, deadline, { settle: false });
    timeline.mark(`${target.region} is the writer`);
    return finish(ctx, "failover", "resumed", from, target, timeline, deadline);
  }

  // The probe's view is read beside the global cluster, so it may be older than the /health answer
  // it is weighed against by that one read's time: a second read would add its own limit to the
  // time before the move.
  const [cluster, writerHealth, outage, lag] = await Promise.all([clusterRead, writerHealthRead, outageRead, lagRead]);
  if (cluster.status !== "available") throw new RefusedError(`${target.clusterIdentifier} is ${cluster.status}, not available: it cannot take the writer role now`);
  if (writerHealth?.ok) {
    if (!options.force) {
      throw new RefusedError(
        `${writer?.region} still answers ${writerHealth.url} with 200: its API is writing to its database, and a failover now could split writes between the regions (AWS fences the old writer only on a best-effort basis). Use \`dr switchover\` (no data loss); if ${writer?.region} is broken in a way /health does not show, stop its traffic first (\`dr fence --region ${writer?.region}\`: its /health then fails), then re-run (no --force needed once it does)`,
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
  } else if (writerHealth && (writerHealth.httpStatus === null || writerHealth.role === undefined) && outage && !probeSeesItFail(ctx, outage)) {
    // No answer at all here may be this machine's network (a VPN, DNS, a proxy), and an answer
    // that is not the function's own (no role: WAF's 403 to this machine's address, a gateway
    // error) is not its database's state. Only the probe in the DR region, asking from inside AWS,
    // tells an outage from a fault on this side: its recent run of failures lets the failover go
    // on. A recent pass there says the old writer may still serve; a probe that is silent (its
    // own alarm pages for that) or that this machine cannot read cannot tell, and neither can
    // this machine. (The function's own answer, such as 503 with its database down, is the
    // region's own word: it stands.)
    const agoSeconds = outage.newestAt && secondsSince(ctx, outage.newestAt);
    const vouched = !outage.failing && agoSeconds !== undefined && agoSeconds <= PROBE_PASS_VOUCHES_SECONDS;
    const probeSilence = outage.silent ?? `has seen nothing since a ${outage.failing ? "failure" : "pass"} ${agoSeconds} s ago`;
    if (!options.force) {
      const here = writerHealth.httpStatus === null ? `did not answer here (${writerHealth.error ?? "no answer"})` : `answered here HTTP ${writerHealth.httpStatus}, not from its function (a gateway or WAF answer)`;
      const check = vouched
        ? "Check this machine's network and `dr status` (the probe's data trails by a few seconds: at the very start of an outage, or just after `dr fence`, retry in half a minute)"
        : outage.unreadable
          ? `Check \`dr status\` from another network (Route 53's checks of ${writer?.region}) and this machine's access to the probe's metric (cloudwatch:GetMetricData in ${target.region})`
          : `Check \`dr status\` from another network (Route 53's checks of ${writer?.region}) and why the probe is silent (its alarm in ${target.region})`;
      const probeSays = vouched
        ? `the probe from ${target.region} saw it pass ${agoSeconds} s ago: its API may still be writing`
        : `the probe from ${target.region} ${probeSilence}: whether its API still writes cannot be told from here`;
      throw new RefusedError(
        `${writer?.region}'s ${writerHealth.url} ${here}, but ${probeSays}, and a failover now could split writes between the regions. ${check}; if ${writer?.region} is down, re-run with --force`,
      );
    }
    timeline.mark(vouched ? `the probe from ${target.region} saw ${writer?.region}'s /health pass ${agoSeconds} s ago; going on (--force)` : `the probe from ${target.region} ${probeSilence}; going on (--force)`);
  }
  if (outage) timeline.mark(outage.line);

  timeline.mark(`last replication lag seen: ${lag.seconds ?? "unknown"} s (the estimate of data lost)`);
  // The home region's own 503 with the lag at or past managed RPO's floor is also what managed RPO
  // (rds.global_db_rpo, primary-region only) looks like while it blocks the primary's commits until
  // the secondary catches up. The 503 says no more than "not writable now", and the CLI cannot see
  // whether the stack sets it: said as a possibility, for the on-call to weigh.
  const mayBeManagedRpo =
    writer === ctx.topology.home && writerHealth?.role === "primary" && !writerHealth.ok && lag.seconds !== null && lag.seconds >= MANAGED_RPO_MIN_SECONDS;
  const lagWarning = mayBeManagedRpo
    ? `if primary-region sets managedRpoSeconds (${MANAGED_RPO_MIN_SECONDS} s or more; this lag is ${lag.seconds} s), ${writer?.region}'s 503 may be Aurora blocking its commits until ${target.region} catches up: then \`dr status\` shows the lag falling, and waiting loses nothing; if its database is down, waiting only spends the RTO. `
    : "";
  if (lagWarning) timeline.mark(lagWarning.trim());
  // Now, not only in the result: a move that times out or fails its check prints no result lines.
  timeline.mark(`sessions of payments created since ${lag.lostSince} may name lost payments: dr clear-sessions --region ${target.region} --since ${lag.lostSince} after the move`);

  await confirmOrRefuse(ctx, options, `${lagWarning}Fail the Aurora global writer over to ${target.region}, losing the writes not yet replicated (about ${lag.seconds ?? "an unknown number of"} s at the last lag reading${lagAge(ctx, lag)})?`);
  deadline = deadlineFrom(ctx);
  await requestMove(ctx, target, timeline, `FailoverGlobalCluster in ${target.region}`, () => ctx.aws.failover(target.region, global.id, target.clusterArn));
  timeline.mark(`FailoverGlobalCluster (AllowDataLoss) requested in ${target.region}`);
  await waitForWriter(ctx, target, deadline, { settle: false, timeline });
  const result = await finish(ctx, "failover", "done", from, target, timeline, deadline);
  return { ...result, rpoEstimate: lag };
}
