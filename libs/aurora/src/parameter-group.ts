import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { engineMajorVersion, requireManagedRpo } from "./validation";

/** The cluster parameter group family of an engine version: "16.6" → "aurora-postgresql16". */
export function parameterGroupFamily(engineVersion: string): string {
  return `aurora-postgresql${engineMajorVersion("parameter group", engineVersion)}`;
}

/** The cluster parameters of every member. */
export function clusterParameters(managedRpoSeconds?: number): aws.types.input.rds.ClusterParameterGroupParameter[] {
  requireManagedRpo("parameter group", managedRpoSeconds);
  const parameters = [
    { name: "rds.force_ssl", value: "1" },
    // An audit trail of who connected, as which role, from where, and for how long, in the
    // exported postgresql log: the master user's sessions (migrations, an operator) included.
    // Both are dynamic parameters: no reboot.
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
  ];
  if (managedRpoSeconds !== undefined) {
    // Managed RPO bounds data loss on a failover to this many seconds, at a price: while every
    // secondary lags further behind, Aurora blocks commits on the primary. It trades
    // availability of writes for a hard bound on loss; off unless the stack asks for it.
    parameters.push({ name: "rds.global_db_rpo", value: String(managedRpoSeconds) });
  }
  return parameters;
}

/** Arguments of {@link createClusterParameterGroup}. */
export interface ClusterParameterGroupArgs {
  namer: ResourceNamer;
  /** The engine version the cluster runs; its major version picks the family. */
  engineVersion: pulumi.Input<string>;
  managedRpoSeconds?: number;
}

/**
 * A member cluster's parameter group. Its name carries the family, so a major upgrade can
 * create the next family's group beside the one still in use.
 */
export function createClusterParameterGroup(name: string, args: ClusterParameterGroupArgs, parent: pulumi.Resource): aws.rds.ClusterParameterGroup {
  const family = pulumi.output(args.engineVersion).apply(parameterGroupFamily);
  return new aws.rds.ClusterParameterGroup(
    `${name}-params`,
    {
      name: family.apply((f) => args.namer.regional("rdsParameterGroup", f)),
      family,
      description: "Aurora PostgreSQL cluster parameters of the payments global database",
      parameters: clusterParameters(args.managedRpoSeconds),
    },
    { parent },
  );
}
