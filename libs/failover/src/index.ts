export { checkFailoverTarget, FailoverRecords, failoverSetIdentifier, type FailoverRecordsArgs, type FailoverTarget } from "./failover-records";
export { ApiHealthCheck, CombinedHealthCheck, type ApiHealthCheckArgs, type CombinedHealthCheckArgs } from "./health-check";
export { dnsFailoverNoAnswerSeconds, dnsFailoverSeconds, dnsFailoverWorstSeconds, FAILOVER_TIMING } from "./timing";
export { RegionSwitchPlan, type RegionSwitchPlanArgs } from "./region-switch-plan";
