import { dnsFailoverSeconds, dnsFailoverWorstSeconds, FAILOVER_TIMING } from "@payments-dr/failover/timing";
import type { Context } from "../context";
import { checkHealth } from "../http";
import type { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { waitFor } from "../wait";
import type { RoleChangeResult } from "./types";
import { writesDownAdvice } from "./advice";
import { checkWrites } from "./write-check";

/**
 * What "done" leaves to DNS: clients of the failover domain move when Route 53's check of the home
 * region's `/health` turns (libs/failover's timing), not when the database has moved.
 */
function dnsNote(ctx: Context, target: RegionSite): string {
  const { failureThreshold: checks, requestIntervalSeconds: interval, dnsTtlSeconds: ttl } = FAILOVER_TIMING;
  const timing = `≈ ${dnsFailoverSeconds()} s, ${dnsFailoverWorstSeconds()} s at worst`;
  if (target === ctx.topology.home) {
    return `clients of ${ctx.topology.failoverUrl} come back to ${target.region} once Route 53 has seen its /health pass ${checks} checks in a row (${interval} s apart) and the ${ttl} s TTL has run out (${timing}); until then ${ctx.topology.other(target).region}'s API answers their writes with 503 (it cannot reach this writer). \`dr status\` shows the checks`;
  }
  return `clients of ${ctx.topology.failoverUrl} move to ${target.region} once Route 53 has seen ${ctx.topology.home.region}'s /health fail ${checks} checks in a row (${interval} s apart) and the ${ttl} s TTL has run out (${timing} from its first failure). \`dr status\` shows the checks`;
}

/** Ends every role change: the new writer's cluster available, its API's /health 200, then its writes checked. */
export async function finish(
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
  // Past this point the writer has moved: a timeout is not mended by waiting longer.
  const advice = writesDownAdvice(ctx, command, target, outcome);
  await waitFor(ctx, `${target.healthUrl} to answer 200`, () => checkHealth(ctx.fetch, target.healthUrl, ctx.healthTimeoutMs), (h) => h.ok, deadline, (h) => h.error ?? `HTTP ${h.httpStatus}`, { advice });
  timeline.mark(`${target.clusterIdentifier} is available and ${target.region} /health is 200`);
  await checkWrites(ctx, command, target, timeline, deadline, advice);
  if (ctx.topology.failoverUrl) timeline.mark(dnsNote(ctx, target));
  return { command, outcome, from, to: target.region, timeline: timeline.events, totalSeconds: timeline.totalSeconds() };
}
