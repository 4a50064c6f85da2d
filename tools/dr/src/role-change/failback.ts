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
    throw new RefusedError(`${home.clusterIdentifier} (${home.region}) is not a member of ${global.id}: it has not rejoined; once ${home.region} is back, re-add it as a secondary (npx nx run primary-region:refresh, then up) and wait until it is available`);
  }
  if (!member.isWriter && member.synchronizationStatus === "pending-resync") {
    throw new RefusedError(`${home.region} has rejoined but is still resynchronizing (pending-resync): wait, then retry`);
  }
  return switchover(ctx, home, options, "failback");
}
