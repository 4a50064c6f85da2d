// The Pulumi-free part of the conventions, for programs that must start fast (the operator
// CLIs, the local adapter): tags, the stacks' output contracts (types only), the API's
// defaults and its function's timeout bounds, the recovery targets. The package's index also exports config and
// providers, which load @pulumi/aws (seconds per CLI run).
export type { DrRegionOutputs, GlobalOutputs, PrimaryRegionOutputs, RegionalStackOutputs } from "./contracts";
export { HEALTH_PATH } from "./contracts";
export { COMPLIANCE_TAGS, PROJECT_NAME } from "./tags";
export { API_DEFAULTS, API_TIMEOUT_SECONDS } from "./api-defaults";
export { MANAGED_RPO_MIN_SECONDS, RECOVERY_TARGETS } from "./recovery";
