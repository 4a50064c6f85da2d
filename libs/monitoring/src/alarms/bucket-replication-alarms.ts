import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RECOVERY_TARGETS, type ResourceNamer } from "@payments-dr/conventions";
import { NAMESPACE } from "../metrics";
import { AlarmSpec, createAlarms, inMetricRegion } from "./alarm-spec";
import { AlarmThresholds, alarmThresholds, forMinutes } from "./thresholds";

/** A bucket at one end of a replication rule, and its region. */
export interface ReplicationEndRef {
  bucketName: pulumi.Input<string>;
  region: string;
}

/** An S3 replication rule: its two buckets (the metrics' dimensions, and where each end's metrics are) and its id. */
export interface BucketReplicationRef {
  source: ReplicationEndRef;
  destination: ReplicationEndRef;
  ruleId: pulumi.Input<string>;
}

/**
 * The end of a replication rule whose region S3 publishes a metric in (S3 User Guide, "Using S3
 * Replication metrics"): latency and the backlog in the destination bucket's region, failed
 * operations in the source bucket's. An alarm in the other region watches nothing and stays OK.
 */
export type ReplicationEnd = "source" | "destination";

/** Arguments of {@link BucketReplicationAlarms}. */
export interface BucketReplicationAlarmsArgs {
  /** Names the alarms, in the region of the component's provider. */
  namer: ResourceNamer;
  /** The alert topic of that region: CloudWatch alarms notify topics of their own region only. */
  topicArn: pulumi.Input<string>;
  /** The rule (its replication metrics must be on): pass the buckets given to BucketReplication. */
  rule: BucketReplicationRef;
  /** Which end's metrics to alarm on; the provider must be in that end's bucket's region (checked at preview). */
  end: ReplicationEnd;
  /** Overrides of `defaultAlarmThresholds`. @default {} */
  thresholds?: Partial<AlarmThresholds>;
}

/**
 * The alarms on one end of the S3 replication rule. Missing data is `ignore` for the latency and
 * the backlog, as the S3 user guide asks of replication metric alarms: a gap keeps the alarm's
 * state (the metrics stop when, say, the destination bucket is gone; an alarm must not turn OK
 * then).
 * - source: any failed operation (e.g. the replication role cannot use the destination's key):
 *   that object never reaches the DR region unless it is written again or batch-replicated,
 *   and neither latency nor the backlog shows it, since it is no longer pending. A count of
 *   events, which S3 may publish only in minutes that have some: a gap is "none failed", so
 *   `notBreaching`. With `ignore` the first failure could hold the alarm in ALARM for good, and
 *   every later failure (the role losing the DR key mid-incident) would page no one.
 * - destination: objects arriving late, and a backlog that does not drain.
 */
function bucketReplicationAlarmSpecs(rule: BucketReplicationRef, end: ReplicationEnd, t: AlarmThresholds): AlarmSpec[] {
  const dimensions = { SourceBucket: rule.source.bucketName, DestinationBucket: rule.destination.bucketName, RuleId: rule.ruleId };
  if (end === "source") {
    return [
      {
        role: "s3-failed-replication",
        description:
          "S3 replication to the DR bucket: an object failed to replicate (often the replication role and the DR key). It will not reach the DR region " +
          "unless written again or batch-replicated; S3 event s3:Replication:OperationFailedReplication names it. See the runbook, S3.",
        namespace: NAMESPACE.s3,
        metricName: "OperationsFailedReplication",
        dimensions,
        stat: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ];
  }
  return [
    {
      role: "s3-replication-latency",
      description:
        `S3 replication to the DR bucket: objects arrive ${t.s3ReplicationLatencySeconds} s or more late ${forMinutes(t.s3ReplicationAlarmMinutes)}; ` +
        `Replication Time Control bounds them at ${RECOVERY_TARGETS.s3ReplicationMinutes} minutes. Check S3's health in both regions and the failed-replication alarm in the source region; see the runbook, S3.`,
      namespace: NAMESPACE.s3,
      metricName: "ReplicationLatency",
      dimensions,
      stat: "Maximum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.s3ReplicationLatencySeconds,
      evaluationPeriods: t.s3ReplicationAlarmMinutes,
      treatMissingData: "ignore",
    },
    {
      role: "s3-pending-replication",
      description:
        `S3 replication to the DR bucket: ${t.s3OperationsPendingReplication}+ operations pending ${forMinutes(t.s3ReplicationAlarmMinutes)}; the backlog does not drain. ` +
        "Check the failed-replication alarm in the source region (often the replication role and the DR key) and S3's health; see the runbook, S3.",
      namespace: NAMESPACE.s3,
      metricName: "OperationsPendingReplication",
      dimensions,
      stat: "Maximum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: t.s3OperationsPendingReplication,
      evaluationPeriods: t.s3ReplicationAlarmMinutes,
      treatMissingData: "ignore",
    },
  ];
}

/**
 * The alarms of one end of an S3 replication rule ({@link bucketReplicationAlarmSpecs}), in the
 * region where S3 publishes that end's metrics: create one per end, each with its region's
 * provider and topic. A provider in the wrong region stops the preview with the reason.
 */
export class BucketReplicationAlarms extends pulumi.ComponentResource {
  constructor(name: string, args: BucketReplicationAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:monitoring:BucketReplicationAlarms", name, {}, opts);
    const expected = args.rule[args.end].region;
    const providerRegion = aws.getRegionOutput({}, { parent: this }).region;
    const ruleId = inMetricRegion(args.rule.ruleId, providerRegion, (actual, id) =>
      actual === expected
        ? undefined
        : `the ${args.end} alarms of S3 replication rule ${id} would be in ${actual}, but S3 publishes them in the ${args.end} bucket's region, ${expected}: ` +
          `give BucketReplicationAlarms (end "${args.end}") a ${expected} provider.`,
    );
    const specs = bucketReplicationAlarmSpecs({ ...args.rule, ruleId }, args.end, alarmThresholds(args.thresholds));
    createAlarms(this, name, specs, args.namer, args.topicArn);
    this.registerOutputs({});
  }
}
