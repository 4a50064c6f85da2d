import type { Context } from "../context";
import type { RegionSite } from "../topology";
import type { RoleChangeResult } from "./types";

/**
 * What to do when a move's target holds the writer but its API does not serve by the deadline
 * (its `/health` is not 200, or no test payment is written). Re-running only waits longer: the
 * other region's API writes through the global writer endpoint, which now leads to the target,
 * and cannot reach it (no VPC peering), so writes are down in both regions. After a switchover or
 * a failback the other region served moments ago: moving back restores writes (its preflight
 * still checks that region). After a failover the other region is the one lost: there is no way
 * back, only the target's own fault to find.
 */
export function writesDownAdvice(ctx: Context, command: RoleChangeResult["command"], target: RegionSite, outcome: RoleChangeResult["outcome"]): string {
  const other = ctx.topology.other(target).region;
  if (command === "failover") {
    // Found already done: the on-call may also have named the wrong region, with neither answering here.
    const meant = outcome === "already-done" ? `; if you meant to move the writer away from ${target.region}: \`dr failover --to ${other} --allow-data-loss\`` : "";
    return `${target.region} holds the writer but its API does not serve it, and ${other}, the region lost, cannot reach it: look at ${target.region}'s Lambda now (its logs, the secret, security groups, the cluster's status); re-running the same command waits again (docs/runbook.md, Exit codes)${meant}`;
  }
  return `${target.region} holds the writer but its API does not serve it, so writes are down in both regions (${other}'s API cannot reach this writer): move the writer back at once with \`dr switchover --to ${other}\` (its preflight checks that region first), then find out why ${target.region}'s Lambda cannot reach its cluster (docs/runbook.md, Exit codes)`;
}
