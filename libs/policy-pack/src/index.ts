export { checkPlan, evaluate, resourcesOfPlan, type CheckPlanOptions } from "./check-plan";
export { runCli, type CliResult } from "./cli";
export { policyContext, type StackIdentity } from "./context";
export { engineContext, pulumiPolicies, resourceOfEngine, type EngineResource } from "./engine";
export type { CheckedOptions, CheckedResource, EnforcementLevel, Finding, PolicyContext, ResourceRule, StackRule, Violation } from "./model";
export { POLICIES, type CompliancePolicy, type ResourcePolicy, type StackPolicy } from "./policies";
