import * as pulumi from "@pulumi/pulumi";
import { createAppCredentials, createMasterCredentials, writeCredentials, type DatabaseCredentials, type DatabaseCredentialsArgs } from "./credentials";
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
  /**
   * What a run against the database must wait for (the migrations'): the writer instance (the
   * endpoint exists before it can serve) and the master secret's version. Not this component as
   * a whole: its app secret's version waits for that run ({@link writeAppSecret}).
   */
  readonly writerReady: pulumi.Resource[];
  /** Secrets Manager secret with the master credentials: the migrate function's. */
  readonly secretArn: pulumi.Output<string>;
  /** The secret's name: the same in both regions, so the DR copy is found by it too. */
  readonly secretName: pulumi.Output<string>;
  /** Secrets Manager secret with the app role's credentials: the payment functions'. */
  readonly appSecretArn: pulumi.Output<string>;
  /** The app secret's name, the same in both regions. */
  readonly appSecretName: pulumi.Output<string>;
  /**
   * The app role's password, a Pulumi secret: the migrate function gives it to the role, and
   * only then does the app secret hold it ({@link writeAppSecret}).
   */
  readonly appPassword: pulumi.Output<string>;
  private readonly appCredentials: DatabaseCredentials & { name: string };
  private readonly secretArgs: DatabaseCredentialsArgs;
  private appSecretWritten = false;

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
    const appCredentials = { ...createAppCredentials(`${name}-app`, { ...secretArgs, rotation: rotations.app }, this), name: `${name}-app` };

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
    this.writerReady = [instances[0], credentials.version];
    this.secretArn = credentials.secret.arn;
    this.secretName = credentials.secret.name;
    this.appSecretArn = appCredentials.secret.arn;
    this.appSecretName = appCredentials.secret.name;
    this.appPassword = appCredentials.password;
    this.appCredentials = appCredentials;
    this.secretArgs = secretArgs;
    this.registerOutputs({
      appSecretArn: this.appSecretArn,
      appSecretName: this.appSecretName,
      clusterIdentifier: this.clusterIdentifier,
      secretName: this.secretName,
      clusterArn: this.clusterArn,
      clusterEndpoint: this.clusterEndpoint,
      readerEndpoint: this.readerEndpoint,
      writerInstanceId: this.writerInstanceId,
      secretArn: this.secretArn,
    });
  }

  /**
   * Writes {@link appPassword} into the app secret once `databaseTookIt` is done: the run that
   * gives the role that password (the migrate function's). A run that fails, or cannot reach the
   * writer (after a switchover, from this region), then leaves the secret on the password the
   * database still has, and the payment functions, which connect with the secret's, keep
   * connecting. Returns the secret's name once the version is written: the functions take it
   * through this. Called once, after the run it waits for is declared (which needs this cluster);
   * the version stays this component's child, under its name since the first deploy.
   */
  writeAppSecret(databaseTookIt: pulumi.Resource): pulumi.Output<string> {
    if (this.appSecretWritten) throw new Error(`AuroraPrimaryCluster: writeAppSecret is called once; it was already`);
    this.appSecretWritten = true;
    const version = writeCredentials(this.appCredentials.name, this.secretArgs, this.appCredentials, this, [databaseTookIt]);
    return pulumi.all([this.appSecretName, version.id]).apply(([name]) => name);
  }
}
