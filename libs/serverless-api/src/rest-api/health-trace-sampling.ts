import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { HEALTH_PATH } from "@payments-dr/conventions/values";
import { HEALTH_ROUTE } from "./route-table";

/**
 * An X-Ray sampling rule under which API Gateway records no trace of the stage's `GET /health`.
 * API Gateway's trace of a request keeps its URL with the query string, and Route 53's checks
 * call `/health?check=<health check token>`: each sampled check would keep the token, a secret,
 * in plain text in X-Ray for 30 days. It also keeps the checks (a few a second in each region)
 * out of the traces and their bill. The payment routes are sampled as before. Priority 1, so
 * that no broader rule of the account decides first; it matches this stage's `/health` alone
 * (API Gateway's sampling fields: "Configure AWS X-Ray sampling rules for API Gateway APIs").
 */
export function createHealthTraceSampling(
  name: string,
  inputs: { namer: ResourceNamer; api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; parent: pulumi.Resource },
): aws.xray.SamplingRule {
  const { namer, api, stage, parent } = inputs;
  return new aws.xray.SamplingRule(
    `${name}-health-trace-sampling`,
    {
      ruleName: namer.fitted("xraySamplingRule", "health"),
      priority: 1,
      version: 1,
      reservoirSize: 0,
      fixedRate: 0,
      serviceType: "AWS::ApiGateway::Stage",
      serviceName: pulumi.interpolate`${api.name}/${stage.stageName}`,
      resourceArn: stage.arn,
      host: "*",
      httpMethod: HEALTH_ROUTE.httpMethod,
      // The path with the stage (`/v1/health` on the execute-api host) or without (a custom domain),
      // and whatever follows: AWS does not say whether the path matched includes the query string,
      // and the rule must match Route 53's `/health?check=<token>` either way.
      urlPath: `*${HEALTH_PATH}*`,
    },
    { parent },
  );
}
