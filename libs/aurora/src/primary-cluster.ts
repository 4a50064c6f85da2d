import * as pulumi from "@pulumi/pulumi";
import { createMasterCredentials, createRoleCredentials, writeCredentials, type DatabaseCredentials, type DatabaseCredentialsArgs, type FunctionRoleKey } from "./credentials";
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
  passwordRotations?: { master?: string } & Partial<Record<FunctionRoleKey, string>>;
}

/** Per function role (`app`: the payment functions'; `health`: /health's). */
export type ByFunctionRole<T> = Record<FunctionRoleKey, T>;

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
   * a whole: its function roles' secret versions wait for that run ({@link writeRoleSecrets}).
   */
  readonly writerReady: pulumi.Resource[];
  /** Secrets Manager secret with the master credentials: the migrate function's. */
  readonly secretArn: pulumi.Output<string>;
  /** The secret's name: the same in both regions, so the DR copy is found by it too. */
  readonly secretName: pulumi.Output<string>;
  /**
   * The Secrets Manager secrets of the function roles' credentials (`app`: the payment
   * functions'; `health`: /health's), each with the same name in both regions.
   */
  readonly roleSecrets: ByFunctionRole<{ arn: pulumi.Output<string>; name: pulumi.Output<string> }>;
  /**
   * The function roles' passwords, Pulumi secrets: the migrate function gives each to its role,
   * and only then does the role's secret hold it ({@link writeRoleSecrets}).
   */
  readonly rolePasswords: ByFunctionRole<pulumi.Output<string>>;
  private readonly roleCredentials: ByFunctionRole<DatabaseCredentials & { name: string }>;
  private readonly secretArgs: DatabaseCredentialsArgs;
  private roleSecretsWritten = false;

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
    const roleCredentials = (role: FunctionRoleKey) => ({ ...createRoleCredentials(`${name}-${role}`, role, { ...secretArgs, rotation: rotations[role] }, this), name: `${name}-${role}` });
    this.roleCredentials = { app: roleCredentials("app"), health: roleCredentials("health") };

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
    const { app, health } = this.roleCredentials;
    this.roleSecrets = { app: { arn: app.secret.arn, name: app.secret.name }, health: { arn: health.secret.arn, name: health.secret.name } };
    this.rolePasswords = { app: app.password, health: health.password };
    this.secretArgs = secretArgs;
    this.registerOutputs({
      roleSecrets: this.roleSecrets,
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
   * Writes each of {@link rolePasswords} into its role's secret once `databaseTookIt` is done: the
   * run that gives the roles those passwords (the migrate function's, one transaction). A run that
   * fails, or cannot reach the writer (after a switchover, from this region), then leaves each
   * secret on the password the database still has, and the functions, which connect with the
   * secret's, keep connecting. Returns each secret's name once its version is written: the
   * functions take it through this. Called once, after the run it waits for is declared (which
   * needs this cluster); the versions stay this component's children (the app secret's under its
   * name since the first deploy).
   */
  writeRoleSecrets(databaseTookIt: pulumi.Resource): ByFunctionRole<pulumi.Output<string>> {
    if (this.roleSecretsWritten) throw new Error(`AuroraPrimaryCluster: writeRoleSecrets is called once; it was already`);
    this.roleSecretsWritten = true;
    const written = (role: FunctionRoleKey) => {
      const credentials = this.roleCredentials[role];
      const version = writeCredentials(credentials.name, this.secretArgs, credentials, this, [databaseTookIt]);
      return pulumi.all([credentials.secret.name, version.id]).apply(([name]) => name);
    };
    return { app: written("app"), health: written("health") };
  }
}
