import { AUTHORIZER_CONTEXT, type ApiKeyRecord } from "@payments-dr/api-keys";
import type { APIGatewayAuthorizerResult } from "aws-lambda";

/** The API and stage a request came through. */
export interface ApiStage {
  partition: string;
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
}

/** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, as API Gateway sends it. */
// The path is the request's own, whatever it holds (a `*` included): only the API and stage feed the policy.
const METHOD_ARN = /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([A-Za-z0-9_-]+)\/[A-Z]+\/.*$/s;

/** The API and stage of an authorizer event's `methodArn`, or undefined when it is not one. */
export function apiStageOf(methodArn: unknown): ApiStage | undefined {
  const match = typeof methodArn === "string" ? METHOD_ARN.exec(methodArn) : null;
  if (!match) return undefined;
  const [, partition, region, accountId, apiId, stage] = match as unknown as [string, string, string, string, string, string];
  return { partition, region, accountId, apiId, stage };
}

/**
 * The merchants' routes as a policy names them (`<METHOD>/<path>`, `{id}` as `*`): the router's
 * (http/router.ts, HANDLED_ROUTES) but `/health`. Methods named, not a wildcard: in a policy a
 * `*` also spans `/`, so a wildcard method before /payments would grant any future route ending
 * in /payments too (e.g. a nested /merchants/{id}/payments).
 */
export const MERCHANT_ROUTE_RESOURCES = ["POST/payments", "GET/payments/*"] as const;

/**
 * Every merchant route of this API and stage. API Gateway caches the policy by the Authorization
 * header alone and applies it to whatever route the same key calls next, so a policy naming only
 * the method ARN that was authorized would deny the key's next, different route (a POST's policy
 * reused for a GET /payments/{id}). No wider than that: not /health, not another method, stage or API.
 */
function paymentsResources({ partition, region, accountId, apiId, stage }: ApiStage): string[] {
  const base = `arn:${partition}:execute-api:${region}:${accountId}:${apiId}/${stage}`;
  return MERCHANT_ROUTE_RESOURCES.map((route) => `${base}/${route}`);
}

/**
 * What the authorizer answers for a verified key: Allow on the payments routes, the merchant and
 * key in the context (the api function reads them there), and the merchant's usage-plan key
 * (API Gateway applies that plan's throttle and quota: the RestApi's apiKeySource is AUTHORIZER).
 */
export function allowPayments(stage: ApiStage, record: ApiKeyRecord): APIGatewayAuthorizerResult {
  return {
    principalId: record.merchantId,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: paymentsResources(stage) }],
    },
    context: { [AUTHORIZER_CONTEXT.merchantId]: record.merchantId, [AUTHORIZER_CONTEXT.keyId]: record.keyId },
    ...(record.usageKey !== undefined ? { usageIdentifierKey: record.usageKey } : {}),
  };
}
