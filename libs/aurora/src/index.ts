export { AuroraGlobalCluster, type AuroraGlobalClusterArgs } from "./global-cluster";
export { AuroraPrimaryCluster, type AuroraPrimaryClusterArgs, type GlobalClusterRef } from "./primary-cluster";
export { AuroraSecondaryCluster, type AuroraSecondaryClusterArgs } from "./secondary-cluster";
export { memberClusterSettings, type MemberClusterArgs, type MemberClusterSettings } from "./member-cluster";
export { afterPrimaryWriter, clusterInstanceOptions, memberClusterIgnoreChanges, memberClusterOptions, promotionTier } from "./options";
export { clusterParameters, parameterGroupFamily } from "./parameter-group";
export { APP_USERNAME, MASTER_USERNAME, PASSWORD_LENGTH, PASSWORD_SPECIAL_CHARACTERS } from "./credentials";
export { AURORA_ENGINE, AURORA_PORT, CLUSTER_LOG_EXPORTS } from "./engine";
