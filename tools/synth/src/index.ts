export { API_GATEWAY_REGIONAL_ZONE_IDS, FAKE_ACCOUNT_ID, FAKE_INVOCATION_RESULT, fakeId } from "./fake-cloud";
export { Plan, type PlanValue, type PlannedOptions, type PlannedResource, type StackPlan } from "./plan";
export { REDACTED } from "./redact";
export { synthesize, type SynthOptions } from "./synthesize";
export { drRegionOutputs, primaryRegionOutputs } from "./fixtures";
export { appRootOf, synthApp, type SynthAppOptions } from "./synth-app";
export { outputValue } from "./output";
export { stackRegion, type TestStack } from "./stack-region";
export { secretOutputsCiAccepts } from "./ci-secret-outputs";
