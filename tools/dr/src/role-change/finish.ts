import type { Context } from "../context";
import { checkHealth } from "../http";
import type { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { waitFor } from "../wait";
import type { RoleChangeResult } from "./types";
import { checkWrites } from "./write-check";

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
