import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ResourceNamer } from "@payments-dr/conventions";
import { AURORA_PORT } from "./engine";

/** The master user of the global database. */
export const MASTER_USERNAME = "payments_admin";

/** Long, and within the 41 characters RDS accepts for a master password. */
export const PASSWORD_LENGTH = 40;

/** Specials the password may use: RDS rejects `/`, `@`, `"` and space. */
export const PASSWORD_SPECIAL_CHARACTERS = "!#$%^&*()-_=+[]{}~";

/** Arguments of {@link createMasterCredentials}. */
export interface MasterCredentialsArgs {
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
}

/**
 * The secret's JSON, in the shape Secrets Manager's RDS integrations expect (username,
 * password, engine, host, port, dbname). A Pulumi secret as a whole.
 */
export function credentialsSecretString(args: { password: pulumi.Input<string>; host: pulumi.Input<string>; databaseName: pulumi.Input<string> }): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.jsonStringify({
      username: MASTER_USERNAME,
      password: args.password,
      engine: "postgres",
      host: args.host,
      port: AURORA_PORT,
      dbname: args.databaseName,
    }),
  );
}

/** What the primary member cluster is created with. */
export interface MasterCredentials {
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
export function createMasterCredentials(name: string, args: MasterCredentialsArgs, parent: pulumi.Resource): MasterCredentials {
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
    },
    { parent },
  );
  // The provider marks `result` secret; wrapping it states the intent where the value flows on.
  const password = pulumi.secret(generated.result);

  const secret = new aws.secretsmanager.Secret(
    `${name}-secret`,
    {
      name: args.namer.global("secret", "aurora-master"),
      description: "Master credentials of the payments Aurora global database",
      kmsKeyId: args.kmsKeyArn,
      replicas: [{ region: args.replica.region, kmsKeyId: args.replica.kmsKeyArn }],
      // 0 deletes at once, so a dev stack can be destroyed and recreated under the same name.
      recoveryWindowInDays: args.deletionProtection ? 7 : 0,
    },
    { parent },
  );

  new aws.secretsmanager.SecretVersion(
    `${name}-secret-version`,
    {
      secretId: secret.id,
      secretString: credentialsSecretString({ password, host: args.host, databaseName: args.databaseName }),
    },
    { parent },
  );

  return { username: MASTER_USERNAME, password, secret };
}
