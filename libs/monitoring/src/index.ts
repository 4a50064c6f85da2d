export {
  ALARM_THRESHOLDS_KEY,
  loadAlarmThresholds,
  REPLICATION_WARNING_SHARE,
  RegionalAlarms,
  ReplicationAlarms,
  alarmThresholds,
  defaultAlarmThresholds,
  inRoute53MetricsRegion,
  metricAlarmArgs,
  regionalAlarmSpecs,
  replicationAlarmSpecs,
  type AlarmSpec,
  type AlarmStat,
  type AlarmThresholds,
  type HealthCheckRef,
  type MissingData,
  type RegionalAlarmTargets,
  type RegionalAlarmsArgs,
  type ReplicationAlarmTargets,
  type ReplicationAlarmsArgs,
} from "./alarms";
export {
  CrossRegionDashboard,
  dashboardBody,
  type CrossRegionDashboardArgs,
  type DashboardBody,
  type DashboardInput,
  type HorizontalAnnotation,
  type MetricLine,
  type MetricOptions,
  type MetricStat,
  type MetricWidget,
  type MetricWidgetProperties,
  type RegionResources,
} from "./dashboards";
export { NAMESPACE, PERIOD_SECONDS, ROUTE53_METRICS_REGION } from "./metrics";
export { AlertTopic, alertTopicPolicy, type AlertTopicArgs, type AlertTopicPolicyContext } from "./sns";
export { RECOVERY_TARGETS, type RecoveryTargets } from "./targets";
