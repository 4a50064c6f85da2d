export { type AlarmSpec, type AlarmStat, type MissingData, metricAlarmArgs } from "./alarm-spec";
export {
  BucketReplicationAlarms,
  bucketReplicationAlarmSpecs,
  type BucketReplicationAlarmsArgs,
  type BucketReplicationRef,
  type ReplicationEnd,
  type ReplicationEndRef,
} from "./bucket-replication-alarms";
export { RegionalAlarms, regionalAlarmSpecs, type RegionalAlarmsArgs, type RegionalAlarmTargets } from "./regional-alarms";
export {
  ReplicationAlarms,
  replicationAlarmSpecs,
  type GlobalTableRef,
  type HealthCheckRef,
  type ReplicationAlarmsArgs,
  type ReplicationAlarmTargets,
} from "./replication-alarms";
export {
  ALARM_THRESHOLDS_KEY,
  REPLICATION_WARNING_SHARE,
  alarmThresholds,
  defaultAlarmThresholds,
  loadAlarmThresholdOverrides,
  loadAlarmThresholds,
  type AlarmThresholds,
} from "./thresholds";
