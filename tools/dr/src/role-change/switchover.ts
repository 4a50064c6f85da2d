import { RefusedError } from "@payments-dr/cli-support";
import { confirmOrRefuse } from "../confirm";
import { refuseIfFenced } from "../fence";
import type { Context } from "../context";
import { operationInProgress, preflight } from "../preflight";
import { readGlobalCluster, writerSite } from "../status";
import { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { deadlineFrom } from "../wait";
import { finish } from "./finish";
import { requestMove } from "./request-move";
import type { RoleChangeOptions, RoleChangeResult } from "./types";
import { settledOn, waitForWriter } from "./wait-for-writer";

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
  const unread = await refuseIfFenced(ctx, target, command);
  if (unread) timeline.mark(unread);

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
