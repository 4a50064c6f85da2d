export { AuroraGlobalCluster, type AuroraGlobalClusterArgs } from "./global-cluster";
export { AuroraPrimaryCluster, type AuroraPrimaryClusterArgs, type GlobalClusterRef } from "./primary-cluster";
export { AuroraSecondaryCluster, type AuroraSecondaryClusterArgs } from "./secondary-cluster";
export { memberClusterSettings, type MemberClusterArgs, type MemberClusterSettings } from "./member-cluster";
export { memberClusterOptions } from "./options";
