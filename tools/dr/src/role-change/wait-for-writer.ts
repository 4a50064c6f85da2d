import type { GlobalClusterView } from "../aws";
import type { Context } from "../context";
import { operationInProgress } from "../preflight";
import { roleOf, writerSite } from "../status";
import { MOVE_ENDED_CONFIRM_MS } from "../thresholds";
import type { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { waitFor } from "../wait";

/** The target is writer and nothing is moving: the job is done. */
export function settledOn(global: GlobalClusterView, target: RegionSite): boolean {
  return roleOf(global, target) === "writer" && !operationInProgress(global);
}

/** How {@link waitForWriter} waits: also for nothing in progress (`settle`), marking the timeline, telling `onWriter` when the target is the writer. */
export interface WriterWait {
  settle: boolean;
  timeline?: Timeline;
  onWriter?: () => void;
}

export async function waitForWriter(ctx: Context, target: RegionSite, deadline: number, { settle, timeline, onWriter }: WriterWait): Promise<void> {
  let writerSeen = false;
  let movingSeen = false;
  /** When (ctx.clock) the move first looked over without the target as writer, in an unbroken run of polls. */
  let endedSince: number | undefined;
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
      // A move AWS cancels or rolls back ends without the target as writer: waiting cannot mend
      // that. Unless it still looks so MOVE_ENDED_CONFIRM_MS later, it may be a response that
      // shows the move over before it names the new writer.
      failed: (global) => {
        const state = `status ${global.status}, writer ${writerSite(global, ctx.topology)?.region ?? "none"}`;
        if (global.operation?.status === "cancelling") return `AWS is cancelling the move towards ${target.region} (${state}): nothing more will happen on its own. See \`dr status\` and the RDS events of ${global.id}, then decide`;
        const ended = movingSeen && !operationInProgress(global) && roleOf(global, target) !== "writer";
        if (operationInProgress(global)) movingSeen = true;
        if (!ended) {
          endedSince = undefined;
          return undefined;
        }
        const now = ctx.clock.now().getTime();
        endedSince ??= now;
        if (now - endedSince < MOVE_ENDED_CONFIRM_MS) return undefined;
        return `the move towards ${target.region} ended without making it the writer (cancelled or rolled back by AWS; ${state}). See \`dr status\` and the RDS events of ${global.id}, then decide`;
      },
    },
  );
  if (settle) timeline?.mark(`${ctx.topology.globalClusterId} is available`);
}
