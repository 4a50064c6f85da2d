import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { isSet, list } from "../values";

const STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";

/** Every stage writes access logs: who called, what came back, how long it took. */
export function apiGatewayAccessLogs(resource: CheckedResource): string[] {
  if (resource.type !== STAGE) return [];
  const settings = resource.inputs.accessLogSettings;
  const problems: string[] = [];
  if (!isSet(settings?.destinationArn)) problems.push("accessLogSettings has no destinationArn");
  if (!isSet(settings?.format)) problems.push("accessLogSettings has no format");
  return problems;
}

/**
 * Every stage is throttled, by method settings of the stage or by a usage plan that covers it,
 * so a burst of requests cannot exhaust the Lambda concurrency and Aurora connection budget.
 */
export function apiGatewayThrottling(resources: readonly CheckedResource[]): Finding[] {
  const findings: Finding[] = [];
  for (const stage of resources.filter((r) => r.type === STAGE)) {
    const bySettings = resources.some(
      (r) => r.type === METHOD_SETTINGS && isForStage(r, "stageName", stage, r.inputs.restApi, r.inputs.stageName) && throttles(r.inputs.settings?.throttlingRateLimit, r.inputs.settings?.throttlingBurstLimit),
    );
    const byPlan = resources.some(
      (r) =>
        r.type === USAGE_PLAN &&
        list(r.inputs.apiStages).some((s) => isForStage(r, "apiStages", stage, s?.apiId, s?.stage)) &&
        throttles(r.inputs.throttleSettings?.rateLimit, r.inputs.throttleSettings?.burstLimit),
    );
    if (!bySettings && !byPlan) {
      findings.push({ resource: stage, message: "no MethodSettings of this stage with throttlingRateLimit and throttlingBurstLimit, and no throttled UsagePlan covers it" });
    }
  }
  return findings;
}

function isForStage(candidate: CheckedResource, input: string, stage: CheckedResource, restApi: PlanValue, stageName: PlanValue): boolean {
  if (candidate.inputSources?.[input]?.includes(stage.key)) return true;
  return isSet(stageName) && stageName === stage.inputs.stageName && restApi === stage.inputs.restApi;
}

/** A limit of -1 (the default) means no throttling. */
function throttles(rate: PlanValue, burst: PlanValue): boolean {
  return typeof rate === "number" && rate > 0 && typeof burst === "number" && burst > 0;
}
