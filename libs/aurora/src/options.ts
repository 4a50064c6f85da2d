import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Properties of a member cluster that Pulumi reads but must never set back (DESIGN §5):
 * - `globalClusterIdentifier` and `replicationSourceIdentifier` change when an operator
 *   switches over or fails over outside Pulumi (DESIGN §7); "correcting" them on the next
 *   `up` or `refresh` would detach a cluster from the global database or promote it.
 * - `engineVersion` is pinned on the global cluster, which upgrades every member; a member
 *   that also pins it fights that upgrade.
 */
export function memberClusterIgnoreChanges(): string[] {
  return ["globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion"];
}

/**
 * Options of both member clusters (primary and secondary): after `logGroups`, the groups it
 * exports its logs to (made by us, not by RDS).
 */
export function memberClusterOptions(parent: pulumi.Resource, logGroups: pulumi.Resource[]): pulumi.CustomResourceOptions {
  return { parent, ignoreChanges: memberClusterIgnoreChanges(), dependsOn: logGroups };
}

/**
 * Options of a cluster instance. The first instance of a cluster becomes its writer, so the
 * readers wait for it: created together, any of them could win.
 */
export function clusterInstanceOptions(parent: pulumi.Resource, writer: aws.rds.ClusterInstance | undefined): pulumi.CustomResourceOptions {
  return writer ? { parent, dependsOn: [writer] } : { parent };
}

/** Failover priority: the writer 0, the readers 1 (lower is promoted first). */
export function promotionTier(index: number): number {
  return index === 0 ? 0 : 1;
}

/**
 * The global cluster id a secondary joins, released only once the primary's writer instance
 * exists. The secondary lives in another stack, so `dependsOn` cannot reach that instance;
 * joining before it exists fails with "MasterUsername must be provided" (DESIGN §10).
 */
export function afterPrimaryWriter(globalClusterId: pulumi.Input<string>, primaryWriterInstanceId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.all([globalClusterId, primaryWriterInstanceId]).apply(([clusterId, writerId]) => {
    if (!writerId) {
      throw new pulumi.RunError(
        `the primary writer instance of global cluster "${clusterId}" does not exist yet (its id is empty): deploy primary-region first, then dr-region.`,
      );
    }
    return clusterId;
  });
}
