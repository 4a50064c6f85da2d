import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { AURORA_ENGINE } from "./engine";
import { engineMajorVersion } from "./validation";

/** Arguments of {@link AuroraGlobalCluster}. */
export interface AuroraGlobalClusterArgs {
  /** Builds the global identifier (the same whichever region is primary). */
  namer: ResourceNamer;
  /** Aurora PostgreSQL version, e.g. "16.6": pinned here; the members follow it. */
  engineVersion: string;
  /** Production: true. */
  deletionProtection: boolean;
  /** The database created in the primary cluster. @default "payments" */
  databaseName?: string;
}

/**
 * The Aurora PostgreSQL global database: the container that the primary and the secondary
 * clusters join. Created in the primary-region stack.
 *
 * It ignores no changes: the engine version is pinned and managed here (raising it upgrades
 * every member, which is why the members ignore theirs).
 */
export class AuroraGlobalCluster extends pulumi.ComponentResource {
  readonly globalClusterId: pulumi.Output<string>;
  /** The global writer endpoint: follows the primary after a switchover or managed failover. */
  readonly endpoint: pulumi.Output<string>;
  readonly engineVersion: pulumi.Output<string>;
  readonly databaseName: pulumi.Output<string>;

  constructor(name: string, args: AuroraGlobalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:aurora:AuroraGlobalCluster", name, {}, opts);
    engineMajorVersion(`AuroraGlobalCluster "${name}"`, args.engineVersion);
    const databaseName = args.databaseName ?? "payments";

    const global = new aws.rds.GlobalCluster(
      `${name}-cluster`,
      {
        globalClusterIdentifier: args.namer.global("rdsIdentifier", "aurora"),
        engine: AURORA_ENGINE,
        engineVersion: args.engineVersion,
        databaseName,
        storageEncrypted: true,
        deletionProtection: args.deletionProtection,
      },
      { parent: this },
    );

    this.globalClusterId = global.id;
    this.endpoint = global.endpoint;
    this.engineVersion = global.engineVersion;
    this.databaseName = global.databaseName;
    this.registerOutputs({
      globalClusterId: this.globalClusterId,
      endpoint: this.endpoint,
      engineVersion: this.engineVersion,
      databaseName: this.databaseName,
    });
  }
}
