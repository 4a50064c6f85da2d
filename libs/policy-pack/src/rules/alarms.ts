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

/** A Metrics Insights query's namespace: `FROM "AWS/ApiGateway"` or `FROM SCHEMA("AWS/ApiGateway", …)`. */
const QUERIED_NAMESPACE = /\bFROM\s+(?:SCHEMA\(\s*)?"([^"]+)"/i;
/** A Metrics Insights query's metric: `SELECT SUM("5XXError")` or `SELECT MAX(Invocations)`. */
const QUERIED_METRIC = /\bSELECT\s+\w+\(\s*"?([^")\s]+)"?\s*\)/i;

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
 * Why a metric may be silent for good while all is well, if it is one of those: AWS publishes it
 * only while there is activity (a Lambda function's errors, throttles and durations, an API's
 * requests), or only from the instance that holds the writer role, which the DR cluster has none
 * of until a failover. Such an alarm that treats missing data as breaching sits in ALARM from the
 * deploy on, and pages nobody again when something does break.
 */
function silentWhileWell(namespace: PlanValue, metricName: PlanValue, dimensions: PlanValue): string | undefined {
  if (namespace === "AWS/ApiGateway") return "API Gateway publishes only for requests";
  // Invocations is the exception: an alarm on it below a threshold is meant to fire when nothing runs (a schedule that stopped).
  if (namespace === "AWS/Lambda" && metricName !== "Invocations") return "Lambda publishes only for invocations";
  const role = dimensions && typeof dimensions === "object" && !Array.isArray(dimensions) ? (dimensions as Record<string, PlanValue>).Role : undefined;
  if (namespace === "AWS/RDS" && role === "WRITER") return "Aurora publishes only from the instance holding the writer role, which the DR cluster has none of until a failover";
  return undefined;
}

/**
 * An alarm on a metric that is silent while all is well ({@link silentWhileWell}) does not treat
 * missing data as breaching.
 */
export function alarmMissingDataNotBreaching(resource: CheckedResource): string[] {
  if (resource.type !== ALARM || resource.inputs.treatMissingData !== "breaching") return [];
  const queried = list(resource.inputs.metricQueries).flatMap((query) => {
    const expression = query && typeof query === "object" && !Array.isArray(query) ? (query as Record<string, PlanValue>).expression : undefined;
    const namespace = typeof expression === "string" ? QUERIED_NAMESPACE.exec(expression)?.[1] : undefined;
    const metricName = typeof expression === "string" ? QUERIED_METRIC.exec(expression)?.[1] : undefined;
    return namespace ? [{ namespace, metricName, dimensions: undefined }] : [];
  });
  return [...alarmMetrics(resource.inputs), ...queried].flatMap(({ namespace, metricName, dimensions }) => {
    const why = silentWhileWell(namespace, metricName, dimensions);
    return why ? [`treats missing data as breaching on ${String(namespace)} ${typeof metricName === "string" ? metricName : "(a query)"}, which ${why}: it would sit in ALARM while all is well, and page nobody when something breaks`] : [];
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
