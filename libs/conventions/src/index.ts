export {
  checkWriterConnectionsOfPair,
  defaultMaxConnections,
  loadApiConfig,
  MIN_HEALTH_RATE_LIMIT_PER_5_MIN,
  minWafRateLimitPer5Min,
  WAF_RATE_WINDOW_SECONDS,
  writerConnectionShare,
  writerMaxConnections,
  type ApiConfig,
  type WriterConnectionShare,
} from "./api-config";
export { API_DEFAULTS, API_TIMEOUT_SECONDS, HEALTH_RESERVED_CONCURRENCY } from "./api-defaults";
export { checkDrServingCapacity, DR_BELOW_PRIMARY_KEY, servingCapacity, type ServingCapacity } from "./serving-capacity";
export { loadStackConfig, MAX_SUFFIX_LENGTH, type StackConfig } from "./config";
export { type CreateTimeConfig } from "./create-time-config";
export { CONFIG_KEYS, STACK_PROJECTS, type StackProject } from "./config-keys";
export { ConfigReader } from "./config-reader";
export { CONFIG_NAMESPACE, ConfigError, invalid } from "./errors";
export {
  HEALTH_CHECK_TOKEN_ARGUMENT,
  HEALTH_PATH,
  type CommonStackOutputs,
  type DrRegionOutputs,
  type GlobalOutputs,
  type PrimaryRegionOutputs,
  type RegionalStackOutputs,
  type StackOutputs,
} from "./contracts";
export { ResourceNamer, type NameKind, type NamerContext } from "./names";
export { regionProviderArgs } from "./providers";
export { StackContext, type RegionScope } from "./stack-context";
export { DEFAULT_INSTANCE_CLASS, loadRegionalConfig, MAX_CLUSTER_INSTANCES, R_CLASS_INSTANCE, type RegionalConfig, type RegionRole } from "./regional-config";
export { MANAGED_RPO_MIN_SECONDS, RECOVERY_TARGETS } from "./recovery";
export { regionCode, ROUTE53_METRICS_REGION } from "./regions";
export { COMPLIANCE_TAGS, PROJECT_NAME, stackTags, type TagContext } from "./tags";
export { UpstreamStack } from "./upstream-stack";
