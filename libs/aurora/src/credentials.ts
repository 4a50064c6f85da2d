import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ResourceNamer } from "@payments-dr/conventions";
import { AURORA_PORT } from "./engine";

/** The master user of the global database: owns the schema; only the migrate function connects as it. */
const MASTER_USERNAME = "payments_admin";

/**
 * The roles the functions connect as, each with a secret of its own. The migrations create them
 * (libs/payment-lambda/migrations/003 and 005) and the migrate function gives each the password
 * of its input; the stack writes that password into the role's secret after that run.
 */
export const FUNCTION_ROLES = {
  /** The payment functions' (api, cleanup): rows of their tables only. */
  app: { username: "payments_app", secretRole: "aurora-app", description: "Credentials of the payment functions' database role (rows of their tables only)" },
  /** /health's: the heartbeat row only (/health is the API's anonymous route). */
  health: { username: "payments_health", secretRole: "aurora-health", description: "Credentials of the /health functions' database role (the heartbeat row only)" },
} as const;

export type FunctionRoleKey = keyof typeof FUNCTION_ROLES;

/** Long, and within the 41 characters RDS accepts for a master password. */
const PASSWORD_LENGTH = 40;

/** Specials the password may use: RDS rejects `/`, `@`, `"` and space. */
export const PASSWORD_SPECIAL_CHARACTERS = "!#$%^&*()-_=+[]{}~";

/** Arguments of {@link createMasterCredentials} and {@link createRoleCredentials}. */
export interface DatabaseCredentialsArgs {
  namer: ResourceNamer;
  /** The primary region's CMK: encrypts the secret. */
  kmsKeyArn: pulumi.Input<string>;
  /** Where the secret is replicated, and the key that encrypts it there. */
  replica: { region: string; kmsKeyArn: pulumi.Input<string> };
  /** The global writer endpoint: it follows the primary, so the secret stays right after a failover. */
  host: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  /** A protected stack keeps a deleted secret recoverable for a week. */
  deletionProtection: boolean;
  /**
   * The password's rotation label: a new one makes a new password (the secret gets a new version,
   * and RDS, or the migrate function for a function role, takes it at the next `up`).
   * @default undefined (the password stays as generated; none set leaves a deployed password alone)
   */
  rotation?: string;
}

/**
 * The secret's JSON, in the shape Secrets Manager's RDS integrations expect (username,
 * password, engine, host, port, dbname). A Pulumi secret as a whole.
 */
export function credentialsSecretString(args: { username: string; password: pulumi.Input<string>; host: pulumi.Input<string>; databaseName: pulumi.Input<string> }): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.jsonStringify({
      username: args.username,
      password: args.password,
      engine: "postgres",
      host: args.host,
      port: AURORA_PORT,
      dbname: args.databaseName,
    }),
  );
}

/** A database user's credentials and the secret that holds them (once {@link writeCredentials} wrote them). */
export interface DatabaseCredentials {
  username: string;
  /** A Pulumi secret: redacted in state, logs and the synth plan. */
  password: pulumi.Output<string>;
  secret: aws.secretsmanager.Secret;
}

/**
 * Master credentials of the global database: a generated password, kept as a Pulumi secret,
 * in a Secrets Manager secret encrypted with the CMK and replicated to the DR region.
 * RDS-managed master passwords (`manageMasterUserPassword`) are not supported for global
 * databases, so the password is ours to generate and store.
 */
export function createMasterCredentials(name: string, args: DatabaseCredentialsArgs, parent: pulumi.Resource): DatabaseCredentials & { version: aws.secretsmanager.SecretVersion } {
  const credentials = createCredentials(name, args, { username: MASTER_USERNAME, secretRole: "aurora-master", description: "Master credentials of the payments Aurora global database" }, parent);
  return { ...credentials, version: writeCredentials(name, args, credentials, parent) };
}

/**
 * Credentials of a function role ({@link FUNCTION_ROLES}), made and replicated like the master's,
 * but not yet written into their secret: nothing here creates the role or sets its password (the
 * migrations and the migrate function do, in the database), and the secret takes the password
 * only once the database has it ({@link writeCredentials}, after the migrations' run).
 */
export function createRoleCredentials(name: string, role: FunctionRoleKey, args: DatabaseCredentialsArgs, parent: pulumi.Resource): DatabaseCredentials {
  return createCredentials(name, args, FUNCTION_ROLES[role], parent);
}

function createCredentials(
  name: string,
  args: DatabaseCredentialsArgs,
  user: { username: string; secretRole: string; description: string },
  parent: pulumi.Resource,
): DatabaseCredentials {
  const generated = new random.RandomPassword(
    `${name}-password`,
    {
      length: PASSWORD_LENGTH,
      special: true,
      overrideSpecial: PASSWORD_SPECIAL_CHARACTERS,
      minLower: 2,
      minUpper: 2,
      minNumeric: 2,
      minSpecial: 2,
      // Only when set: keepers added to a deployed password, even empty ones, would replace it.
      ...(args.rotation === undefined ? {} : { keepers: { rotation: args.rotation } }),
    },
    { parent },
  );
  // The provider marks `result` secret; wrapping it states the intent where the value flows on.
  const password = pulumi.secret(generated.result);

  const secret = new aws.secretsmanager.Secret(
    `${name}-secret`,
    {
      name: args.namer.global("secret", user.secretRole),
      description: user.description,
      kmsKeyId: args.kmsKeyArn,
      replicas: [{ region: args.replica.region, kmsKeyId: args.replica.kmsKeyArn }],
      // 0 deletes at once, so a dev stack can be destroyed and recreated under the same name.
      recoveryWindowInDays: args.deletionProtection ? 7 : 0,
    },
    { parent },
  );

  return { username: user.username, password, secret };
}

/**
 * Writes the credentials into their secret (a new version, which becomes its current one, on a
 * new password), after `dependsOn`. Its readers connect with what it holds, so it must not hold
 * a password before the database does.
 */
export function writeCredentials(
  name: string,
  args: Pick<DatabaseCredentialsArgs, "host" | "databaseName">,
  credentials: DatabaseCredentials,
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[] = [],
): aws.secretsmanager.SecretVersion {
  return new aws.secretsmanager.SecretVersion(
    `${name}-secret-version`,
    {
      secretId: credentials.secret.id,
      secretString: credentialsSecretString({ username: credentials.username, password: credentials.password, host: args.host, databaseName: args.databaseName }),
    },
    { parent, dependsOn },
  );
}
