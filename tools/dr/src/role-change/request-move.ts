import { FailedError, messageOf } from "@payments-dr/cli-support";
import type { Context } from "../context";
import { roleOf } from "../status";
import type { Timeline } from "../timeline";
import type { RegionSite } from "../topology";

/**
 * Asks AWS for the move. A call that fails may still have started it: its answer lost to a
 * timeout, or the SDK's retry refused because the first attempt had started the move. So on
 * failure the global cluster decides (read in the target region): already the writer, or a move
 * under way towards the target, is waited for like any other; anything else is a failure.
 */
export async function requestMove(ctx: Context, target: RegionSite, timeline: Timeline, call: string, request: () => Promise<void>): Promise<void> {
  try {
    await request();
  } catch (error) {
    const global = await ctx.aws.globalCluster(target.region, ctx.topology.globalClusterId).catch(() => undefined);
    const underWay = global !== undefined && (roleOf(global, target) === "writer" || global.operation?.toClusterArn === target.clusterArn);
    if (!underWay) throw new FailedError(`${call} failed: ${messageOf(error)}`);
    timeline.mark(`${call} answered "${messageOf(error)}", but the move towards ${target.region} is under way: waiting for it`);
  }
}
