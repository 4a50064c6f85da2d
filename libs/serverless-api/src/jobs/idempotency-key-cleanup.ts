import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { metricAlarmArgs, NAMESPACE, type AlarmSpec } from "@payments-dr/monitoring";
import { CLEANUP_BACKLOG_METRIC, DATABASE_BUDGET_MS, METRICS_NAMESPACE } from "@payments-dr/payment-lambda";
import { cleanupEnvironment, type LogLevel } from "../functions/environment";
import { scheduleFunction } from "../functions/function-schedule";
import { requireInteger } from "../validation";
import { checkFunctionArgs, createVpcFunction, LAMBDA_MAX_TIMEOUT_SECONDS, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "../functions/vpc-function";

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
   * The endpoint it deletes through: this region's cluster endpoint, never the global writer
   * endpoint, since the function must delete only where this region holds the writer; the global
   * endpoint would send the DR function to the other region's writer, or time out when that is
   * out of reach. While this cluster is a secondary it is unreachable or read-only here, and the
   * function skips.
   */
  endpoint: pulumi.Input<string>;
  /**
   * This region's reader endpoint. When `endpoint` cannot be reached (a secondary's cluster
   * endpoint is inactive), a read-only answer here tells a secondary from an outage: the run is
   * skipped instead of failed.
   */
  readerEndpoint: pulumi.Input<string>;
  /** Keys the function decrypts with (through Secrets Manager only): this region's key of the secret. */
  kmsKeyArns: pulumi.Input<string>[];
  logs: LogArgs;
  /** The function stops starting batches when a connect, two statements and 3 s remain (17 s). @default 60 */
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
  timeoutSeconds: 60,
  memoryMb: 256,
  logLevel: "INFO" as LogLevel,
};
/** Role in physical names: function, roles, schedule and alarm. */
const ROLE = "idem-cleanup";
/** A run that waits longer than this for the function is dropped: the next one is due within the hour. */
const MAX_EVENT_AGE_SECONDS = 900;
/** Every hour: its alarms count runs and their backlog by the hour. */
const SCHEDULE_EXPRESSION = "rate(1 hour)";
/** The alarms judge the job per hour, the schedule's default: a failed run stays an alarm until a run succeeds. */
const HOUR_SECONDS = 3600;
/** How far behind (the backlog's age after a run) the cleanup may fall before it alarms: three hourly runs' worth. */
const MAX_BACKLOG_AGE_SECONDS = 3 * HOUR_SECONDS;

/** The arguments with their defaults applied and checked: a bad value stops the preview. */
export function withCleanupDefaults(name: string, args: IdempotencyKeyCleanupArgs): ResolvedCleanupArgs {
  const where = `IdempotencyKeyCleanup "${name}"`;
  const resolved: ResolvedCleanupArgs = {
    ...args,
    timeoutSeconds: args.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
    logLevel: args.logLevel ?? DEFAULTS.logLevel,
  };
  requireInteger(where, "timeoutSeconds", resolved.timeoutSeconds, 30, LAMBDA_MAX_TIMEOUT_SECONDS, "the function keeps 17 s for a connect, a last batch and the backlog's lookup");
  checkFunctionArgs(where, resolved);
  return resolved;
}

/**
 * The function's Errors per hour: a run that threw or timed out. Judged per hour, so the alarm
 * stays on until a run succeeds instead of clearing a minute after the failure.
 */
function cleanupErrorsAlarm(functionName: pulumi.Input<string>): AlarmSpec {
  return {
    role: `${ROLE}-errors`,
    description: "Idempotency key cleanup failed (threw or timed out). Expired keys pile up on the writer until a run succeeds: check its logs and the database.",
    namespace: NAMESPACE.lambda,
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    stat: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: HOUR_SECONDS,
    evaluationPeriods: 1,
    // No run, no datapoint: cleanupNotRunningAlarm watches that.
    treatMissingData: "notBreaching",
  };
}

/**
 * No invocation for two hours: the schedule stopped firing or Scheduler cannot invoke the
 * function (its role, the function's throttling). Neither shows in the function's Errors. A
 * read-only skip in the DR region is still an invocation.
 */
function cleanupNotRunningAlarm(functionName: pulumi.Input<string>): AlarmSpec {
  return {
    role: `${ROLE}-not-running`,
    description: "Idempotency key cleanup has not run for 2 hours: check its EventBridge Scheduler schedule (state, target errors) and the function's throttles.",
    namespace: NAMESPACE.lambda,
    metricName: "Invocations",
    dimensions: { FunctionName: functionName },
    stat: "Sum",
    comparison: "LessThanThreshold",
    threshold: 1,
    periodSeconds: HOUR_SECONDS,
    evaluationPeriods: 2,
    // Lambda publishes nothing for an hour without invocations: that is the failure.
    treatMissingData: "breaching",
  };
}

/**
 * Runs that end before the expired keys do, hour after hour: more keys expire than a run deletes,
 * and the keys table and its index grow. Neither an error nor a missed run. The function reports
 * after each run how long ago the next key to delete expired (0 once caught up); a skipped region
 * reports nothing, and a failed run is the errors alarm's.
 */
function cleanupBehindAlarm(functionName: pulumi.Input<string>): AlarmSpec {
  return {
    role: `${ROLE}-behind`,
    description:
      "Idempotency key cleanup is more than 3 hours behind: its runs end before the expired keys do, and the keys table grows. Raise the function's timeoutSeconds; check its logs for slow batches.",
    namespace: METRICS_NAMESPACE,
    metricName: CLEANUP_BACKLOG_METRIC.name,
    dimensions: { [CLEANUP_BACKLOG_METRIC.functionDimension]: functionName },
    stat: "Maximum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: MAX_BACKLOG_AGE_SECONDS,
    periodSeconds: HOUR_SECONDS,
    evaluationPeriods: 1,
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
          host: settings.endpoint,
          readerHost: settings.readerEndpoint,
          timeouts: DATABASE_BUDGET_MS,
          logLevel: settings.logLevel,
        }),
        access: { secretName: settings.secretName, kmsKeyArns: settings.kmsKeyArns },
      },
      this,
    );
    // No Lambda retries (a failed run alarms; the next hour tries again); a run later than MAX_EVENT_AGE_SECONDS is dropped.
    scheduleFunction(
      name,
      { namer, role: ROLE, fn, scheduleExpression: SCHEDULE_EXPRESSION, description: "payments-dr: delete expired idempotency keys", maxEventAgeSeconds: MAX_EVENT_AGE_SECONDS },
      this,
    );
    if (settings.alarmTopicArn !== undefined) {
      for (const spec of [cleanupErrorsAlarm(fn.name), cleanupNotRunningAlarm(fn.name), cleanupBehindAlarm(fn.name)]) {
        new aws.cloudwatch.MetricAlarm(`${name}-${spec.role.slice(ROLE.length + 1)}-alarm`, metricAlarmArgs(spec, namer, settings.alarmTopicArn), parentOpts);
      }
    }

    this.functionName = fn.name;
    this.registerOutputs({ functionName: this.functionName });
  }
}
