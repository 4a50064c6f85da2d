import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { isSet, list } from "../values";

const STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";
const METHOD = "aws:apigateway/method:Method";
const RESOURCE = "aws:apigateway/resource:Resource";
const HTTP_API = "aws:apigatewayv2/api:Api";
/** Puts an OpenAPI body onto an existing REST API. */
const REST_API_PUT = "aws:apigateway/restApiPut:RestApiPut";
const AUTHORIZER = "aws:apigateway/authorizer:Authorizer";

/** The one route anyone may call: Route 53 health checkers cannot authenticate. */
const HEALTH_PATH = "/health";
const HEALTH_METHOD = "GET";
/** How the serverless-api lib ends the logical names of GET /health and of its resource. */
const HEALTH_NAMES = { method: "-get-health", resource: "-path-health" } as const;

/** Longest an authorizer's answer may be cached: a revoked key stops working within minutes. */
const MAX_AUTHORIZER_CACHE_SECONDS = 300;

/** API Gateway's defaults when the authorizer leaves them unset. */
const AUTHORIZER_DEFAULTS = { ttlSeconds: 300, identitySource: "method.request.header.Authorization" } as const;
const AUTHORIZATION_HEADER_SOURCE = /^method\.request\.header\.authorization$/i;

/** A `$context` variable in an access log format. */
const CONTEXT_VARIABLE = /\$context\.[A-Za-z0-9_.]+/g;

/** `$context.error.message` and `$context.error.messageString`. */
const ERROR_MESSAGE_VARIABLE = /\$context\.error\.message(String)?(?![A-Za-z0-9_])/g;

/**
 * Every stage writes access logs: who called, what came back, how long it took. A JSON format
 * (one that starts with `{`) keeps every `$context` variable inside a JSON string: API Gateway
 * writes a bare `-` for a variable without a value (`$context.error.messageString` on every
 * request without an error), and an unquoted one then makes the line something no JSON parser
 * reads. No format logs API Gateway's error message: for a path or method the API does not
 * declare, sent with an Authorization header, the message quotes that header (the caller's API
 * key or token); `$context.error.responseType` says what went wrong without it.
 */
export function apiGatewayAccessLogs(resource: CheckedResource): string[] {
  if (resource.type !== STAGE) return [];
  const settings = resource.inputs.accessLogSettings;
  const problems: string[] = [];
  if (!isSet(settings?.destinationArn)) problems.push("accessLogSettings has no destinationArn");
  if (!isSet(settings?.format)) problems.push("accessLogSettings has no format");
  const format = settings?.format;
  const messages = typeof format === "string" ? [...new Set(format.match(ERROR_MESSAGE_VARIABLE) ?? [])] : [];
  if (messages.length > 0) {
    problems.push(`accessLogSettings.format logs ${messages.join(", ")}: for a path or method the API does not declare, API Gateway's message quotes the request's Authorization header (an API key in plain text in the logs); log $context.error.responseType instead`);
  }
  if (typeof format === "string" && format.trimStart().startsWith("{")) {
    const unquoted = [...new Set(unquotedVariables(format))];
    if (unquoted.length > 0) {
      problems.push(`accessLogSettings.format is JSON, but leaves ${unquoted.join(", ")} outside a JSON string: API Gateway writes a bare - for a variable without a value, and the line is not JSON`);
    }
  }
  return problems;
}

/** The `$context` variables of a JSON format that are not inside a string (by counting the unescaped quotes before each). */
function unquotedVariables(format: string): string[] {
  return [...format.matchAll(CONTEXT_VARIABLE)]
    .filter((match) => (format.slice(0, match.index).replace(/\\./g, "").match(/"/g) ?? []).length % 2 === 0)
    .map((match) => match[0]);
}

/**
 * Every stage is throttled, by method settings of the stage or by a usage plan that covers it,
 * so a burst of requests cannot exhaust the Lambda concurrency and Aurora connection budget.
 * Every MethodSettings of the stage throttles: one without limits (-1, the default) lifts the
 * stage's limits off the methods of its path. When no MethodSettings throttles, the stage relies
 * on its usage plans, and then every plan covering it throttles (an unthrottled one lets its
 * keys through unlimited).
 */
export function apiGatewayThrottling(resources: readonly CheckedResource[]): Finding[] {
  const findings: Finding[] = [];
  for (const stage of resources.filter((r) => r.type === STAGE)) {
    const settings = resources.filter((r) => r.type === METHOD_SETTINGS && isForStage(r, "stageName", stage, r.inputs.restApi, r.inputs.stageName));
    const plans = resources.filter((r) => r.type === USAGE_PLAN && list(r.inputs.apiStages).some((s) => isForStage(r, "apiStages", stage, s?.apiId, s?.stage)));
    const settingsThrottle = (r: CheckedResource) => throttles(r.inputs.settings?.throttlingRateLimit, r.inputs.settings?.throttlingBurstLimit);
    const planThrottles = (r: CheckedResource) => throttles(r.inputs.throttleSettings?.rateLimit, r.inputs.throttleSettings?.burstLimit);
    const bySettings = settings.some(settingsThrottle);
    if (!bySettings && !plans.some(planThrottles)) {
      findings.push({ resource: stage, message: "no MethodSettings of this stage with throttlingRateLimit and throttlingBurstLimit, and no throttled UsagePlan covers it" });
      continue;
    }
    for (const weak of settings.filter((r) => !settingsThrottle(r))) {
      findings.push({ resource: stage, message: `its MethodSettings ${weak.name} (methodPath ${weak.inputs.methodPath ?? "?"}) sets no throttlingRateLimit and throttlingBurstLimit above 0: the methods it covers run unthrottled` });
    }
    if (bySettings) continue;
    for (const weak of plans.filter((r) => !planThrottles(r))) {
      findings.push({ resource: stage, message: `its UsagePlan ${weak.name} has no throttleSettings rateLimit and burstLimit above 0, and no MethodSettings throttles the stage: that plan's keys run unthrottled` });
    }
  }
  return findings;
}

/** Every method of every resource; API Gateway keys one method as `~1<path with / as ~1>/<METHOD>`. */
const ALL_METHODS_PATH = "*/*";
const METHOD_SETTINGS_PATH = /^~1[^/]*\/(\*|GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY)$/;

/**
 * A MethodSettings names its methods as API Gateway keys them: `*&#47;*`, or one method as
 * `~1health/GET` (the resource path with every `/` written `~1`, then the method), as in the
 * AWS CLI's `update-stage` example and CloudFormation's `MethodSetting.ResourcePath`. The
 * provider passes `methodPath` through, and API Gateway stores a key such as `health/GET` (the
 * provider docs' "trim the leading slash") without matching it to the resource: the method keeps
 * the stage's default (`*&#47;*`) settings, and a /health meant to have a throttle of its own runs
 * on the limits every other method has.
 */
export function apiGatewayMethodSettingsPath(resource: CheckedResource): string[] {
  if (resource.type !== METHOD_SETTINGS) return [];
  const path = resource.inputs.methodPath;
  if (typeof path !== "string") return [];
  if (path === ALL_METHODS_PATH || METHOD_SETTINGS_PATH.test(path)) return [];
  return [`methodPath "${path}" names no method: API Gateway keys one as ~1<resource path with each / as ~1>/<METHOD> (~1health/GET), or all as */*`];
}

function isForStage(candidate: CheckedResource, input: string, stage: CheckedResource, restApi: PlanValue, stageName: PlanValue): boolean {
  if (candidate.inputSources?.[input]?.includes(stage.key)) return true;
  return isSet(stageName) && stageName === stage.inputs.stageName && restApi === stage.inputs.restApi;
}

/** A limit of -1 (the default) means no throttling. */
function throttles(rate: PlanValue, burst: PlanValue): boolean {
  return typeof rate === "number" && rate > 0 && typeof burst === "number" && burst > 0;
}

/**
 * Every method but GET /health is for merchants: the Lambda authorizer (CUSTOM with its
 * authorizerId) verifies the API key, and apiKeyRequired makes the merchant's usage plan count
 * it. A method left open is a payments route anyone on the internet may call.
 */
export function apiGatewayMethodsAuthorized(resources: readonly CheckedResource[]): Finding[] {
  // Routes this rule cannot see: an OpenAPI body's (any operation, any authorization) and an HTTP or WebSocket API's.
  const unseen = resources.flatMap((resource): Finding[] => {
    if ((resource.type === REST_API || resource.type === REST_API_PUT) && resource.inputs.body !== undefined && resource.inputs.body !== null && resource.inputs.body !== "") {
      return [{ resource, message: "routes given in an OpenAPI body are not checked for the authorizer and the API key: declare them as methods (routeDefinitions)" }];
    }
    if (resource.type === HTTP_API) return [{ resource, message: `an ${resource.inputs.protocolType ?? "HTTP"} API (API Gateway v2): outside the authorizer, API key, WAF and throttling this pack checks` }];
    return [];
  });
  return [...unseen, ...resources
    .filter((method) => method.type === METHOD && !isHealthCheck(method, resources))
    .flatMap((method) => {
      const inputs = method.inputs;
      const problems: string[] = [];
      if (inputs.authorization !== "CUSTOM") problems.push(`authorization is ${inputs.authorization ?? "unset"}, not CUSTOM`);
      if (!isSet(inputs.authorizerId)) problems.push("no authorizerId");
      if (inputs.apiKeyRequired !== true) problems.push("apiKeyRequired is not true");
      if (problems.length === 0) return [];
      return [{ resource: method, message: `${inputs.httpMethod ?? "?"} method open to callers without an API key: ${problems.join(", ")}` }];
    })];
}

/**
 * GET on the API's /health resource. The method's resource is the one its resourceId is computed
 * from (under the engine); a synth plan holds no resource ids, so there it is the resource named
 * as the serverless-api lib names a route's (`<api>-path-health` for the method `<api>-get-health`).
 */
function isHealthCheck(method: CheckedResource, resources: readonly CheckedResource[]): boolean {
  if (method.inputs.httpMethod !== HEALTH_METHOD) return false;
  const sources = method.inputSources?.resourceId;
  if (sources && sources.length > 0) {
    return resources.some((r) => r.type === RESOURCE && sources.includes(r.key) && isHealthResource(r, resources));
  }
  if (!method.name.endsWith(HEALTH_NAMES.method)) return false;
  const resourceName = `${method.name.slice(0, -HEALTH_NAMES.method.length)}${HEALTH_NAMES.resource}`;
  return resources.some((r) => r.type === RESOURCE && r.name === resourceName && r.inputs.restApi === method.inputs.restApi && isHealthResource(r, resources));
}

/**
 * The resource is /health: its full `path` (an output the engine shows), or a `health` pathPart
 * directly under the API's root (its parentId is not computed from another resource).
 */
function isHealthResource(resource: CheckedResource, resources: readonly CheckedResource[]): boolean {
  if (isSet(resource.inputs.path)) return resource.inputs.path === HEALTH_PATH;
  if (`/${resource.inputs.pathPart}` !== HEALTH_PATH) return false;
  const parents = resource.inputSources?.parentId ?? [];
  return !resources.some((r) => r.type === RESOURCE && parents.includes(r.key));
}

/**
 * The authorizer's answer is cached per Authorization header, for at most 5 minutes: the header
 * is the whole identity (one cache entry per API key), and a revoked key stops working within
 * the TTL plus the keys table's replication lag.
 */
export function apiGatewayAuthorizerCache(resource: CheckedResource): string[] {
  if (resource.type !== AUTHORIZER) return [];
  const problems: string[] = [];
  const ttl = resource.inputs.authorizerResultTtlInSeconds ?? AUTHORIZER_DEFAULTS.ttlSeconds;
  if (typeof ttl !== "number" || ttl > MAX_AUTHORIZER_CACHE_SECONDS) {
    problems.push(`authorizerResultTtlInSeconds is ${ttl}, above ${MAX_AUTHORIZER_CACHE_SECONDS}: a revoked key would keep working that long`);
  }
  const source = resource.inputs.identitySource ?? AUTHORIZER_DEFAULTS.identitySource;
  if (typeof source !== "string" || !AUTHORIZATION_HEADER_SOURCE.test(source.trim())) {
    problems.push(`identitySource is "${source}", not the Authorization header (${AUTHORIZER_DEFAULTS.identitySource}) alone`);
  }
  return problems;
}

const REST_API = "aws:apigateway/restApi:RestApi";
const DOMAIN_NAME = "aws:apigateway/domainName:DomainName";

/**
 * API Gateway's TLS: a REST API names an enhanced security policy (`SecurityPolicy_…`, with its
 * endpoint access mode), since left unset its default endpoint accepts TLS 1.0; a custom domain
 * does not accept TLS 1.0 either (`TLS_1_0`, or no policy).
 */
export function apiGatewayTls(resource: CheckedResource): string[] {
  const { securityPolicy, endpointAccessMode } = resource.inputs;
  if (resource.type !== REST_API && resource.type !== DOMAIN_NAME) return [];
  const policy = JSON.stringify(securityPolicy ?? null);
  if (typeof securityPolicy === "string" && securityPolicy.startsWith("SecurityPolicy_")) {
    return isSet(endpointAccessMode) ? [] : ["an enhanced securityPolicy needs an endpointAccessMode"];
  }
  if (resource.type === REST_API) return [`securityPolicy is ${policy}: the default endpoint accepts TLS 1.0 unless an enhanced policy (SecurityPolicy_…) is set`];
  return securityPolicy === "TLS_1_2" ? [] : [`securityPolicy is ${policy}: the domain accepts TLS 1.0`];
}
