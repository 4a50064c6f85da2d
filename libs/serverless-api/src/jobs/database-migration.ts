import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { DATABASE_BUDGET_MS, MIGRATE_RUN_BUDGET_MS, MIGRATE_SETUP_MARGIN_MS } from "@payments-dr/payment-lambda";
import { checkDatabaseTimeouts, functionEnvironment, type DatabaseArgs, type LogLevel } from "../functions/environment";
import { migrationInvocationOptions } from "../options";
import { invalid, requireInteger } from "../validation";
import { checkFunctionArgs, createVpcFunction, LAMBDA_MAX_TIMEOUT_SECONDS, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "../functions/vpc-function";

/** Arguments of {@link DatabaseMigration}. */
export interface DatabaseMigrationArgs {
  /** Builds every physical name (this region's). */
  namer: ResourceNamer;
  /** The migration function's bundle: an archive or the directory `dist/libs/payment-lambda/migrate`. */
  code: FunctionCode;
  /** The region's private subnets and Lambda security group. */
  network: FunctionNetworkArgs;
  /** The master user's secret (the schema's owner) and the writer. */
  database: DatabaseArgs;
  /**
   * The function roles' passwords (`app`: the payment functions'; `health`: /health's), Pulumi
   * secrets: after the migrations the function gives each to its role, all in one transaction, and
   * it runs again when one changes (its input carries them, kept secret in the state). Each role's
   * secret takes its password only after this run (AuroraPrimaryCluster's writeRoleSecrets), so a
   * run that fails leaves the functions on the ones the roles still have.
   * @default {} (each role's password is left as it is)
   */
  rolePasswords?: { app?: pulumi.Input<string>; health?: pulumi.Input<string> };
  /**
   * The app role keeps its grant on the heartbeat row: this stack's /health may still connect as
   * it (deployed before the health role), and its function takes the health secret only after
   * this run. A change of it runs the function again. @default false
   */
  keepAppHeartbeat?: pulumi.Input<boolean>;
  /** Keys the function decrypts with (through Secrets Manager only): this region's key of the secret. */
  kmsKeyArns: pulumi.Input<string>[];
  logs: LogArgs;
  /** @default 512 */
  memoryMb?: number;
  /**
   * No API Gateway in front, so up to Lambda's 900 s; at least the run's own budgets plus its
   * setup (MIGRATE_RUN_BUDGET_MS + MIGRATE_SETUP_MARGIN_MS, 324 s), so that a run that waits
   * them out fails with the database's words, not Lambda's "Task timed out". @default 360
   */
  timeoutSeconds?: number;
  /** Hash of the SQL migrations: the function runs again when it changes. */
  migrationsHash: string;
  /** What the migration must wait for, e.g. the writer instance (the endpoint exists before it can serve). @default [] */
  runAfter?: pulumi.Resource[];
  /** @default "INFO" */
  logLevel?: LogLevel;
}

/**
 * The run's input (the migrate function's MigrateEvent): the hash, the passwords under
 * `appPassword` and `healthPassword`, and `keepAppHeartbeat` when true. A secret as a whole when
 * it carries a password.
 */
function migrateInput(args: Pick<DatabaseMigrationArgs, "migrationsHash" | "rolePasswords" | "keepAppHeartbeat">): pulumi.Input<string> {
  const { app, health } = args.rolePasswords ?? {};
  // Only when true (JSON leaves an undefined out): the input of a stack that never needed it stays as it was, and runs nothing.
  const keepAppHeartbeat = pulumi.output(args.keepAppHeartbeat ?? false).apply((keep) => (keep ? true : undefined));
  const input = pulumi.jsonStringify({ migrationsHash: args.migrationsHash, appPassword: app, healthPassword: health, keepAppHeartbeat });
  return app === undefined && health === undefined ? input : pulumi.secret(input);
}

const DEFAULTS = {
  memoryMb: 512,
  timeoutSeconds: 360,
  logLevel: "INFO" as LogLevel,
};

/**
 * The function that applies the SQL migrations, in the VPC with the same kind of role and
 * logs as the API's, invoked on deploy whenever the migrations change (DESIGN §6: never by
 * the request path). A failed migration fails the deploy.
 */
export class DatabaseMigration extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;
  /** What the migration function returned (a summary; it must not contain secrets). */
  readonly result: pulumi.Output<string>;

  constructor(name: string, args: DatabaseMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:serverless-api:DatabaseMigration", name, {}, opts);
    const where = `DatabaseMigration "${name}"`;
    const memoryMb = args.memoryMb ?? DEFAULTS.memoryMb;
    const timeoutSeconds = args.timeoutSeconds ?? DEFAULTS.timeoutSeconds;
    const logLevel = args.logLevel ?? DEFAULTS.logLevel;
    // libs/payment-lambda reads the budgets of both functions with one loader, capped at DESIGN §6's.
    const timeouts = DATABASE_BUDGET_MS;
    const runAfter = args.runAfter ?? [];
    const leastTimeoutSeconds = Math.ceil((MIGRATE_RUN_BUDGET_MS + MIGRATE_SETUP_MARGIN_MS) / 1000);
    requireInteger(
      where,
      "timeoutSeconds",
      timeoutSeconds,
      leastTimeoutSeconds,
      LAMBDA_MAX_TIMEOUT_SECONDS,
      "a run may wait for the writer, for the migrations' lock and for one statement, each up to its budget, and must end in its own error, not Lambda's timeout",
    );
    checkFunctionArgs(where, { memoryMb, kmsKeyArns: args.kmsKeyArns });
    if (args.migrationsHash.length === 0) invalid(where, "migrationsHash is empty: without it the migrations would never run again.");
    checkDatabaseTimeouts(where, timeouts, timeoutSeconds);

    const fn = createVpcFunction(
      name,
      {
        namer: args.namer,
        role: "migrate",
        code: args.code,
        network: args.network,
        logs: args.logs,
        memoryMb,
        timeoutSeconds,
        // One at a time: two migrations racing on one schema is never right.
        reservedConcurrency: 1,
        environment: functionEnvironment({
          // Migrations write, so they only ever run against the primary's writer.
          regionRole: "primary",
          database: args.database,
          timeouts,
          serviceName: "payments-migrate",
          logLevel,
        }),
        access: { secretName: args.database.secretName, kmsKeyArns: args.kmsKeyArns },
      },
      this,
    );

    const invocation = new aws.lambda.Invocation(
      `${name}-run`,
      {
        functionName: fn.name,
        input: migrateInput(args),
        // Invoked when created, and created again whenever its input or a trigger changes (CREATE_ONLY); never on destroy.
        lifecycleScope: "CREATE_ONLY",
        triggers: { migrations: args.migrationsHash },
      },
      migrationInvocationOptions(this, runAfter),
    );

    this.functionName = fn.name;
    this.result = invocation.result;
    this.registerOutputs({ functionName: this.functionName, result: this.result });
  }
}
