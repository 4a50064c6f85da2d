export { checkFailoverTarget, FailoverRecords, failoverSetIdentifier, type FailoverRecordsArgs, type FailoverTarget } from "./failover-records";
export { ApiHealthCheck, CombinedHealthCheck, healthCheckOptions, type ApiHealthCheckArgs, type CombinedHealthCheckArgs } from "./health-check";
export { dnsFailoverNoAnswerSeconds, dnsFailoverSeconds, dnsFailoverWorstSeconds, FAILOVER_TIMING } from "./timing";
export { RegionSwitchPlan, regionSwitchPolicy, type RegionSwitchPlanArgs, type RegionSwitchPolicyTargets } from "./region-switch-plan";
