import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { NAMESPACE, ROUTE53_METRICS_REGION } from "../metrics";
import { AlarmSpec, createAlarms, inMetricRegion } from "./alarm-spec";
import { AlarmThresholds, alarmThresholds, forMinutes } from "./thresholds";

/** A Route 53 health check to alarm on; `name` goes into the alarm's name (e.g. `primary`, `dr`). */
export interface HealthCheckRef {
  name: string;
  healthCheckId: pulumi.Input<string>;
  /** What its failure means, for the alarm's description. @default that of a check on an API's `/health` */
  meaning?: string;
}

/**
 * A DynamoDB global table and the region of the replica whose replication to watch. DynamoDB
 * publishes the latency in the writing region, per receiving region: the alarm goes in the other one.
 */
export interface GlobalTableRef {
  tableName: pulumi.Input<string>;
  receivingRegion: string;
}

/** Arguments of {@link ReplicationAlarms}. */
export interface ReplicationAlarmsArgs {
  /** Names the alarms, in the region of the component's provider (the region whose writes replicate). */
  namer: ResourceNamer;
  /** The alert topic of the same region: CloudWatch alarms notify topics of their own region only. */
  topicArn: pulumi.Input<string>;
  /** The DynamoDB sessions global table and the region of the replica to watch. */
  sessionsTable?: GlobalTableRef;
  /** The DynamoDB API keys global table (each region's authorizer reads its own replica) and the region of the replica to watch. */
  apiKeysTable?: GlobalTableRef;
  /** Route 53 health checks; their alarms need a us-east-1 provider (see {@link ReplicationAlarms}). */
  healthChecks: HealthCheckRef[];
  /** Overrides of `defaultAlarmThresholds`. @default {} */
  thresholds?: Partial<AlarmThresholds>;
}

/** What the replication and health-check alarms watch. */
export type ReplicationAlarmTargets = Pick<ReplicationAlarmsArgs, "sessionsTable" | "apiKeysTable" | "healthChecks">;

/** A global table's replication to `table.receivingRegion` averaging `thresholdMs` or more for `minutes` minutes. */
function tableReplicationSpec(role: string, table: GlobalTableRef, thresholdMs: number, minutes: number, description: string): AlarmSpec {
  return {
    role,
    description,
    namespace: NAMESPACE.dynamodb,
    metricName: "ReplicationLatency",
    dimensions: { TableName: table.tableName, ReceivingRegion: table.receivingRegion },
    stat: "Average",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: thresholdMs,
    evaluationPeriods: minutes,
    treatMissingData: "ignore",
  };
}

/**
 * The specs of the DynamoDB replication and health-check alarms. Missing data:
 * - DynamoDB publishes replication metrics only while it replicates something, and CloudWatch
 *   ignores missing data for every AWS/DynamoDB alarm whatever it is told (PutMetricAlarm API
 *   reference, TreatMissingData): the alarm keeps its state until the next datapoint. Said as
 *   it is, `ignore`: an alarm's state is the last datapoint's verdict, not proof of catch-up
 *   (the runbook reads the metric itself before a failback).
 * - Route 53 publishes a health check's status every minute; a check nobody can see is not a
 *   healthy one, so `breaching`.
 */
export function replicationAlarmSpecs(targets: ReplicationAlarmTargets, t: AlarmThresholds): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  const { sessionsTable, apiKeysTable } = targets;
  if (sessionsTable) {
    specs.push(
      tableReplicationSpec(
        "dynamodb-replication-latency",
        sessionsTable,
        t.dynamodbReplicationLatencyMs,
        t.rpoLagMinutes,
        `DynamoDB sessions table: replication to its replica in ${sessionsTable.receivingRegion} takes ${t.dynamodbReplicationLatencyMs} ms or more ${forMinutes(t.rpoLagMinutes)}. ` +
          "Sessions are a cache (Aurora is the system of record): no payment is lost, and a read in the other region falls back to PostgreSQL. " +
          "Check DynamoDB's health in both regions (AWS Health); see the runbook, DynamoDB sessions.",
      ),
    );
  }
  if (apiKeysTable) {
    specs.push(
      tableReplicationSpec(
        "dynamodb-api-keys-replication-latency",
        apiKeysTable,
        t.apiKeysReplicationLatencyMs,
        t.rpoLagMinutes,
        `DynamoDB API keys table: replication to its replica in ${apiKeysTable.receivingRegion} takes ${t.apiKeysReplicationLatencyMs} ms or more ${forMinutes(t.rpoLagMinutes)}. ` +
          `Revocations and new keys reach ${apiKeysTable.receivingRegion} late: a key revoked here still works there until replication catches up ` +
          "(plus the authorizer's cache TTL), and a new key is refused there. See the runbook, Merchant API keys.",
      ),
    );
  }
  for (const check of targets.healthChecks) {
    specs.push({
      role: `health-${check.name}`,
      description: `Route 53 health check "${check.name}": ${check.meaning ?? "reports its endpoint unhealthy (GET /health fails from most checkers). DNS fails over if it is the primary's."}`,
      namespace: NAMESPACE.route53,
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: check.healthCheckId },
      stat: "Minimum",
      comparison: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: "breaching",
    });
  }
  return specs;
}

/** Route 53 publishes health-check metrics in us-east-1 only. */
function route53RegionProblem(actual: string, healthCheckId: string): string | undefined {
  if (actual === ROUTE53_METRICS_REGION) return undefined;
  return (
    `the alarm on Route 53 health check ${healthCheckId} would be in ${actual}, but Route 53 publishes health-check metrics only in ${ROUTE53_METRICS_REGION}: ` +
    `create ReplicationAlarms for health checks with a ${ROUTE53_METRICS_REGION} provider.`
  );
}

/** DynamoDB publishes ReplicationLatency in the region whose writes replicate, never in the receiving one. */
function writingRegionProblem(table: GlobalTableRef): (actual: string, tableName: string) => string | undefined {
  return (actual, tableName) =>
    actual === table.receivingRegion
      ? `the alarm on ${tableName}'s replication to ${table.receivingRegion} would be in ${actual}, but DynamoDB publishes it in the region whose writes replicate: ` +
        `create ReplicationAlarms for that table with a provider of another region.`
      : undefined;
}

/**
 * The cross-region alarms, created by the global stack in the region where the metrics live
 * (DynamoDB publishes replication latency in the region whose writes replicate): DynamoDB
 * (sessions and API keys tables) replication to the other region, and, in us-east-1, the Route 53
 * health check of each regional endpoint. The global stack creates one in each region. S3's replication alarms are {@link BucketReplicationAlarms}: S3 publishes
 * most of them in the destination's region.
 *
 * Route 53 health-check metrics exist only in us-east-1. During a us-east-1 outage these
 * alarms (and the primary's topic they notify) cannot fire; the health checks themselves keep
 * running and DNS still fails over, but nobody is paged by them. What watches then is the DR
 * region's own `RegionalAlarms` (API 5XX and latency seen from the DR side, the DR cluster's
 * replication lag, which grows or goes silent when the primary stops sending, and both breach), the
 * DR region's probe of the primary's `/health` (`HealthProbe`, its own alarm and topic), and the DR CLI's `status`.
 */
export class ReplicationAlarms extends pulumi.ComponentResource {
  constructor(name: string, args: ReplicationAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:monitoring:ReplicationAlarms", name, {}, opts);
    const thresholds = alarmThresholds(args.thresholds);
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const healthChecks = args.healthChecks.map((check) => ({ ...check, healthCheckId: inMetricRegion(check.healthCheckId, region, route53RegionProblem) }));
    const [sessionsTable, apiKeysTable] = [args.sessionsTable, args.apiKeysTable].map(
      (table) => table && { ...table, tableName: inMetricRegion(table.tableName, region, writingRegionProblem(table)) },
    );
    const specs = replicationAlarmSpecs({ sessionsTable, apiKeysTable, healthChecks }, thresholds);
    createAlarms(this, name, specs, args.namer, args.topicArn);
    this.registerOutputs({});
  }
}
