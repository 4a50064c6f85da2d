import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { metricAlarmArgs, NAMESPACE, type AlarmSpec } from "@payments-dr/monitoring";
import { checkDatabaseTimeouts, cleanupEnvironment, DATABASE_TIMEOUT_LIMITS, type LogLevel } from "./environment";
import { cleanupScheduleOptions } from "./options";
import { invalid, requireInteger } from "./validation";
import { createVpcFunction, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "./vpc-function";

/** Arguments of {@link IdempotencyKeyCleanup}. */
export interface IdempotencyKeyCleanupArgs {
  /** Builds every physical name (this region's). */
  namer: ResourceNamer;
  /** The cleanup bundle: an archive or the directory `dist/libs/payment-lambda/cleanup`. */
  code: FunctionCode;
  /** The region's private subnets and Lambda security group. */
  network: FunctionNetworkArgs;
  /** Name of the database secret (replicated: the function reads this region's copy). */
  secretName: pulumi.Input<string>;
  /**
   * This region's cluster endpoint, not the global writer endpoint: the function must delete
   * only where this region holds the writer. Here it is read-only until a failover or
   * switchover makes this cluster the primary, and the function skips; the global endpoint
   * would send the DR function to the other region's writer, or time out when it is out of reach.
   */
  clusterEndpoint: pulumi.Input<string>;
  /** Keys the function decrypts with (through Secrets Manager only): this region's key of the secret. */
  kmsKeyArns: pulumi.Input<string>[];
  logs: LogArgs;
  /** When it runs: an EventBridge Scheduler expression. @default "rate(1 hour)" */
  scheduleExpression?: string;
  /** The function stops starting batches when a connect, a statement and 3 s remain. @default 60 */
  timeoutSeconds?: number;
  /** @default 256 */
  memoryMb?: number;
  /** @default "INFO" */
  logLevel?: LogLevel;
  /** An alarm on the function's errors notifies this topic. @default no alarm */
  alarmTopicArn?: pulumi.Input<string>;
}

/** {@link IdempotencyKeyCleanupArgs} with every default applied. */
export type ResolvedCleanupArgs = Required<Omit<IdempotencyKeyCleanupArgs, "alarmTopicArn">> & Pick<IdempotencyKeyCleanupArgs, "alarmTopicArn">;

const DEFAULTS = {
  scheduleExpression: "rate(1 hour)",
  timeoutSeconds: 60,
  memoryMb: 256,
  logLevel: "INFO" as LogLevel,
};
/** Role in physical names: function, roles, schedule and alarm. */
const ROLE = "idem-cleanup";
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** A run that waits longer than this for the function is dropped: the next one is due within the hour. */
const MAX_EVENT_AGE_SECONDS = 900;
const SCHEDULE_EXPRESSION = /^(rate|cron|at)\(.+\)$/;

/** The arguments with their defaults applied and checked: a bad value stops the preview. */
export function withCleanupDefaults(name: string, args: IdempotencyKeyCleanupArgs): ResolvedCleanupArgs {
  const where = `IdempotencyKeyCleanup "${name}"`;
  const resolved: ResolvedCleanupArgs = {
    ...args,
    scheduleExpression: args.scheduleExpression ?? DEFAULTS.scheduleExpression,
    timeoutSeconds: args.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
    logLevel: args.logLevel ?? DEFAULTS.logLevel,
  };
  requireInteger(where, "timeoutSeconds", resolved.timeoutSeconds, 30, LAMBDA_MAX_TIMEOUT_SECONDS, "the function keeps 11 s for a connect and a last statement");
  requireInteger(where, "memoryMb", resolved.memoryMb, 128, 10240);
  if (!SCHEDULE_EXPRESSION.test(resolved.scheduleExpression)) invalid(where, `scheduleExpression "${resolved.scheduleExpression}" is not rate(…), cron(…) or at(…).`);
  if (resolved.kmsKeyArns.length === 0) invalid(where, "kmsKeyArns is empty: the function needs at least the key of the database secret.");
  checkDatabaseTimeouts(where, DATABASE_TIMEOUT_LIMITS, resolved.timeoutSeconds);
  return resolved;
}

/** The function's Errors: a run that threw or timed out (a read-only skip is not an error). */
export function cleanupErrorsAlarm(functionName: pulumi.Input<string>): AlarmSpec {
  return {
    role: `${ROLE}-errors`,
    description: "Idempotency key cleanup failed (threw or timed out). Expired keys pile up on the writer until a run succeeds: check its logs and the database.",
    namespace: NAMESPACE.lambda,
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    stat: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    evaluationPeriods: 1,
    // It runs once an hour: no datapoint is the normal state.
    treatMissingData: "notBreaching",
  };
}

/**
 * Deletes expired idempotency keys (libs/payment-lambda's cleanup function) on a schedule: the
 * function in the VPC with a role that reads only its secret, run once at a time, invoked by an
 * EventBridge Scheduler schedule whose role may invoke this function and nothing else. Deployed
 * the same in both regions: it deletes where this region holds the writer and skips elsewhere.
 */
export class IdempotencyKeyCleanup extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;
  readonly scheduleArn: pulumi.Output<string>;

  constructor(name: string, args: IdempotencyKeyCleanupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:serverless-api:IdempotencyKeyCleanup", name, {}, opts);
    const settings = withCleanupDefaults(name, args);
    const { namer } = settings;
    const parentOpts = { parent: this };

    const fn = createVpcFunction(
      name,
      {
        namer,
        role: ROLE,
        code: settings.code,
        network: settings.network,
        logs: settings.logs,
        memoryMb: settings.memoryMb,
        timeoutSeconds: settings.timeoutSeconds,
        // One connection, one run at a time: two runs would only skip each other's rows.
        reservedConcurrency: 1,
        environment: cleanupEnvironment({
          secretName: settings.secretName,
          host: settings.clusterEndpoint,
          timeouts: DATABASE_TIMEOUT_LIMITS,
          logLevel: settings.logLevel,
        }),
        access: { secretName: settings.secretName, kmsKeyArns: settings.kmsKeyArns },
      },
      this,
    );
    // Scheduler invokes asynchronously: no Lambda retries (a failed run alarms; the next hour tries again).
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS },
      parentOpts,
    );

    // Same role as the function's name, whose 64-character limit is the schedule name's too.
    const scheduleName = namer.regional("display", ROLE);
    const account = aws.getCallerIdentityOutput({}, parentOpts).accountId;
    const partition = aws.getPartitionOutput({}, parentOpts).partition;
    const region = aws.getRegionOutput({}, parentOpts).region;
    const schedulerRole = new aws.iam.Role(
      `${name}-scheduler-role`,
      {
        name: namer.regional("iamRole", `${ROLE}-scheduler`),
        assumeRolePolicy: pulumi
          .all([account, partition, region])
          .apply(([accountId, partitionName, regionName]) =>
            JSON.stringify(schedulerTrustPolicy(accountId, `arn:${partitionName}:scheduler:${regionName}:${accountId}:schedule/default/${scheduleName}`)),
          ),
      },
      parentOpts,
    );
    const invokePolicy = new aws.iam.RolePolicy(
      `${name}-scheduler-invoke`,
      {
        role: schedulerRole.id,
        name: namer.regional("iamRole", `${ROLE}-invoke`),
        policy: fn.arn.apply((functionArn) => JSON.stringify(invokeFunctionPolicy(functionArn))),
      },
      parentOpts,
    );
    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: scheduleName,
        description: "payments-dr: delete expired idempotency keys",
        scheduleExpression: settings.scheduleExpression,
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: fn.arn,
          roleArn: schedulerRole.arn,
          input: "{}",
          // Retries of the delivery to Lambda only; a failed run is not repeated.
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS },
        },
      },
      cleanupScheduleOptions(this, invokePolicy),
    );
    if (settings.alarmTopicArn !== undefined) {
      new aws.cloudwatch.MetricAlarm(`${name}-errors-alarm`, metricAlarmArgs(cleanupErrorsAlarm(fn.name), namer, settings.alarmTopicArn), parentOpts);
    }

    this.functionName = fn.name;
    this.scheduleArn = schedule.arn;
    this.registerOutputs({ functionName: this.functionName, scheduleArn: this.scheduleArn });
  }
}

/** EventBridge Scheduler may assume the role, for this one schedule of this account only. */
export function schedulerTrustPolicy(accountId: string, scheduleArn: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId, "aws:SourceArn": scheduleArn } },
      },
    ],
  };
}

/** The schedule's only permission: invoke the cleanup function. */
export function invokeFunctionPolicy(functionArn: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "InvokeCleanup", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn }],
  };
}
