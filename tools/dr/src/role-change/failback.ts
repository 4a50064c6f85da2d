import { RefusedError } from "@payments-dr/cli-support";
import type { Context } from "../context";
import { readGlobalCluster } from "../status";
import { switchover } from "./switchover";
import type { RoleChangeOptions, RoleChangeResult } from "./types";

/** Switchover back to the home region (the primary-region stack's), once it has rejoined. */
export async function failback(ctx: Context, options: RoleChangeOptions): Promise<RoleChangeResult> {
  const home = ctx.topology.home;
  const global = await readGlobalCluster(ctx, [ctx.topology.dr, home]);
  const member = global.members.find((m) => m.clusterArn === home.clusterArn);
  if (!member) {
    // AWS adds the old primary back as a secondary once its region recovers, after a managed failover;
    // `primary-region:up` cannot (it builds the global database's primary: docs/runbook.md, Failback).
    throw new RefusedError(
      `${home.clusterIdentifier} (${home.region}) is not a member of ${global.id}: it has not rejoined. After a failover, Aurora adds it back as a secondary by itself once ${home.region} has recovered: wait (dr status shows it), then retry. Do not run primary-region:up to recreate it; if it never rejoins, see docs/runbook.md, Failback`,
    );
  }
  if (!member.isWriter && member.synchronizationStatus === "pending-resync") {
    throw new RefusedError(`${home.region} has rejoined but is still resynchronizing (pending-resync): wait, then retry`);
  }
  return switchover(ctx, home, options, "failback");
}
