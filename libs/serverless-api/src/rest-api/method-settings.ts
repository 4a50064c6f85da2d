import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { methodSettingsOptions } from "../options";
import { HEALTH_ROUTE } from "./route-table";
import { methodSettingsPath } from "./routes";

/** Steady-state requests per second and burst. */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * The stage's method settings: every method throttled, with metrics and error logs but no data
 * trace (it would log request and response bodies: payment data); and /health, which anyone may
 * call, throttled on its own so a flood of it cannot use up the stage's limit.
 */
export function createMethodSettings(
  name: string,
  inputs: {
    api: aws.apigateway.RestApi;
    stage: aws.apigateway.Stage;
    stageThrottle: Throttle;
    healthThrottle: Throttle;
    waitFor: { account: aws.apigateway.Account; executionLogGroup: aws.cloudwatch.LogGroup };
    parent: pulumi.Resource;
  },
): aws.apigateway.MethodSettings[] {
  const { api, stage, waitFor, parent } = inputs;
  const settings = (throttle: Throttle) => ({
    throttlingRateLimit: throttle.rateLimit,
    throttlingBurstLimit: throttle.burstLimit,
    metricsEnabled: true,
    loggingLevel: "ERROR",
    dataTraceEnabled: false,
  });
  const allMethods = new aws.apigateway.MethodSettings(
    `${name}-method-settings`,
    { restApi: api.id, stageName: stage.stageName, methodPath: "*/*", settings: settings(inputs.stageThrottle) },
    methodSettingsOptions(parent, waitFor),
  );
  const health = new aws.apigateway.MethodSettings(
    `${name}-health-method-settings`,
    { restApi: api.id, stageName: stage.stageName, methodPath: methodSettingsPath(HEALTH_ROUTE), settings: settings(inputs.healthThrottle) },
    methodSettingsOptions(parent, { ...waitFor, after: allMethods }),
  );
  return [allMethods, health];
}
