import { messageOf } from "@payments-dr/cli-support";
import { AURORA_RPO_LAG_METRIC } from "@payments-dr/monitoring/aurora-lag";
import type { Context } from "../context";
import { LOST_WRITES_LOOKBACK_SECONDS } from "../thresholds";
import type { RegionSite } from "../topology";

/** What a failover may have lost, from the last lag reading of the target. */
export interface RpoEstimate {
  seconds: number | null;
  observedAt: string | null;
  source: string;
  /** Where the sessions of payments the failover may have lost begin ({@link lostWritesSince}): the `--since` of `dr clear-sessions`. */
  lostSince: string;
}

/** Reads the target's last replication lag; an unreadable metric is an unknown estimate, not a failure. */
export async function estimateRpo(ctx: Context, target: RegionSite): Promise<RpoEstimate> {
  let seen: Omit<RpoEstimate, "lostSince">;
  try {
    const reading = await ctx.aws.replicationLag(target.region, target.clusterIdentifier);
    seen = { seconds: reading?.seconds ?? null, observedAt: reading?.at.toISOString() ?? null, source: `CloudWatch ${AURORA_RPO_LAG_METRIC} in ${target.region}` };
  } catch (error) {
    seen = { seconds: null, observedAt: null, source: `unreadable: ${messageOf(error)}` };
  }
  return { ...seen, lostSince: lostWritesSince(ctx.clock.now(), seen.seconds) };
}

/** How old the lag reading behind the data-loss estimate is, for the confirmation question. */
export function lagAge(ctx: Context, lag: RpoEstimate): string {
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
