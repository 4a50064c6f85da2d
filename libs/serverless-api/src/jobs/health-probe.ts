import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { metricAlarmArgs, type AlarmSpec } from "@payments-dr/monitoring";
import { PROBE_METRIC, PROBE_PUBLISH_BUDGET_MS, PROBE_SCHEDULE_PERIOD_MS, ROUTE53_CHECK_MAX_MS, ROUTE53_CHECK_TIMEOUTS_MS } from "@payments-dr/payment-lambda";
import { probeEnvironment, type LogLevel } from "../functions/environment";
import { scheduleFunction } from "../functions/function-schedule";
import { invalid, requireInteger } from "../validation";
import { createFunctionOutsideVpc, type FunctionCode, type LogArgs } from "../functions/vpc-function";

/** Arguments of {@link HealthProbe}. */
export interface HealthProbeArgs {
  /** Builds every physical name (the region the probe runs in: not the target's). */
  namer: ResourceNamer;
  /** The probe bundle: an archive or the directory `dist/libs/payment-lambda/probe`. */
  code: FunctionCode;
  /**
   * What it probes: a label (the metric's `Target` dimension, and the names: `<label>-probe`)
   * and the target's `/health` URL, the stage's own execute-api URL (like the Route 53 check's,
   * it must reach that region's API whatever DNS answers).
   */
  target: { label: string; healthUrl: pulumi.Input<string> };
  logs: LogArgs;
  /** Both alarms notify this topic, in the probe's region. */
  alarmTopicArn: pulumi.Input<string>;
  /** Seconds between probes: 10, 20 or 30 (a high-resolution alarm's periods). @default 10 */
  intervalSeconds?: number;
  /** Failed probes in a row that raise the alarm, 1–10. @default 3 */
  failuresToAlarm?: number;
  /** @default "INFO" */
  logLevel?: LogLevel;
}

/** {@link HealthProbeArgs} with every default applied. */
export type ResolvedHealthProbeArgs = Required<HealthProbeArgs>;

const DEFAULTS = { intervalSeconds: 10, failuresToAlarm: 3, logLevel: "INFO" as LogLevel };
/** Periods a high-resolution alarm accepts under a minute. */
const INTERVALS = [10, 20, 30];
/** A label fit for the metric dimension and the physical names. */
const LABEL = /^[a-z][a-z0-9-]{0,15}$/;
/**
 * How long a probe waits at most: as long as Route 53's checkers, 4 s to connect and 2 s to
 * answer once connected (the probe applies each on its own), so that it pages when they fail.
 */
export const PROBE_TIMEOUT_SECONDS = ROUTE53_CHECK_MAX_MS / 1000;
/** The schedule's period, `rate(1 minute)`: EventBridge Scheduler's shortest. */
const SCHEDULE_SECONDS = PROBE_SCHEDULE_PERIOD_MS / 1000;
/**
 * Scheduler invokes with 60-second precision: the invocation due at S arrives anywhere in
 * [S, S + 60 s), and probes the next minute, [S + 60 s, S + 120 s), whose probes its successor
 * continues. Arrived at S, it waits a minute, probes a minute (the last probe starting just
 * before S + 120 s) and still has that probe's timeout and the publication budget left (plus a
 * second to close).
 */
export const PROBE_FUNCTION_TIMEOUT_SECONDS = 2 * SCHEDULE_SECONDS + PROBE_TIMEOUT_SECONDS + PROBE_PUBLISH_BUDGET_MS / 1000 + 1;
/** A run Scheduler could not start within this is dropped: the next minute's run is due. */
const MAX_EVENT_AGE_SECONDS = 60;
/** One run starts each minute and may last its whole timeout (over two minutes): three at once. */
const RESERVED_CONCURRENCY = 3;
/** What Scheduler sends: the time the invocation was due, which window the run probes. */
const SCHEDULE_INPUT = JSON.stringify({ scheduledTime: "<aws.scheduler.scheduled-time>" });
/** Minutes without a single datapoint before the probe itself alarms. */
const SILENT_MINUTES = 3;

/** The arguments with their defaults applied and checked: a bad value stops the preview. */
export function withHealthProbeDefaults(name: string, args: HealthProbeArgs): ResolvedHealthProbeArgs {
  const where = `HealthProbe "${name}"`;
  const resolved: ResolvedHealthProbeArgs = {
    ...args,
    intervalSeconds: args.intervalSeconds ?? DEFAULTS.intervalSeconds,
    failuresToAlarm: args.failuresToAlarm ?? DEFAULTS.failuresToAlarm,
    logLevel: args.logLevel ?? DEFAULTS.logLevel,
  };
  if (!LABEL.test(resolved.target.label)) invalid(where, `target.label "${resolved.target.label}" must be 1–16 of a-z, 0-9 and -, starting with a letter.`);
  if (!INTERVALS.includes(resolved.intervalSeconds)) invalid(where, `intervalSeconds ${resolved.intervalSeconds} must be one of ${INTERVALS.join(", ")} (a high-resolution alarm's periods).`);
  requireInteger(where, "failuresToAlarm", resolved.failuresToAlarm, 1, 10);
  return resolved;
}

/** The target failed `failuresToAlarm` probes in a row: every probe of those periods failed. */
function unhealthyAlarm(settings: ResolvedHealthProbeArgs, dimensions: Record<string, string>): AlarmSpec {
  const { label } = settings.target;
  return {
    role: `${label}-probe-unhealthy`,
    description:
      `The ${label} region's /health failed ${settings.failuresToAlarm} probes in a row from this region (no connection within ${ROUTE53_CHECK_TIMEOUTS_MS.connect / 1000} s or no 2xx/3xx within ${ROUTE53_CHECK_TIMEOUTS_MS.answer / 1000} s of it, as Route 53 judges). ` +
      "This alarm lives outside that region, so it pages even when all of it is down. Follow the runbook: `dr status`, then an unplanned failover if the region is out. Expected during a planned switchover or a fence. " +
      "Not a failover's case when both regions' payment or /health function logs show 28P01 after a primary-region `up` stopped during a password rotation: run that `up` again. " +
      "Probes answered 429 (logged as `Target unhealthy`) mean /health is rate-limited (WAF under a flood, or its throttle), not that the region is down: runbook, 429s.",
    namespace: PROBE_METRIC.namespace,
    metricName: PROBE_METRIC.name,
    dimensions,
    stat: "Maximum",
    comparison: "LessThanThreshold",
    threshold: 1,
    periodSeconds: settings.intervalSeconds,
    evaluationPeriods: settings.failuresToAlarm,
    // A period without a probe (an invocation starting a little late) neither breaches nor clears: the silent alarm watches for that.
    treatMissingData: "missing",
  };
}

/** The probe itself stopped reporting: no schedule, no invocation, or no publication. */
function silentAlarm(settings: ResolvedHealthProbeArgs, dimensions: Record<string, string>): AlarmSpec {
  const { label } = settings.target;
  return {
    role: `${label}-probe-silent`,
    description:
      `The probe of the ${label} region's /health from this region has published nothing for ${SILENT_MINUTES} minutes: an outage there would not page from here. ` +
      "Check the probe function's schedule, errors and throttles. This says nothing about the target's health.",
    namespace: PROBE_METRIC.namespace,
    metricName: PROBE_METRIC.name,
    dimensions,
    stat: "SampleCount",
    comparison: "LessThanThreshold",
    threshold: 1,
    evaluationPeriods: SILENT_MINUTES,
    treatMissingData: "breaching",
  };
}

/**
 * Probes another region's `/health` from this one, every `intervalSeconds`, and pages through
 * this region's topic when it fails `failuresToAlarm` probes in a row (DESIGN §7's health check
 * judges the same way; its metrics, though, exist only in us-east-1, so in an outage of all of
 * us-east-1 its alarm cannot fire). A function outside the VPC (it needs the internet, and the
 * VPCs have no NAT; it reads no data: its role may write its logs and PutMetricData into its
 * own namespace, nothing else), invoked each minute by EventBridge Scheduler, each invocation
 * probing the minute after the one it was due in (Scheduler's 60-second precision); one
 * datapoint per probe, at one-second resolution. A second alarm fires when the probe stops reporting.
 */
export class HealthProbe extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: HealthProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:serverless-api:HealthProbe", name, {}, opts);
    const settings = withHealthProbeDefaults(name, args);
    const { namer, target } = settings;
    const role = `${target.label}-probe`;

    const fn = createFunctionOutsideVpc(
      name,
      {
        namer,
        role,
        code: settings.code,
        logs: settings.logs,
        memoryMb: 128,
        timeoutSeconds: PROBE_FUNCTION_TIMEOUT_SECONDS,
        reservedConcurrency: RESERVED_CONCURRENCY,
        environment: probeEnvironment({
          targetUrl: target.healthUrl,
          target: target.label,
          intervalMs: settings.intervalSeconds * 1000,
          connectTimeoutMs: ROUTE53_CHECK_TIMEOUTS_MS.connect,
          answerTimeoutMs: ROUTE53_CHECK_TIMEOUTS_MS.answer,
          logLevel: settings.logLevel,
        }),
        access: { kmsKeyArns: [], metricsNamespace: PROBE_METRIC.namespace },
      },
      this,
    );
    scheduleFunction(
      name,
      {
        namer,
        role,
        fn,
        scheduleExpression: "rate(1 minute)",
        input: SCHEDULE_INPUT,
        description: `payments-dr: probe the ${target.label} region's /health`,
        maxEventAgeSeconds: MAX_EVENT_AGE_SECONDS,
      },
      this,
    );

    const dimensions = { [PROBE_METRIC.targetDimension]: target.label };
    for (const spec of [unhealthyAlarm(settings, dimensions), silentAlarm(settings, dimensions)]) {
      new aws.cloudwatch.MetricAlarm(`${name}-${spec.role.slice(role.length + 1)}-alarm`, metricAlarmArgs(spec, namer, settings.alarmTopicArn), { parent: this });
    }

    this.functionName = fn.name;
    this.registerOutputs({ functionName: this.functionName });
  }
}
