import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { glob, isConcrete, isRedacted, isServicePrincipal, isSet, list, unverifiable } from "../values";

const FUNCTION = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl";
const API_GATEWAY_PRINCIPAL = "apigateway.amazonaws.com";
const INVOKE_FUNCTION_URL = "lambda:InvokeFunctionUrl";
/** The inputs of a Lambda permission that say who may invoke the function, and how. */
const PERMISSION_SCOPE = ["principal", "sourceArn", "sourceAccount", "action", "functionUrlAuthType", "invokedViaFunctionUrl"];

/** Runtimes the payments handlers are built and tested for (DESIGN §6: esbuild targets nodejs22.x). */
const ALLOWED_RUNTIMES: readonly string[] = ["nodejs22.x", "nodejs24.x"];

/** API Gateway's integration timeout: a Lambda that runs longer answers a client that has gone. */
const API_GATEWAY_TIMEOUT_SECONDS = 29;

/** The Lambda default when `timeout` is not set. */
const DEFAULT_TIMEOUT_SECONDS = 3;

/** Zip functions run a supported runtime; container images carry their own. */
export function lambdaRuntime(resource: CheckedResource): string[] {
  if (resource.type !== FUNCTION || resource.inputs.packageType === "Image") return [];
  const runtime = resource.inputs.runtime;
  return ALLOWED_RUNTIMES.includes(runtime) ? [] : [`runtime ${runtime ?? "unset"} is not one of ${ALLOWED_RUNTIMES.join(", ")}`];
}

/**
 * Every function reserves its concurrency (DESIGN §6): reserved, it can neither outgrow the
 * writer's connection budget (a connection per container) nor take the account's whole
 * unreserved pool from the other functions, /health's among them, whose throttling Route 53
 * would take for a dead region. Unset or -1 leaves it unreserved; 0 throttles every invocation,
 * so the function never runs.
 */
export function lambdaReservedConcurrency(resource: CheckedResource): string[] {
  if (resource.type !== FUNCTION) return [];
  const reserved = resource.inputs.reservedConcurrentExecutions;
  if (isRedacted(reserved)) return [unverifiable("reservedConcurrentExecutions")];
  if (typeof reserved === "number" && Number.isInteger(reserved) && reserved >= 1) return [];
  if (reserved === 0) return ["reservedConcurrentExecutions is 0: Lambda throttles every invocation, so the function never runs"];
  return [`reservedConcurrentExecutions is ${reserved ?? "unset"}: the function is unreserved, and may scale past the database's connection budget and take the account's concurrency from the other functions`];
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

/**
 * Only a named AWS service invokes a function, from a resource of this account, and never
 * through a function URL: the payments functions are reached through API Gateway (authorizer,
 * WAF, throttling) and the scheduler's role. A Lambda permission names no principal "*" (any
 * AWS account), gives a service principal (apigateway, scheduler, events, s3, …) a sourceArn
 * whose account is concrete (or a sourceAccount beside an ARN that names none, as S3's do:
 * without them any account's resource of that service may invoke it, the confused deputy), and
 * grants nothing through a function URL (lambda:InvokeFunctionUrl, functionUrlAuthType,
 * invokedViaFunctionUrl); a FunctionUrl requires IAM authorization (AWS_IAM, not NONE).
 */
export function lambdaInvocationScoped(resource: CheckedResource): string[] {
  const inputs = resource.inputs;
  if (resource.type === FUNCTION_URL) {
    const auth = inputs.authorizationType;
    if (isRedacted(auth)) return [unverifiable("authorizationType")];
    if (auth === "AWS_IAM") return [];
    return [`authorizationType is ${auth ?? "unset"}: anyone on the internet may invoke ${functionLabel(inputs.functionName)} through its URL, past API Gateway's authorizer, WAF and throttling`];
  }
  if (resource.type !== PERMISSION) return [];
  const redacted = PERMISSION_SCOPE.filter((field) => isRedacted(inputs[field]));
  if (redacted.length > 0) return redacted.map(unverifiable);
  const { principal, sourceArn, sourceAccount, action } = inputs;
  const fn = functionLabel(inputs.function);
  const problems: string[] = [];
  if (!isSet(principal) || /[*?]/.test(principal)) {
    problems.push(`principal is ${JSON.stringify(principal ?? null)}: any AWS account may invoke ${fn}`);
  } else if (!isServicePrincipal(principal)) {
    problems.push(`principal ${principal} is an account or an IAM principal, not an AWS service: it may invoke ${fn} past API Gateway (grant an identity policy in this account instead)`);
  } else if (!pinsSource(sourceArn, sourceAccount)) {
    const given = isSet(sourceArn) ? `sourceArn ${sourceArn} names no single account` : "no sourceArn";
    problems.push(`principal ${principal} with ${given}: a resource of ${principal} in any account may invoke ${fn} (confused deputy)`);
  }
  const throughUrl = [
    ...(isSet(action) && glob(action, true).test(INVOKE_FUNCTION_URL) ? [`action ${action}`] : []),
    ...(isSet(inputs.functionUrlAuthType) ? [`functionUrlAuthType ${inputs.functionUrlAuthType}`] : []),
    ...(inputs.invokedViaFunctionUrl === true ? ["invokedViaFunctionUrl"] : []),
  ];
  if (throughUrl.length > 0) problems.push(`lets ${fn} be invoked through a function URL (${throughUrl.join(", ")}): the payments functions are reached through API Gateway only`);
  return problems;
}

function functionLabel(value: PlanValue): string {
  return isSet(value) ? `function ${value}` : "the function";
}

/** The sourceArn names one resource of one account: its own account field, or a sourceAccount beside it. */
function pinsSource(sourceArn: PlanValue, sourceAccount: PlanValue): boolean {
  if (!isConcrete(sourceArn)) return false;
  return isSet(String(sourceArn).split(":")[4]) || isConcrete(sourceAccount);
}
