import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { PERIOD_SECONDS } from "../metrics";

/** A statistic CloudWatch computes: a standard one, or a percentile such as `p99`. */
export type AlarmStat = "Sum" | "SampleCount" | "Average" | "Maximum" | "Minimum" | `p${number}`;

/**
 * How CloudWatch treats a minute without a datapoint. Each alarm chooses on purpose: the
 * default (`missing`) is right for some metrics and silently wrong for others.
 */
export type MissingData = "missing" | "ignore" | "breaching" | "notBreaching";

/** What an alarm watches: one metric, by its exact dimensions. */
export interface MetricSource {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  stat: AlarmStat;
}

/**
 * What an alarm watches: a CloudWatch Metrics Insights query that returns one time series (its
 * aggregate function is the statistic), for a metric whose dimension set AWS does not document.
 */
export interface QuerySource {
  query: pulumi.Input<string>;
}

/** One alarm, before it is a resource: what it watches and when it fires. */
export type AlarmSpec = AlarmCondition & (MetricSource | QuerySource);

/** When an alarm fires, and what it tells. */
export interface AlarmCondition {
  /** Names the alarm: logical `<component>-<role>`, physical `namer.regional("display", "<role>-alarm")`. */
  role: string;
  /** What the on-call reads in the notification: what is wrong and where to look. */
  description: string;
  comparison: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  threshold: number;
  /** Seconds per datapoint: a job that runs hourly is judged per hour. @default 60 */
  periodSeconds?: number;
  /** Periods looked at (minutes, at the default period). */
  evaluationPeriods: number;
  /** Periods among them that must breach. @default evaluationPeriods */
  datapointsToAlarm?: number;
  treatMissingData: MissingData;
}

const PERCENTILE = /^p\d+(\.\d+)?$/;

/** The longest AlarmDescription CloudWatch accepts (PutMetricAlarm API reference). */
export const ALARM_DESCRIPTION_MAX_LENGTH = 1024;

/**
 * `value`, released only when the alarm's provider is in the region where its metric is
 * published: elsewhere the alarm would watch nothing and sit in OK or INSUFFICIENT_DATA forever,
 * so the preview stops with `wrongRegion`'s reason instead (undefined: the region is right).
 */
export function inMetricRegion<T>(value: pulumi.Input<T>, region: pulumi.Input<string>, wrongRegion: (actual: string, value: T) => string | undefined): pulumi.Output<T> {
  return pulumi.all([pulumi.output(value), pulumi.output(region)]).apply(([resolved, actual]) => {
    const reason = wrongRegion(actual, resolved as T);
    if (reason) throw new pulumi.RunError(reason);
    return resolved as T;
  });
}

/**
 * The arguments of one alarm's resource. It notifies the topic both ways (ALARM and back to
 * OK), so the on-call learns when a problem ends as well as when it starts; tags come from
 * the provider's `defaultTags`.
 */
export function metricAlarmArgs(spec: AlarmSpec, namer: ResourceNamer, topicArn: pulumi.Input<string>): aws.cloudwatch.MetricAlarmArgs & { name: string } {
  if (spec.description.length > ALARM_DESCRIPTION_MAX_LENGTH) {
    throw new Error(`alarm ${spec.role}: its description has ${spec.description.length} characters; CloudWatch takes at most ${ALARM_DESCRIPTION_MAX_LENGTH} (PutMetricAlarm, AlarmDescription)`);
  }
  const period = spec.periodSeconds ?? PERIOD_SECONDS;
  return {
    name: namer.regional("display", `${spec.role}-alarm`),
    alarmDescription: spec.description,
    ...("query" in spec ? { metricQueries: [{ id: "q1", expression: spec.query, period, returnData: true }] } : { ...metricArgs(spec), period }),
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    treatMissingData: spec.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}

/** The metric, its dimensions and its statistic, as an alarm on one metric takes them. */
function metricArgs(source: MetricSource): Pick<aws.cloudwatch.MetricAlarmArgs, "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "evaluateLowSampleCountPercentiles"> {
  const percentile = PERCENTILE.test(source.stat);
  return {
    namespace: source.namespace,
    metricName: source.metricName,
    dimensions: source.dimensions,
    ...(percentile
      ? // Judged whatever the sample count: under `ignore` CloudWatch skips every period with fewer
        // than 10/(1 - p) samples, 1000 a minute for p99 ("Percentile-based alarms and low data
        // samples"), and a slow database caps the reserved concurrency below that (50 functions at
        // 8 s: 375 a minute), so the alarm would keep its state exactly when it should fire. A lone slow
        // request is kept out by the specs' consecutive periods instead.
        { extendedStatistic: source.stat, evaluateLowSampleCountPercentiles: "evaluate" }
      : { statistic: source.stat }),
  };
}

/** Creates one alarm per spec as children of `parent`. */
export function createAlarms(
  parent: pulumi.ComponentResource,
  name: string,
  specs: AlarmSpec[],
  namer: ResourceNamer,
  topicArn: pulumi.Input<string>,
): void {
  for (const spec of specs) new aws.cloudwatch.MetricAlarm(`${name}-${spec.role}`, metricAlarmArgs(spec, namer, topicArn), { parent });
}
