import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { list } from "../values";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/**
 * The AWS/RDS metrics Aurora publishes per cluster (Aurora User Guide, "Cluster-level metrics for
 * Amazon Aurora"): no Role, no instance. Every other Aurora metric is an instance's, which
 * CloudWatch aggregates over all of the cluster's instances under `DBClusterIdentifier` alone.
 */
const AURORA_CLUSTER_LEVEL_METRICS: readonly string[] = [
  "AuroraGlobalDBDataTransferBytes",
  "AuroraGlobalDBProgressLag",
  "AuroraGlobalDBReplicatedWriteIO",
  "AuroraGlobalDBReplicationLag",
  "AuroraGlobalDBRPOLag",
  "AuroraVolumeBytesLeftTotal",
  "BacktrackChangeRecordsCreationRate",
  "BacktrackChangeRecordsStored",
  "BacktrackWindowActual",
  "BacktrackWindowAlert",
  "BackupRetentionPeriodStorageUsed",
  "ServerlessDatabaseCapacity",
  "SnapshotStorageUsed",
  "TotalBackupStorageBilled",
  "VolumeBytesUsed",
  "VolumeReadIOPs",
  "VolumeWriteIOPs",
];

/**
 * The global database's lag metrics, whose dimensions AWS does not document (its own material
 * finds them under `SourceRegion`): an alarm can only rely on a query over every dimension set.
 */
const AURORA_GLOBAL_LAG_METRICS: readonly string[] = ["AuroraGlobalDBProgressLag", "AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"];

/** The metrics an alarm reads: its own, or those of its metric queries. */
function alarmMetrics(inputs: Record<string, PlanValue>): { namespace: PlanValue; metricName: PlanValue; dimensions: PlanValue }[] {
  const queried = list(inputs.metricQueries).flatMap((query) => {
    const metric = query && typeof query === "object" && !Array.isArray(query) ? (query as Record<string, PlanValue>).metric : undefined;
    return metric && typeof metric === "object" && !Array.isArray(metric) ? [metric as Record<string, PlanValue>] : [];
  });
  return [inputs, ...queried].map((m) => ({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions }));
}

/**
 * An alarm on an Aurora instance metric (CPUUtilization, DatabaseConnections, FreeableMemory, …)
 * names the instance role (`DBClusterIdentifier` + `Role`) or an instance: under
 * `DBClusterIdentifier` alone it watches the average over writer and readers, which an idle reader
 * holds far below a saturated writer (AWS: "use WRITER or READER role metrics to set up alarms").
 */
export function auroraAlarmByRole(resource: CheckedResource): string[] {
  if (resource.type !== ALARM) return [];
  return alarmMetrics(resource.inputs).flatMap(({ namespace, metricName, dimensions }) => {
    if (namespace !== "AWS/RDS" || typeof metricName !== "string" || AURORA_CLUSTER_LEVEL_METRICS.includes(metricName)) return [];
    const names = dimensions && typeof dimensions === "object" && !Array.isArray(dimensions) ? Object.keys(dimensions) : [];
    if (!names.includes("DBClusterIdentifier") || names.includes("Role") || names.includes("DBInstanceIdentifier")) return [];
    return [`${metricName} under DBClusterIdentifier alone is aggregated over every instance of the cluster (an idle reader hides a saturated writer): add Role WRITER or READER`];
  });
}

/**
 * An alarm on the global database's lag reads it with a Metrics Insights query (`SELECT
 * MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = '…'`, auroraRpoLagQuery in
 * libs/monitoring), not as one metric by exact dimensions: AWS does not say which dimensions the
 * metric carries, and an alarm on a dimension set it lacks watches nothing (missing data only,
 * for ever: stuck in ALARM, or silent).
 */
export function auroraGlobalLagByQuery(resource: CheckedResource): string[] {
  if (resource.type !== ALARM) return [];
  return alarmMetrics(resource.inputs).flatMap(({ namespace, metricName }) =>
    namespace === "AWS/RDS" && typeof metricName === "string" && AURORA_GLOBAL_LAG_METRICS.includes(metricName)
      ? [`${metricName} by exact dimensions: AWS does not document the dimensions it is published with, so this alarm may watch nothing; alarm on a Metrics Insights query over every dimension set (auroraRpoLagQuery)`]
      : [],
  );
}
