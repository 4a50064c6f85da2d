import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_CHECK_TOKEN_ARGUMENT, WAF_RATE_WINDOW_SECONDS, type ResourceNamer } from "@payments-dr/conventions";
import { PROBLEM_TYPE_BASE } from "@payments-dr/payment-lambda";
import type { Throttle } from "../rest-api/method-settings";
import type { LogArgs } from "../functions/vpc-function";

/** What the web ACL lets through. */
export interface WafSettings {
  /**
   * Requests one source IP may send in 5 minutes before WAF answers it 429. At least a merchant's
   * usage-plan rate for the whole window: a merchant within its plan, from one egress IP, must
   * never reach it.
   */
  rateLimitPer5Min: number;
  /**
   * Requests one source IP may send to `/health` in 5 minutes. `/health` is anonymous and has a
   * small throttle of its own, shared by every caller: without a tighter per-IP limit a few IPs
   * could drain it, the health checkers would get 429s, and Route 53 would fail the region over.
   * Our own health checks are exempt: they carry the stack's health check token; how many checks
   * share one checker address is not documented, and a 429 to them is a failover.
   */
  healthRateLimitPer5Min: number;
  /** Largest request body, in bytes; larger ones are blocked. */
  maxBodyBytes: number;
  /**
   * Block Route 53's checkers on `/health` without the health check token; false only counts
   * them. A deployment whose health checks predate the token upgrades with false: the regional
   * stacks deploy before the global stack gives its checks the token, and blocking meanwhile
   * would fail the primary's check while the DR's still passes, a failover.
   */
  requireHealthCheckToken: boolean;
}

/**
 * WAF inspects at most the first 16 KB of an API Gateway request body unless the web ACL's
 * association config raises it (at a cost): a larger limit could never be checked.
 * https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
 */
export const API_GATEWAY_BODY_INSPECTION_BYTES = 16_384;

/** The `/health` route's path, at the end of the URI path WAF sees (after the stage or base path). */
const HEALTH_PATH = "/health/?$";

/**
 * The share of `/health`'s throttle that callers without our token (the DR region's probe, the
 * DR CLI, anyone) may use together, counted by WAF over {@link HEALTH_CALLERS_WINDOW_SECONDS}:
 * a sustained flood spread over many addresses, which the per-IP limit alone cannot stop, is
 * cut within WAF's reaction time, and the rest of the throttle stays for our Route 53 checks.
 * (The throttle is a per-second bucket: a burst faster than WAF reacts still reaches it.)
 */
const HEALTH_CALLERS_SHARE = 0.2;
/** WAF's shortest window for a rate-based rule: a flood is cut the sooner. */
const HEALTH_CALLERS_WINDOW_SECONDS = 60;
/** AWS WAF's bounds on a rate-based rule's limit. */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 } as const;

/** How many requests all callers without our token may send `/health` together per minute. */
export function healthCallersLimitPerMinute(healthThrottle: Throttle): number {
  return Math.max(WAF_RATE_LIMIT.min, Math.floor(healthThrottle.rateLimit * HEALTH_CALLERS_WINDOW_SECONDS * HEALTH_CALLERS_SHARE));
}

/** The service whose published address ranges (ip-ranges.json) Route 53's health checkers call from. */
const ROUTE53_HEALTH_CHECKERS = "route53_healthchecks";

/** WAF logs only to a log group whose name starts with this (WAF developer guide, "Log group naming"). */
const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** The header that carries a merchant's secret API key. */
const API_KEY_HEADER = "authorization";

/**
 * What a source IP over a rate limit gets: a 429 to retry later, not the WAF_FILTERED 403 that
 * clients take as final. WAF's custom response takes precedence over API Gateway's gateway
 * responses, and may not set Content-Type: the body has the problem's members, as JSON, without
 * a request id (WAF has none to give). WAF blocks until the IP's count over the trailing window
 * falls below the limit: a client told to wait a minute may be told again.
 */
const RATE_LIMITED = {
  bodyKey: "rate-limited",
  status: 429,
  retryAfterSeconds: 60,
  body: {
    type: `${PROBLEM_TYPE_BASE}rate-limited`,
    title: "Too many requests",
    status: 429,
    detail: "Too many requests from this address. Slow down, then retry.",
  },
} as const;

type WebAclRule = aws.types.input.wafv2.WebAclRule;

/** Block with {@link RATE_LIMITED}'s 429 and Retry-After. */
const rateLimitedAction: WebAclRule["action"] = {
  block: {
    customResponse: {
      responseCode: RATE_LIMITED.status,
      customResponseBodyKey: RATE_LIMITED.bodyKey,
      responseHeaders: [
        { name: "Retry-After", value: String(RATE_LIMITED.retryAfterSeconds) },
        { name: "Cache-Control", value: "no-store" },
      ],
    },
  },
};

/** Metrics and sampled requests for a rule or the ACL, under `metricName`. */
function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/** An AWS managed rule group, its rules acting as AWS set them unless overridden to count. */
function managedRuleGroup(priority: number, ruleName: string, groupName: string, countOnly: string[] = []): WebAclRule {
  return {
    name: ruleName,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: "AWS",
        name: groupName,
        ...(countOnly.length > 0 ? { ruleActionOverrides: countOnly.map((name) => ({ name, actionToUse: { count: {} } })) } : {}),
      },
    },
    visibilityConfig: visibility(ruleName),
  };
}

/**
 * Who may call `/health` from Route 53's checkers. Anyone can point Route 53 health checks at our
 * `/health`, and theirs come from the same addresses as ours: from those addresses WAF lets
 * through only requests with our token (`?check=<token>`), so hostile checks cannot fill the
 * route's throttle and fail the region over. The token grants nothing but that; WAF's data
 * protection keeps it out of its logs and samples.
 */
interface HealthCheckAccess {
  /** The regex pattern set that holds our token (the secret lives there, so the rules stay readable in previews). */
  tokenPatternSetArn: pulumi.Input<string>;
  /** The IP set of Route 53's health checkers. */
  checkersIpSetArn: pulumi.Input<string>;
}

/** A request to `/health`: the stage's path (/v1/health) or the custom domain's (/health), with a trailing slash or percent-encoded too, every form API Gateway could route to the same method. */
const healthPathMatch: aws.types.input.wafv2.WebAclRuleStatement = {
  regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: HEALTH_PATH, textTransformations: [{ priority: 0, type: "URL_DECODE" }] },
};

/** A regex that matches the token whole, not a value that merely contains it. Letters and digits only (../serverless-api.ts): nothing to escape. */
export function wholeTokenPattern(token: string): string {
  if (!/^[A-Za-z0-9]+$/.test(token)) throw new Error("the health check token must be letters and digits");
  return `^${token}$`;
}

/** A request that carries the health check token. */
function withToken(tokenPatternSetArn: pulumi.Input<string>): aws.types.input.wafv2.WebAclRuleStatement {
  return {
    regexPatternSetReferenceStatement: {
      arn: tokenPatternSetArn,
      fieldToMatch: { singleQueryArgument: { name: HEALTH_CHECK_TOKEN_ARGUMENT } },
      textTransformations: [{ priority: 0, type: "NONE" }],
    },
  };
}

/**
 * The rules, cheapest first: our own health checks (`/health` with our token) allowed at once, so
 * that no rate rule ever counts them and no volume of other requests from a checker's address
 * can get them a 429; `/health` from Route 53's checkers without it, blocked; AWS's IP reputation
 * list; the per-IP rate limits (all routes, then `/health` alone); `/health` for all other
 * callers together; the body size limit; then AWS's common rule set and known bad inputs. The
 * common rule set's own body rule (SizeRestrictions_BODY) blocks at a fixed 8 KB; it only
 * counts here, so `maxBodyBytes` is the one body limit. Its rule against a missing User-Agent
 * (NoUserAgent_HEADER) only counts too: merchants call from servers, whose HTTP clients often
 * send none (Node's `http.request`, .NET's HttpClient), and a header anyone can set keeps no
 * attacker out; a bare 403 there would fail payments that the API itself accepts.
 */
function webAclRules(settings: WafSettings, healthThrottle: Throttle, healthChecks: HealthCheckAccess): WebAclRule[] {
  const fromCheckers = { ipSetReferenceStatement: { arn: healthChecks.checkersIpSetArn } };
  // The checkers' requests are the second rule's; while it only counts (an upgrade), our checks
  // without the token yet must not be limited by the /health rate rules either.
  const healthFromOthers = { andStatement: { statements: [healthPathMatch, { notStatement: { statement: fromCheckers } }] } };
  return [
    {
      name: "health-checks-with-token",
      priority: 0,
      action: { allow: {} },
      statement: { andStatement: { statements: [healthPathMatch, withToken(healthChecks.tokenPatternSetArn)] } },
      visibilityConfig: visibility("health-checks-with-token"),
    },
    {
      // Someone else's Route 53 health checks on our /health: blocked, so they cost nothing and
      // cannot use up the throttle our own checks need.
      name: "health-checkers-without-token",
      priority: 1,
      action: settings.requireHealthCheckToken ? { block: {} } : { count: {} },
      statement: { andStatement: { statements: [healthPathMatch, fromCheckers] } },
      visibilityConfig: visibility("health-checkers-without-token"),
    },
    // Addresses Amazon's threat intelligence reports as bots or attackers: blocked before any rate
    // rule counts them against a budget others share.
    managedRuleGroup(2, "aws-ip-reputation", "AWSManagedRulesAmazonIpReputationList"),
    {
      name: "rate-per-ip",
      priority: 3,
      action: rateLimitedAction,
      statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: settings.rateLimitPer5Min, evaluationWindowSec: WAF_RATE_WINDOW_SECONDS } },
      visibilityConfig: visibility("rate-per-ip"),
    },
    {
      name: "health-rate-per-ip",
      priority: 4,
      action: rateLimitedAction,
      statement: {
        rateBasedStatement: {
          aggregateKeyType: "IP",
          limit: settings.healthRateLimitPer5Min,
          evaluationWindowSec: WAF_RATE_WINDOW_SECONDS,
          scopeDownStatement: healthFromOthers,
        },
      },
      visibilityConfig: visibility("health-rate-per-ip"),
    },
    {
      // A sustained flood of /health from many addresses, each under its own limit, would fill
      // the route's throttle, and our checks' 429s would fail the region over. Past this share
      // WAF answers every caller without our token 429 (the DR region's probe then pages: the
      // region is under attack) while our checks, allowed first, keep the rest.
      name: "health-rate-all-callers",
      priority: 5,
      action: rateLimitedAction,
      statement: {
        rateBasedStatement: {
          aggregateKeyType: "CONSTANT",
          limit: healthCallersLimitPerMinute(healthThrottle),
          evaluationWindowSec: HEALTH_CALLERS_WINDOW_SECONDS,
          scopeDownStatement: healthFromOthers,
        },
      },
      visibilityConfig: visibility("health-rate-all-callers"),
    },
    {
      name: "max-body-size",
      priority: 6,
      action: { block: {} },
      statement: {
        sizeConstraintStatement: {
          // A body WAF cannot inspect whole is larger than any allowed one: MATCH blocks it too.
          fieldToMatch: { body: { oversizeHandling: "MATCH" } },
          comparisonOperator: "GT",
          size: settings.maxBodyBytes,
          textTransformations: [{ priority: 0, type: "NONE" }],
        },
      },
      visibilityConfig: visibility("max-body-size"),
    },
    managedRuleGroup(7, "aws-common", "AWSManagedRulesCommonRuleSet", ["SizeRestrictions_BODY", "NoUserAgent_HEADER"]),
    managedRuleGroup(8, "aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet"),
  ];
}

/**
 * The regional web ACL guarding the stage (every route, /health included), and its logs in a
 * KMS-encrypted log group with retention. The Authorization header carries a merchant's secret
 * API key, and the health checks' query the health check token: the web ACL's data protection
 * replaces both in everything WAF keeps (sampled requests, logs), since the logging
 * configuration's redaction alone leaves them in the samples that `wafv2:GetSampledRequests`
 * returns (WAFV2 API reference, DataProtectionConfig). WAF adds the
 * log group's resource policy itself when logging is enabled (WAFV2 PutLoggingConfiguration),
 * so none is declared here.
 */
export function createWebAcl(
  name: string,
  inputs: {
    namer: ResourceNamer;
    stage: aws.apigateway.Stage;
    settings: WafSettings;
    /** `/health`'s own throttle: callers without our token together get a share of it. */
    healthThrottle: Throttle;
    /** The token our health checks carry (a secret). */
    healthCheckToken: pulumi.Input<string>;
    logs: LogArgs;
    parent: pulumi.Resource;
  },
): aws.wafv2.WebAcl {
  const { namer, stage, logs, parent } = inputs;
  const opts = { parent };
  const aclName = namer.regional("display", "api-acl");

  // Route 53's health checkers, from AWS's published ranges (read at each update, so a refresh of
  // the list reaches the set with the next `up`). IPv4: the checks reach the API over IPv4.
  const checkerRanges = aws.getIpRangesOutput({ services: [ROUTE53_HEALTH_CHECKERS] }, { parent });
  const healthCheckers = new aws.wafv2.IpSet(
    `${name}-route53-checkers`,
    {
      name: namer.regional("display", "route53-checkers"),
      description: "Route 53 health checkers: on /health only with our health check token",
      scope: "REGIONAL",
      ipAddressVersion: "IPV4",
      addresses: checkerRanges.cidrBlocks,
    },
    opts,
  );

  const tokenPattern = new aws.wafv2.RegexPatternSet(
    `${name}-health-check-token-pattern`,
    {
      name: namer.regional("display", "health-check-token"),
      description: `The token of our Route 53 health checks, query argument ${HEALTH_CHECK_TOKEN_ARGUMENT}`,
      scope: "REGIONAL",
      regularExpressions: [{ regexString: pulumi.output(inputs.healthCheckToken).apply(wholeTokenPattern) }],
    },
    // A secret in the state too, whatever the engine infers from the input.
    { ...opts, additionalSecretOutputs: ["regularExpressions"] },
  );

  const webAcl = new aws.wafv2.WebAcl(
    `${name}-waf`,
    {
      name: aclName,
      description: "payments-dr payments API stage",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules: webAclRules(inputs.settings, inputs.healthThrottle, { tokenPatternSetArn: tokenPattern.arn, checkersIpSetArn: healthCheckers.arn }),
      customResponseBodies: [{ key: RATE_LIMITED.bodyKey, contentType: "APPLICATION_JSON", content: JSON.stringify(RATE_LIMITED.body) }],
      dataProtectionConfig: {
        dataProtections: [
          { field: { fieldType: "SINGLE_HEADER", fieldKeys: [API_KEY_HEADER] }, action: "SUBSTITUTION" },
          { field: { fieldType: "SINGLE_QUERY_ARGUMENT", fieldKeys: [HEALTH_CHECK_TOKEN_ARGUMENT] }, action: "SUBSTITUTION" },
        ],
      },
      visibilityConfig: visibility(aclName),
    },
    opts,
  );
  new aws.wafv2.WebAclAssociation(`${name}-waf-association`, { resourceArn: stage.arn, webAclArn: webAcl.arn }, opts);

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-waf-logs`,
    {
      // The namer makes the name (suffix, length check); WAF needs its own prefix in front.
      name: `${WAF_LOG_GROUP_PREFIX}${namer.regional("logGroup", "api-acl")}`,
      kmsKeyId: logs.kmsKeyArn,
      retentionInDays: logs.retentionDays,
    },
    opts,
  );
  new aws.wafv2.WebAclLoggingConfiguration(
    `${name}-waf-logging`,
    { resourceArn: webAcl.arn, logDestinationConfigs: [logGroup.arn], redactedFields: [{ singleHeader: { name: API_KEY_HEADER } }] },
    opts,
  );
  return webAcl;
}
