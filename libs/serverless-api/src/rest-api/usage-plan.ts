import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** What one merchant may send, across all its API keys. */
export interface MerchantLimits {
  /** Steady-state requests per second. */
  rateLimit: number;
  burstLimit: number;
  /** Requests per day (UTC). */
  dailyQuota: number;
}

/**
 * The usage plan of the stage: per-merchant throttle and daily quota. API Gateway counts
 * against the usage key the authorizer returns (the API's key source is AUTHORIZER), which is
 * an API key whose value is the merchant's record `usageKey`. The keys CLI creates that API key
 * and adds it to this plan in each region; Pulumi manages the plan, not its keys.
 */
export function createUsagePlan(
  name: string,
  inputs: { namer: ResourceNamer; api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; limits: MerchantLimits; parent: pulumi.Resource },
): aws.apigateway.UsagePlan {
  const { namer, api, stage, limits } = inputs;
  return new aws.apigateway.UsagePlan(
    `${name}-usage-plan`,
    {
      name: namer.regional("display", "merchants"),
      description: "payments-dr per-merchant limits",
      apiStages: [{ apiId: api.id, stage: stage.stageName }],
      throttleSettings: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
      quotaSettings: { limit: limits.dailyQuota, period: "DAY" },
    },
    { parent: inputs.parent },
  );
}
