import * as pulumi from "@pulumi/pulumi";
import { createAppCredentials, createMasterCredentials, type DatabaseCredentialsArgs } from "./credentials";
import { checkMemberArgs, createMemberCluster, MemberClusterArgs } from "./member-cluster";

/**
 * The global cluster a primary joins. An {@link AuroraGlobalCluster} is one; so are its
 * outputs read from elsewhere, which keeps the primary testable on its own.
 */
export interface GlobalClusterRef {
  globalClusterId: pulumi.Input<string>;
  /** The version pinned on the global cluster. */
  engineVersion: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  /** The global writer endpoint, written into the credentials secret as its host. */
  endpoint: pulumi.Input<string>;
}

/** Arguments of {@link AuroraPrimaryCluster}. */
export interface AuroraPrimaryClusterArgs extends MemberClusterArgs {
  /** The global cluster this cluster creates the data of. */
  globalCluster: GlobalClusterRef;
  /** 2 to 15: the first instance is the writer, the others readers. */
  instanceCount: number;
  /** Where the credentials secret is replicated, and that region's key for it. */
  credentialsReplica: { region: string; kmsKeyArn: pulumi.Input<string> };
  /**
   * A rotation label per password: a new label makes a new password at the next `up` (see
   * {@link DatabaseCredentialsArgs.rotation}). @default {} (each password stays as generated)
   */
  passwordRotations?: { master?: string; app?: string };
}

/**
 * The primary member of the global database: the writable cluster, its instances (writer
 * first, then readers) and the master credentials, replicated to the DR region.
 */
export class AuroraPrimaryCluster extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  /** The DBClusterIdentifier of CloudWatch's RDS metrics. */
  readonly clusterIdentifier: pulumi.Output<string>;
  /** This region's writer endpoint. */
  readonly clusterEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  /** The writer instance; the DR stack's secondary waits for it. */
  readonly writerInstanceId: pulumi.Output<string>;
  /** Secrets Manager secret with the master credentials: the migrate function's. */
  readonly secretArn: pulumi.Output<string>;
  /** The secret's name: the same in both regions, so the DR copy is found by it too. */
  readonly secretName: pulumi.Output<string>;
  /** Secrets Manager secret with the app role's credentials: the payment functions'. */
  readonly appSecretArn: pulumi.Output<string>;
  /** The app secret's name, the same in both regions. */
  readonly appSecretName: pulumi.Output<string>;
  /** The app secret's version: the migrate function must run again when it changes (a new password). */
  readonly appSecretVersionId: pulumi.Output<string>;

  constructor(name: string, args: AuroraPrimaryClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:aurora:AuroraPrimaryCluster", name, {}, opts);
    checkMemberArgs(`AuroraPrimaryCluster "${name}"`, args, 2);
    const global = args.globalCluster;

    const secretArgs: DatabaseCredentialsArgs = {
      namer: args.namer,
      kmsKeyArn: args.kmsKeyArn,
      replica: args.credentialsReplica,
      host: global.endpoint,
      databaseName: global.databaseName,
      deletionProtection: args.deletionProtection,
    };
    const rotations = args.passwordRotations ?? {};
    const credentials = createMasterCredentials(name, { ...secretArgs, rotation: rotations.master }, this);
    const appCredentials = createAppCredentials(`${name}-app`, { ...secretArgs, rotation: rotations.app }, this);

    const { cluster, instances, clusterEndpoint } = createMemberCluster(
      name,
      args,
      {
        globalClusterIdentifier: global.globalClusterId,
        engineVersion: global.engineVersion,
        master: { username: credentials.username, password: credentials.password, databaseName: global.databaseName },
      },
      this,
    );

    this.clusterArn = cluster.arn;
    this.clusterIdentifier = cluster.clusterIdentifier;
    this.clusterEndpoint = clusterEndpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.writerInstanceId = instances[0].id;
    this.secretArn = credentials.secret.arn;
    this.secretName = credentials.secret.name;
    this.appSecretArn = appCredentials.secret.arn;
    this.appSecretName = appCredentials.secret.name;
    this.appSecretVersionId = appCredentials.versionId;
    this.registerOutputs({
      appSecretArn: this.appSecretArn,
      appSecretName: this.appSecretName,
      appSecretVersionId: this.appSecretVersionId,
      clusterIdentifier: this.clusterIdentifier,
      secretName: this.secretName,
      clusterArn: this.clusterArn,
      clusterEndpoint: this.clusterEndpoint,
      readerEndpoint: this.readerEndpoint,
      writerInstanceId: this.writerInstanceId,
      secretArn: this.secretArn,
    });
  }
}
