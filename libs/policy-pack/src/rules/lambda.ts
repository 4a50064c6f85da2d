import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { isSet, list } from "../values";

const FUNCTION = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const API_GATEWAY_PRINCIPAL = "apigateway.amazonaws.com";

/** Runtimes the payments handlers are built and tested for (DESIGN §6: esbuild targets nodejs22.x). */
export const ALLOWED_RUNTIMES: readonly string[] = ["nodejs22.x", "nodejs24.x"];

/** API Gateway's integration timeout: a Lambda that runs longer answers a client that has gone. */
export const API_GATEWAY_TIMEOUT_SECONDS = 29;

/** The Lambda default when `timeout` is not set. */
const DEFAULT_TIMEOUT_SECONDS = 3;

/** Zip functions run a supported runtime; container images carry their own. */
export function lambdaRuntime(resource: CheckedResource): string[] {
  if (resource.type !== FUNCTION || resource.inputs.packageType === "Image") return [];
  const runtime = resource.inputs.runtime;
  return ALLOWED_RUNTIMES.includes(runtime) ? [] : [`runtime ${runtime ?? "unset"} is not one of ${ALLOWED_RUNTIMES.join(", ")}`];
}

/** The health probe's own variable (libs/payment-lambda): the URL it probes over the internet. */
const PROBE_VARIABLE = "PROBE_TARGET_URL";
/** All the health probe is told: what to probe, and its logger's settings. */
const PROBE_ENVIRONMENT = /^(PROBE|POWERTOOLS)_[A-Z_]+$/;

/**
 * The one function allowed outside the VPC: the DR region's probe of the primary's public
 * `/health` must reach the internet, and the VPCs have no NAT. It is known by its probe
 * variable, and only while its environment holds nothing else: no database, table or other
 * variable that any data-reaching function needs (a list of data variables would miss the next one).
 */
function isHealthProbe(resource: CheckedResource): boolean {
  const variables: Record<string, unknown> = resource.inputs.environment?.variables ?? {};
  return isSet(variables[PROBE_VARIABLE]) && Object.keys(variables).every((name) => PROBE_ENVIRONMENT.test(name));
}

/** Functions run in the private subnets, behind a security group (they reach Aurora there); the health probe excepted. */
export function lambdaInVpc(resource: CheckedResource): string[] {
  if (resource.type !== FUNCTION || isHealthProbe(resource)) return [];
  const vpc = resource.inputs.vpcConfig;
  const problems: string[] = [];
  if (!list(vpc?.subnetIds).some(isSet)) problems.push("vpcConfig has no subnetIds");
  if (!list(vpc?.securityGroupIds).some(isSet)) problems.push("vpcConfig has no securityGroupIds");
  return problems;
}

/**
 * Functions that API Gateway invokes give up before API Gateway does, so the client gets the
 * function's answer. Other functions (the deploy-time migration) may run longer.
 */
export function lambdaTimeout(resources: readonly CheckedResource[]): Finding[] {
  return resources
    .filter((fn) => fn.type === FUNCTION && invokedByApiGateway(fn, resources))
    .flatMap((fn) => {
      const timeout = fn.inputs.timeout ?? DEFAULT_TIMEOUT_SECONDS;
      if (typeof timeout === "number" && timeout < API_GATEWAY_TIMEOUT_SECONDS) return [];
      return [{ resource: fn, message: `API Gateway invokes it, but its timeout ${timeout} s is not under API Gateway's ${API_GATEWAY_TIMEOUT_SECONDS} s` }];
    });
}

/** API Gateway may invoke a function when a Lambda permission lets apigateway.amazonaws.com do so. */
function invokedByApiGateway(fn: CheckedResource, resources: readonly CheckedResource[]): boolean {
  return resources.some((r) => r.type === PERMISSION && r.inputs.principal === API_GATEWAY_PRINCIPAL && namesFunction(r, r.inputs.function, fn));
}

/** The permission's `function` is computed from the function, or is its name or an ARN ending with it. */
function namesFunction(permission: CheckedResource, value: PlanValue, fn: CheckedResource): boolean {
  if (permission.inputSources?.function?.includes(fn.key)) return true;
  const name = fn.inputs.name;
  return isSet(name) && typeof value === "string" && (value === name || value.endsWith(`:${name}`) || value.endsWith(`/${name}`));
}
