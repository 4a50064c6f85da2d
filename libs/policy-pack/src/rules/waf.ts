import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource, Finding } from "../model";
import { isRedacted, isSet, keyProblem, list, unverifiable } from "../values";

const STAGE = "aws:apigateway/stage:Stage";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** WAF logs only to a log group whose name starts with this (WAF developer guide, "Log group naming"). */
const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** The header that carries a merchant's secret API key; WAF logs it in clear unless redacted. */
const KEY_HEADER = "authorization";

/**
 * Every API Gateway stage is behind a web ACL: without the association the rate limit, the
 * managed rule groups and the body size limit guard nothing, and nothing else says so.
 */
export function apiGatewayStageWaf(resources: readonly CheckedResource[]): Finding[] {
  return resources
    .filter((stage) => stage.type === STAGE && !resources.some((r) => r.type === ASSOCIATION && associatesStage(r, stage)))
    .map((stage) => ({ resource: stage, message: "no WebAclAssociation has this stage as its resourceArn: no web ACL guards it" }));
}

/**
 * The association's resourceArn is computed from the stage, is the stage's ARN (engine outputs),
 * or names its API and stage (`arn:<partition>:apigateway:<region>::/restapis/<api id>/stages/<stage>`).
 */
function associatesStage(association: CheckedResource, stage: CheckedResource): boolean {
  if (association.inputSources?.resourceArn?.includes(stage.key)) return true;
  const arn = association.inputs.resourceArn;
  if (!isSet(arn)) return false;
  if (isSet(stage.inputs.arn)) return arn === stage.inputs.arn;
  const { restApi, stageName } = stage.inputs;
  return isSet(restApi) && isSet(stageName) && arn.startsWith("arn:") && arn.endsWith(`/restapis/${restApi}/stages/${stageName}`);
}

/**
 * Every web ACL logs what it sees to a CloudWatch log group WAF accepts (`aws-waf-logs-*`),
 * encrypted with a customer-managed key, with the Authorization header redacted: the logs hold
 * every request, and that header is a merchant's secret API key. A logging filter may leave out
 * requests, but never one WAF blocked: those are the attacks. Every logging configuration of the
 * ACL must comply: WAF keeps one per web ACL, the one applied last.
 */
export function wafLogging(resources: readonly CheckedResource[]): Finding[] {
  const findings: Finding[] = [];
  for (const acl of resources.filter((r) => r.type === WEB_ACL)) {
    const configs = resources.filter((r) => r.type === LOGGING && targetsAcl(r, acl));
    if (configs.length === 0) {
      findings.push({ resource: acl, message: "no WebAclLoggingConfiguration has this web ACL as its resourceArn" });
      continue;
    }
    const lastWins = configs.length > 1 ? ` (${configs.length} WebAclLoggingConfigurations target this web ACL: WAF keeps the one applied last)` : "";
    for (const config of configs) {
      const problems = loggingProblems(config, resources);
      if (problems.length > 0) findings.push({ resource: acl, message: `its WebAclLoggingConfiguration ${config.name}: ${problems.join("; ")}${lastWins}` });
    }
  }
  return findings;
}

/**
 * The logging configuration's resourceArn is computed from the ACL, is its ARN (engine outputs),
 * or names it: one `/`-separated part of the ARN is the ACL's name (`…:regional/webacl/<name>/<id>`).
 */
function targetsAcl(config: CheckedResource, acl: CheckedResource): boolean {
  if (config.inputSources?.resourceArn?.includes(acl.key)) return true;
  const arn = config.inputs.resourceArn;
  if (!isSet(arn)) return false;
  if (isSet(acl.inputs.arn)) return arn === acl.inputs.arn;
  return isSet(acl.inputs.name) && arn.startsWith("arn:") && arn.split("/").includes(acl.inputs.name);
}

function loggingProblems(config: CheckedResource, resources: readonly CheckedResource[]): string[] {
  const problems: string[] = [];
  const groups = resources.filter((r) => r.type === LOG_GROUP && isDestination(config, r));
  if (groups.length === 0) problems.push("logs to no CloudWatch log group of this stack");
  for (const group of groups) {
    const name = group.inputs.name;
    if (!isSet(name) || !name.startsWith(WAF_LOG_GROUP_PREFIX)) problems.push(`log group ${group.name} is not named ${WAF_LOG_GROUP_PREFIX}* (WAF refuses it)`);
    const keyFinding = keyProblem(`log group ${group.name}'s kmsKeyId`, group.inputs.kmsKeyId, `log group ${group.name} has no kmsKeyId of a customer-managed KMS key`);
    if (keyFinding !== undefined) problems.push(keyFinding);
  }
  if (!list(config.inputs.redactedFields).some((field) => String(field?.singleHeader?.name ?? "").toLowerCase() === KEY_HEADER)) {
    problems.push(`redactedFields does not redact the ${KEY_HEADER} header (merchants' API keys would be logged)`);
  }
  const filterProblem = blockedRequestsDropped(config.inputs.loggingFilter);
  if (filterProblem !== undefined) problems.push(filterProblem);
  return problems;
}

/** What a logging filter that leaves out blocked requests costs. */
const UNLOGGED_ATTACKS = "the attacks WAF stops would go unlogged";

/**
 * What a logging filter does to the requests WAF blocks. Its filters apply in order: the first
 * that a request meets decides (KEEP or DROP), and `defaultBehavior` decides the rest. Every
 * blocked request is kept only when no DROP filter may meet one before a KEEP filter meets them
 * all (see {@link meetsBlocked}), or the default KEEPs them. `undefined` when every one is kept.
 */
function blockedRequestsDropped(loggingFilter: PlanValue): string | undefined {
  if (loggingFilter === undefined || loggingFilter === null) return undefined;
  if (isRedacted(loggingFilter)) return unverifiable("loggingFilter");
  if (isRedacted(loggingFilter.filters)) return unverifiable("loggingFilter.filters");
  for (const [i, filter] of list(loggingFilter.filters).entries()) {
    if (isRedacted(filter)) return unverifiable(`loggingFilter.filters[${i}]`);
    const meets = meetsBlocked(filter);
    if (meets === "none") continue;
    if (filter?.behavior !== "KEEP") {
      const which = meets === "all" ? "every request WAF blocks (actionCondition BLOCK)" : "requests WAF may have blocked (its conditions do not exclude the BLOCK action)";
      return `loggingFilter.filters[${i}] has behavior ${filter?.behavior ?? "unset"}, not KEEP, and meets ${which}: ${UNLOGGED_ATTACKS}`;
    }
    if (meets === "all") return undefined;
  }
  if (loggingFilter.defaultBehavior === "KEEP") return undefined;
  return `loggingFilter.defaultBehavior is ${loggingFilter.defaultBehavior ?? "unset"} and no filter before it KEEPs every request WAF blocks (requirement MEETS_ANY with an actionCondition BLOCK): ${UNLOGGED_ATTACKS}`;
}

/** Actions that a blocked request's log record never carries (COUNT and EXCLUDED_AS_COUNT may come with a block). */
const NOT_BLOCKED_ACTIONS = ["ALLOW", "CAPTCHA", "CHALLENGE"];

/**
 * Which of the requests WAF blocks a logging filter meets: all of them (MEETS_ANY with a BLOCK
 * action condition, or MEETS_ALL with BLOCK action conditions only), none (a condition every
 * blocked request fails is required, or every condition is one), or some (labels: unknown here).
 */
function meetsBlocked(filter: PlanValue): "all" | "some" | "none" {
  const conditions = list(filter?.conditions);
  const action = (condition: PlanValue): PlanValue => condition?.actionCondition?.action;
  const isBlock = (condition: PlanValue) => action(condition) === "BLOCK";
  const neverBlocked = (condition: PlanValue) => NOT_BLOCKED_ACTIONS.includes(action(condition));
  if (conditions.length === 0) return "none";
  if (filter?.requirement === "MEETS_ANY") {
    if (conditions.some(isBlock)) return "all";
    return conditions.every(neverBlocked) ? "none" : "some";
  }
  if (conditions.some(neverBlocked)) return "none";
  return conditions.every(isBlock) ? "all" : "some";
}

/** A destination is computed from the log group, or is its ARN (`…:log-group:<name>`, optionally `:*`). */
function isDestination(config: CheckedResource, group: CheckedResource): boolean {
  if (config.inputSources?.logDestinationConfigs?.includes(group.key)) return true;
  const name = group.inputs.name;
  return (
    isSet(name) &&
    list(config.inputs.logDestinationConfigs).some((arn) => isSet(arn) && (arn === group.inputs.arn || arn.endsWith(`:log-group:${name}`) || arn.endsWith(`:log-group:${name}:*`)))
  );
}

/** Why a rate limit aggregated by anything but the source IP does not hold one client back. */
const NOT_BY_IP: Readonly<Record<string, string>> = {
  FORWARDED_IP: "the client writes that header itself, so one that changes it each request is never limited",
  CUSTOM_KEYS: "a key the client chooses (a header, a query argument, a cookie) gives one client a limit of its own for each value it sends",
  CONSTANT: "one counter for every caller, so one client's flood blocks everyone",
};

/**
 * Every web ACL has a rate-based rule that blocks, over every request (no scope-down), by source
 * IP: the per-source-IP limit is what sheds a flood of anonymous requests before API Gateway and
 * the authorizer see it; a rule scoped to one path (as the /health one) does not, nor one keyed
 * on what the client sends (a forwarded IP header, custom keys). Unset, `aggregateKeyType` is IP.
 * Rules come from `rules`, or from `ruleJson` (the WAF API's own, capitalized, field names).
 */
export function wafRateLimit(resource: CheckedResource): string[] {
  if (resource.type !== WEB_ACL) return [];
  const rules = [...list(resource.inputs.rules), ...parsedList(resource.inputs.ruleJson)];
  const blockingEveryRequest = rules.filter((rule) => {
    const rate = field(field(rule, "statement"), "rateBasedStatement");
    return rate !== undefined && field(rate, "scopeDownStatement") === undefined && field(field(rule, "action"), "block") !== undefined;
  });
  const keyOf = (rule: PlanValue): PlanValue => field(field(field(rule, "statement"), "rateBasedStatement"), "aggregateKeyType") ?? "IP";
  if (blockingEveryRequest.some((rule) => keyOf(rule) === "IP")) return [];
  return [
    "no rule with a rateBasedStatement over every request (no scopeDownStatement), by source IP (aggregateKeyType IP), and a block action",
    ...blockingEveryRequest.map((rule) => {
      const key = String(keyOf(rule));
      return `rule ${field(rule, "name") ?? "?"} aggregates by ${key}, not IP (aggregateKeyType): ${NOT_BY_IP[key] ?? "only the source IP is a key the client cannot choose"}`;
    }),
  ];
}

/** Web ACL data protection actions that keep the value out of what WAF stores. */
const PROTECTING_ACTIONS = ["SUBSTITUTION", "HASH"];

/**
 * Every web ACL's data protection replaces (or hashes) the Authorization header, with no
 * exception for rule match or rate-based details (either would show the value there): the
 * logging configuration's redaction does not reach the sampled requests, which keep every header
 * of up to 500 requests per rule for three hours (WAFV2 API reference, VisibilityConfig).
 */
export function wafKeyProtection(resource: CheckedResource): string[] {
  if (resource.type !== WEB_ACL) return [];
  const protections = list(field(resource.inputs.dataProtectionConfig, "dataProtections"));
  const protectsKey = protections.some((protection) => {
    const target = field(protection, "field");
    return (
      field(target, "fieldType") === "SINGLE_HEADER" &&
      list(field(target, "fieldKeys")).some((key) => String(key).toLowerCase() === KEY_HEADER) &&
      PROTECTING_ACTIONS.includes(String(field(protection, "action"))) &&
      field(protection, "excludeRuleMatchDetails") !== true &&
      field(protection, "excludeRateBasedDetails") !== true
    );
  });
  return protectsKey ? [] : [`dataProtectionConfig does not protect the ${KEY_HEADER} header (SINGLE_HEADER, SUBSTITUTION or HASH, no exclusions): sampled requests would show merchants' API keys`];
}

/** WAFv2's resources whose name and description AWS checks against the patterns below. */
const NAMED_WAF_TYPES = [WEB_ACL, "aws:wafv2/ipSet:IpSet", "aws:wafv2/regexPatternSet:RegexPatternSet", "aws:wafv2/ruleGroup:RuleGroup"];
/** WAFV2 API reference (WebACL, IPSet, RegexPatternSet, RuleGroup): Name, 1–128 characters. */
const WAF_NAME = /^[\w-]{1,128}$/;
/** The same: Description, 1–256 characters; no parentheses, quotes or non-ASCII letters. */
const WAF_DESCRIPTION = /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/;

/**
 * Names and descriptions that WAF accepts. The provider checks only a description's length, so
 * a parenthesis fails the stack at `pulumi up`, after preview and synth passed.
 */
export function wafAcceptedText(resource: CheckedResource): string[] {
  if (!NAMED_WAF_TYPES.includes(resource.type)) return [];
  const { name, description } = resource.inputs;
  const problems: string[] = [];
  if (typeof name === "string" && !WAF_NAME.test(name)) problems.push(`name ${JSON.stringify(name)} is not 1-128 letters, digits, _ or -`);
  if (typeof description === "string" && (description.length > 256 || !WAF_DESCRIPTION.test(description))) {
    problems.push(`description ${JSON.stringify(description)} does not match WAF's pattern (letters, digits, _, spaces and + = : # @ / - , . only, at most 256)`);
  }
  return problems;
}

/** `key` of an object, in the provider's camelCase or the WAF API's PascalCase. */
function field(value: PlanValue, key: string): PlanValue {
  if (!value || typeof value !== "object") return undefined;
  return value[key] ?? value[key[0].toUpperCase() + key.slice(1)];
}

/** A JSON array given as a string (`ruleJson` is a list of rules). */
function parsedList(value: PlanValue): PlanValue[] {
  if (!isSet(value)) return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
