export { type AlarmSpec, type AlarmStat, type MissingData, metricAlarmArgs } from "./alarm-spec";
export { apiErrorsQuery, type ApiErrorsScope } from "./api-errors";
export {
  BucketReplicationAlarms,
  type BucketReplicationAlarmsArgs,
  type BucketReplicationRef,
  type ReplicationEnd,
  type ReplicationEndRef,
} from "./bucket-replication-alarms";
export { fencedRegionNote, RegionalAlarms, type RegionalAlarmsArgs, type RegionalAlarmTargets } from "./regional-alarms";
export {
  ReplicationAlarms,
  type GlobalTableRef,
  type HealthCheckRef,
  type ReplicationAlarmsArgs,
  type ReplicationAlarmTargets,
} from "./replication-alarms";
export {
  REPLICATION_WARNING_SHARE,
  loadAlarmThresholdOverrides,
  loadAlarmThresholds,
  type AlarmThresholds,
} from "./thresholds";
