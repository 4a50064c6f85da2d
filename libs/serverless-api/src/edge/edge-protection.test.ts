import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_DEFAULTS } from "@payments-dr/conventions";
import { MAX_AMOUNT_MINOR_UNITS, MAX_DESCRIPTION_LENGTH, MAX_REFERENCE_LENGTH, validateCreatePayment, type CreatePaymentBody, type EveryField } from "@payments-dr/payment-lambda/testing";
import { FAKE_ACCOUNT_ID, type Plan } from "@payments-dr/synth";
import { GATEWAY_PROBLEMS } from "../rest-api/gateway-problems";
import { PAYMENT_ROUTES } from "../rest-api/route-table";
import { ServerlessApi } from "../serverless-api";
import { healthCallersLimitPerMinute, wholeTokenPattern } from "./web-acl";
import { apiArgs, LOGS_KEY_ARN, SUFFIX, synthInRegion } from "../synth-fixture.testing";

const STAGE = "aws:apigateway/stage:Stage";
const GATEWAY_RESPONSE = "aws:apigateway/response:Response";
const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/**
 * The largest body POST /payments accepts: every field (a new one stops this from compiling until
 * it is here, at its bounds), every character one of 4 bytes in UTF-8, 12 escaped.
 */
const LARGEST_CREATE_BODY: EveryField<CreatePaymentBody> = {
  amount: MAX_AMOUNT_MINOR_UNITS,
  currency: "EUR",
  reference: "\u{1D11E}".repeat(MAX_REFERENCE_LENGTH),
  description: "\u{1D11E}".repeat(MAX_DESCRIPTION_LENGTH),
};

/** JSON with every non-ASCII UTF-16 unit escaped (`\ud834\udd1e`), as a serializer's ASCII-only output spells it: the longest, whitespace aside. */
const asciiJson = (value: unknown) => JSON.stringify(value).replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);

function synthApi(overrides: Parameters<typeof apiArgs>[1] = {}, region?: string): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const api = new ServerlessApi("api", apiArgs(namer, overrides), { provider });
    return { apiId: api.apiId, usagePlanId: api.usagePlanId, webAclArn: api.webAclArn, healthCheckToken: api.healthCheckToken };
  }, region);
}

describe("ServerlessApi edge protection", () => {
  let plan: Plan;
  let apiId: string;
  beforeAll(async () => {
    plan = await synthApi();
    apiId = plan.outputs.apiId;
  });
  const response = (type: string) => plan.ofType(GATEWAY_RESPONSE).find((r) => r.inputs.responseType === type)?.inputs;
  const rule = (name: string) => plan.one(WEB_ACL).inputs.rules.find((r: { name: string }) => r.name === name);

  describe("gateway responses", () => {
    it("answers every error API Gateway generates as RFC 9457 problem+json carrying the request id", () => {
      const responses = plan.ofType(GATEWAY_RESPONSE);
      expect(responses.map((r) => r.inputs.responseType).sort()).toEqual(
        [
          "ACCESS_DENIED",
          "AUTHORIZER_CONFIGURATION_ERROR",
          "AUTHORIZER_FAILURE",
          "DEFAULT_4XX",
          "DEFAULT_5XX",
          "MISSING_AUTHENTICATION_TOKEN",
          "QUOTA_EXCEEDED",
          "THROTTLED",
          "UNAUTHORIZED",
          "WAF_FILTERED",
        ].sort(),
      );
      for (const { inputs } of responses) {
        expect(inputs.restApiId).toBe(apiId);
        expect(inputs.responseParameters).toMatchObject({
          "gatewayresponse.header.Content-Type": "'application/problem+json'",
          "gatewayresponse.header.Cache-Control": "'no-store'",
        });
        const template: string = inputs.responseTemplates["application/json"];
        expect(template).toContain('"requestId":"$context.requestId"');
        // What API Gateway sends: the template with $context.requestId replaced.
        const body = JSON.parse(template.replace("$context.requestId", "c0ffee00-0000-4000-8000-000000000000"));
        expect(body).toMatchObject({ type: expect.stringMatching(/^tag:payments-dr,2025:problems\//), title: expect.any(String), detail: expect.any(String) });
        expect(body.requestId).toBe("c0ffee00-0000-4000-8000-000000000000");
        if (inputs.statusCode !== undefined) expect(String(body.status)).toBe(inputs.statusCode);
      }
    });

    it("answers a missing, unknown or revoked key with one 401 that asks for a bearer token", () => {
      expect(response("UNAUTHORIZED")).toMatchObject({ statusCode: "401", responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer'" } });
      expect(JSON.parse(response("UNAUTHORIZED")?.responseTemplates["application/json"])).toMatchObject({ status: 401, title: "Unauthorized" });
    });

    it("answers a path or method the API does not declare with a 404 naming its routes, not DEFAULT_4XX's 403", () => {
      expect(response("MISSING_AUTHENTICATION_TOKEN")?.statusCode).toBe("404");
      const body = JSON.parse(response("MISSING_AUTHENTICATION_TOKEN")?.responseTemplates["application/json"]);
      // The function's own 404 type, and every declared route named, so a typo finds its fix.
      expect(body).toMatchObject({ type: "tag:payments-dr,2025:problems/not-found", status: 404, title: "Not found" });
      for (const route of PAYMENT_ROUTES) expect(body.detail).toContain(`${route.httpMethod} ${route.path}`);
    });

    it("turns a failing authorizer into a 503 to retry, and a misconfigured one into a 503", () => {
      expect(response("AUTHORIZER_FAILURE")).toMatchObject({ statusCode: "503", responseParameters: { "gatewayresponse.header.Retry-After": "'2'" } });
      expect(response("AUTHORIZER_CONFIGURATION_ERROR")?.statusCode).toBe("503");
    });

    it("answers throttling and an exhausted quota with 429, access denied and WAF blocks with 403, and keeps API Gateway's status for the rest", () => {
      expect(response("THROTTLED")).toMatchObject({ statusCode: "429", responseParameters: { "gatewayresponse.header.Retry-After": "'1'" } });
      expect(response("QUOTA_EXCEEDED")?.statusCode).toBe("429");
      expect(response("ACCESS_DENIED")?.statusCode).toBe("403");
      expect(response("WAF_FILTERED")?.statusCode).toBe("403");
      for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
        expect(response(type)?.statusCode).toBeUndefined();
        expect(JSON.parse(response(type)?.responseTemplates["application/json"]).status).toBeUndefined();
      }
      expect(GATEWAY_PROBLEMS).toHaveLength(plan.ofType(GATEWAY_RESPONSE).length);
    });

    it("asks for a retry after API Gateway's own 5xx (a throttled, crashed or timed-out function), as after the function's 503s: a POST replays by its Idempotency-Key", () => {
      expect(response("DEFAULT_5XX")?.responseParameters).toMatchObject({ "gatewayresponse.header.Retry-After": "'2'" });
      expect(JSON.parse(response("DEFAULT_5XX")?.responseTemplates["application/json"]).detail).toMatch(/Retry shortly.*same Idempotency-Key/);
    });
  });

  describe("throttling and usage plan", () => {
    it("throttles /health on its own (Route 53 calls it anonymously), after the stage-wide settings", () => {
      const health = plan.one(METHOD_SETTINGS, "api-health-method-settings");
      expect(health.inputs).toEqual({
        restApi: apiId,
        stageName: "v1",
        methodPath: "~1health/GET",
        settings: { throttlingRateLimit: 50, throttlingBurstLimit: 100, metricsEnabled: true, loggingLevel: "ERROR", dataTraceEnabled: false },
      });
      expect(health.options.dependsOn).toEqual(["api-apigw-account", "api-execution-logs", "api-method-settings"]);
      expect(plan.one(METHOD_SETTINGS, "api-method-settings").inputs.methodPath).toBe("*/*");
    });

    it("limits each merchant with a usage plan bound to the stage: throttle and daily quota", () => {
      expect(plan.one(USAGE_PLAN).inputs).toEqual({
        name: `payments-dr-merchants-use1-${SUFFIX}`,
        description: "payments-dr per-merchant limits",
        apiStages: [{ apiId, stage: "v1" }],
        throttleSettings: { rateLimit: 50, burstLimit: 100 },
        quotaSettings: { limit: 100_000, period: "DAY" },
      });
      expect(plan.outputs.usagePlanId).toBe(`payments-dr-merchants-use1-${SUFFIX}`);
    });

    it("takes the merchant limits and the /health throttle from its arguments", async () => {
      const custom = await synthApi({ merchantLimits: { rateLimit: 5, dailyQuota: 1000 }, healthThrottling: { rateLimit: 2, burstLimit: 4 } });
      expect(custom.one(USAGE_PLAN).inputs).toMatchObject({ throttleSettings: { rateLimit: 5, burstLimit: 100 }, quotaSettings: { limit: 1000, period: "DAY" } });
      expect(custom.one(METHOD_SETTINGS, "api-health-method-settings").inputs.settings).toMatchObject({ throttlingRateLimit: 2, throttlingBurstLimit: 4 });
    });
  });

  describe("WAF web ACL", () => {
    it("is a regional web ACL associated with the stage, allowing what no rule blocks", () => {
      const acl = plan.one(WEB_ACL);
      expect(acl.inputs).toMatchObject({
        name: `payments-dr-api-acl-use1-${SUFFIX}`,
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `payments-dr-api-acl-use1-${SUFFIX}`, sampledRequestsEnabled: true },
      });
      const association = plan.one(WEB_ACL_ASSOCIATION);
      const stage = plan.one(STAGE).inputs;
      expect(association.inputs).toEqual({ resourceArn: `arn:aws:apigateway:us-east-1::/restapis/${stage.restApi}/stages/${stage.stageName}`, webAclArn: plan.outputs.webAclArn });
      expect(stage.restApi).toBe(apiId);
    });

    const RATE_LIMITED_ACTION = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: "rate-limited",
          responseHeaders: [
            { name: "Retry-After", value: "60" },
            { name: "Cache-Control", value: "no-store" },
          ],
        },
      },
    };

    /** /health, in every form API Gateway routes to it. */
    const HEALTH_PATH_MATCH = { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: "/health/?$", textTransformations: [{ priority: 0, type: "URL_DECODE" }] } };
    /** Carrying the stack's health check token, held by its regex pattern set. */
    const withToken = () => ({
      regexPatternSetReferenceStatement: {
        arn: `arn:aws:wafv2:us-east-1:${FAKE_ACCOUNT_ID}:api-health-check-token-pattern/${plan.one("aws:wafv2/regexPatternSet:RegexPatternSet").inputs.name}`,
        fieldToMatch: { singleQueryArgument: { name: "check" } },
        textTransformations: [{ priority: 0, type: "NONE" }],
      },
    });
    /** From Route 53's health checkers. */
    const fromCheckers = () => ({ ipSetReferenceStatement: { arn: `arn:aws:wafv2:us-east-1:${FAKE_ACCOUNT_ID}:api-route53-checkers/${plan.one("aws:wafv2/ipSet:IpSet").inputs.name}` } });
    const not = (statement: unknown) => ({ notStatement: { statement } });

    it("lets our own health checks (/health with the stack's token) through first, so no rate rule ever counts them: no volume of other requests from a checker's address can get them a 429", () => {
      expect(rule("health-checks-with-token")).toEqual({
        name: "health-checks-with-token",
        priority: 0,
        action: { allow: {} },
        statement: { andStatement: { statements: [HEALTH_PATH_MATCH, withToken()] } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "health-checks-with-token", sampledRequestsEnabled: true },
      });
    });

    it("then blocks Route 53's checkers on /health (without the token, then): anyone's health checks come from those addresses, and theirs must not use up the throttle ours need", () => {
      expect(rule("health-checkers-without-token")).toEqual({
        name: "health-checkers-without-token",
        priority: 1,
        action: { block: {} },
        statement: { andStatement: { statements: [HEALTH_PATH_MATCH, fromCheckers()] } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "health-checkers-without-token", sampledRequestsEnabled: true },
      });
    });

    it("answers a source IP over the rate limit per 5 minutes with a 429 to retry, over every other request; by default above all a merchant's plan lets through (50/s for 300 s + a burst of 100)", () => {
      expect(rule("rate-per-ip")).toEqual({
        name: "rate-per-ip",
        priority: 3,
        action: RATE_LIMITED_ACTION,
        statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 20_000, evaluationWindowSec: 300 } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "rate-per-ip", sampledRequestsEnabled: true },
      });
    });

    it("matches the token whole, and only a token of letters and digits (nothing a regex or a URL would read otherwise)", () => {
      expect(wholeTokenPattern("aB3xY9")).toBe("^aB3xY9$");
      expect(() => wholeTokenPattern("a.b")).toThrow(/letters and digits/);
      expect(() => wholeTokenPattern("")).toThrow(/letters and digits/);
    });

    it("only counts them while a deployment upgrades (its health checks predate the token: blocking them before the global stack's update would fail the primary over)", async () => {
      const upgrading = await synthApi({ waf: { requireHealthCheckToken: false } });
      const counting = upgrading.one(WEB_ACL).inputs.rules.find((r: { name: string }) => r.name === "health-checkers-without-token");
      expect(counting.action).toEqual({ count: {} });
      expect(counting.statement).toEqual(rule("health-checkers-without-token").statement);
    });

    it("draws the token once, letters and digits only, and keeps it a secret: in its regex pattern set and in the output the global stack's health checks read", () => {
      expect(plan.outputs.healthCheckToken).toBe("[secret]");
      expect(plan.one("random:index/randomPassword:RandomPassword", "api-health-check-token").inputs).toEqual({ length: 32, special: false });
      expect(plan.one("aws:wafv2/regexPatternSet:RegexPatternSet").inputs).toEqual({
        name: `payments-dr-health-check-token-use1-${SUFFIX}`,
        description: "The token of our Route 53 health checks, query argument check",
        scope: "REGIONAL",
        regularExpressions: "[secret]",
      });
      expect(plan.one("aws:wafv2/regexPatternSet:RegexPatternSet").options.additionalSecretOutputs).toEqual(["regularExpressions"]);
      // The synth's fake password: nowhere in the plan.
      expect(plan.allStrings().join("\n")).not.toContain("synthFakePassword");
    });

    it("holds in its regex pattern set a pattern that matches the stack's own token whole, not a value that merely contains it", async () => {
      // The plan with secret inputs shown (never a synth file): the token, exported in the clear here.
      const revealed = await synthInRegion(
        ({ provider, namer }) => ({ token: pulumi.unsecret(new ServerlessApi("api", apiArgs(namer), { provider }).healthCheckToken) }),
        undefined,
        { revealSecrets: true },
      );
      const token: string = revealed.outputs.token;
      expect(token).toMatch(/^[A-Za-z0-9]+$/);
      const { "[secret]": expressions } = revealed.one("aws:wafv2/regexPatternSet:RegexPatternSet").inputs.regularExpressions;
      expect(expressions).toEqual([{ regexString: `^${token}$` }]);
      const pattern = new RegExp(expressions[0].regexString);
      expect(pattern.test(token)).toBe(true);
      for (const other of [`x${token}`, `${token}x`, `${token},${token}`]) expect(pattern.test(other)).toBe(false);
    });

    it("limits each source IP on /health apart, the checkers' addresses exempt (blocked above, or ours while an upgrade only counts them): a few IPs cannot drain its shared throttle and make Route 53 see the region fail", () => {
      expect(rule("health-rate-per-ip")).toEqual({
        name: "health-rate-per-ip",
        priority: 4,
        action: RATE_LIMITED_ACTION,
        statement: {
          rateBasedStatement: {
            aggregateKeyType: "IP",
            limit: 100,
            evaluationWindowSec: 300,
            scopeDownStatement: { andStatement: { statements: [HEALTH_PATH_MATCH, not(fromCheckers())] } },
          },
        },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "health-rate-per-ip", sampledRequestsEnabled: true },
      });
    });

    it("limits all other callers of /health together to a fifth of its throttle a minute, so that a flood spread over many addresses cannot fill it and fail our checks (allowed first): 50/s × 60 s × 0.2", () => {
      expect(rule("health-rate-all-callers")).toEqual({
        name: "health-rate-all-callers",
        priority: 5,
        action: RATE_LIMITED_ACTION,
        statement: {
          rateBasedStatement: {
            aggregateKeyType: "CONSTANT",
            limit: 600,
            evaluationWindowSec: 60,
            scopeDownStatement: { andStatement: { statements: [HEALTH_PATH_MATCH, not(fromCheckers())] } },
          },
        },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "health-rate-all-callers", sampledRequestsEnabled: true },
      });
      // The DR region's probe (6 a minute) and a few CLI calls stay far below it.
      expect(healthCallersLimitPerMinute({ rateLimit: 50, burstLimit: 100 })).toBeGreaterThan(6 * 10);
    });

    it("follows /health's throttle, and never goes below WAF's smallest limit", async () => {
      const slower = await synthApi({ healthThrottling: { rateLimit: 5, burstLimit: 10 } });
      const limitOf = (p: Plan) => p.one(WEB_ACL).inputs.rules.find((r: { name: string }) => r.name === "health-rate-all-callers").statement.rateBasedStatement.limit;
      expect(limitOf(slower)).toBe(60);
      expect(healthCallersLimitPerMinute({ rateLimit: 0.5, burstLimit: 1 })).toBe(10);
      // API Gateway's throttle may be fractional; WAF takes whole limits only.
      expect(healthCallersLimitPerMinute({ rateLimit: 1.05, burstLimit: 2 })).toBe(12);
    });

    it("knows Route 53's health checkers by their published IPv4 ranges, read from AWS at each update", () => {
      const lookup = jest.spyOn(aws, "getIpRangesOutput");
      return synthApi()
        .then((again) => {
          expect(lookup).toHaveBeenCalledWith({ services: ["route53_healthchecks"] }, expect.anything());
          expect(again.one("aws:wafv2/ipSet:IpSet").inputs).toEqual({
            name: `payments-dr-route53-checkers-use1-${SUFFIX}`,
            description: "Route 53 health checkers: on /health only with our health check token",
            scope: "REGIONAL",
            ipAddressVersion: "IPV4",
            // The synth's fake answer for the service's ranges.
            addresses: ["192.0.2.0/26", "198.51.100.0/26"],
          });
        })
        .finally(() => lookup.mockRestore());
    });

    it("blocks bodies over the size limit, and bodies too large for WAF to inspect", () => {
      expect(rule("max-body-size")).toMatchObject({
        priority: 6,
        action: { block: {} },
        statement: { sizeConstraintStatement: { fieldToMatch: { body: { oversizeHandling: "MATCH" } }, comparisonOperator: "GT", size: 8192 } },
      });
    });

    it("pitfall: a body limit under the largest valid payment → WAF answers 403 to payments the function accepts: the default holds the largest create body, escaped to ASCII as Python's json.dumps sends it", () => {
      const body = asciiJson(LARGEST_CREATE_BODY);
      expect(validateCreatePayment(JSON.parse(body))).toMatchObject({ ok: true });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(API_DEFAULTS.waf.maxBodyBytes);
    });

    it("applies AWS's common rule set, known bad inputs and IP reputation list as AWS set them, except the common set's fixed 8 KB body rule and its block of requests without a User-Agent (merchants' server-side clients often send none): both only count", () => {
      expect(rule("aws-common")).toMatchObject({
        priority: 7,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: "AWS",
            name: "AWSManagedRulesCommonRuleSet",
            ruleActionOverrides: [
              { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
              { name: "NoUserAgent_HEADER", actionToUse: { count: {} } },
            ],
          },
        },
      });
      expect(rule("aws-known-bad-inputs")).toMatchObject({
        priority: 8,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } },
      });
      expect(rule("aws-ip-reputation")).toMatchObject({
        priority: 2,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" } },
      });
      for (const name of ["aws-known-bad-inputs", "aws-ip-reputation"]) expect(rule(name).statement.managedRuleGroupStatement.ruleActionOverrides).toBeUndefined();
    });

    it("has metrics and sampled requests on every rule", () => {
      const rules = plan.one(WEB_ACL).inputs.rules;
      expect(rules).toHaveLength(9);
      for (const r of rules) expect(r.visibilityConfig).toEqual({ cloudwatchMetricsEnabled: true, metricName: r.name, sampledRequestsEnabled: true });
    });

    it("answers a rate limit with the problem's members as JSON: WAF's own answer, which API Gateway's gateway responses cannot reshape", () => {
      const [body] = plan.one(WEB_ACL).inputs.customResponseBodies;
      expect(body).toMatchObject({ key: "rate-limited", contentType: "APPLICATION_JSON" });
      expect(JSON.parse(body.content)).toEqual({
        type: "tag:payments-dr,2025:problems/rate-limited",
        title: "Too many requests",
        status: 429,
        detail: "Too many requests from this address. Slow down, then retry.",
      });
    });

    it("keeps the Authorization header (the merchant's secret key) and the health check token out of everything WAF stores, sampled requests included, not only out of its logs", () => {
      expect(plan.one(WEB_ACL).inputs.dataProtectionConfig).toEqual({
        dataProtections: [
          { field: { fieldType: "SINGLE_HEADER", fieldKeys: ["authorization"] }, action: "SUBSTITUTION" },
          { field: { fieldType: "SINGLE_QUERY_ARGUMENT", fieldKeys: ["check"] }, action: "SUBSTITUTION" },
        ],
      });
    });

    it("logs to a KMS-encrypted aws-waf-logs- group with retention, without the Authorization header (it carries the API key)", () => {
      const logGroup = plan.one(LOG_GROUP, "api-waf-logs");
      expect(logGroup.inputs).toEqual({ name: `aws-waf-logs-payments-dr-api-acl-use1-${SUFFIX}`, kmsKeyId: LOGS_KEY_ARN, retentionInDays: 30 });
      expect(plan.one(WEB_ACL_LOGGING).inputs).toEqual({
        resourceArn: plan.outputs.webAclArn,
        logDestinationConfigs: [`arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:${logGroup.inputs.name}`],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
      });
    });

    it("takes the rate limit and the body size limit from its arguments", async () => {
      const custom = await synthApi({ merchantLimits: { rateLimit: 10 }, waf: { rateLimitPer5Min: 3100, healthRateLimitPer5Min: 90, maxBodyBytes: 4096 } });
      const named = (name: string) => custom.one(WEB_ACL).inputs.rules.find((r: { name: string }) => r.name === name);
      expect(named("rate-per-ip").statement.rateBasedStatement.limit).toBe(3100);
      expect(named("health-rate-per-ip").statement.rateBasedStatement.limit).toBe(90);
      expect(named("max-body-size").statement.sizeConstraintStatement.size).toBe(4096);
    });

    it("guards the DR region's stage with the DR region's own web ACL and logs", async () => {
      const dr = await synthApi({ regionRole: "dr" }, "us-east-2");
      expect(dr.one(WEB_ACL).inputs.name).toBe(`payments-dr-api-acl-use2-${SUFFIX}`);
      expect(dr.one(WEB_ACL_ASSOCIATION).inputs.resourceArn).toBe(`arn:aws:apigateway:us-east-2::/restapis/${dr.outputs.apiId}/stages/v1`);
      expect(dr.one(LOG_GROUP, "api-waf-logs").inputs.name).toBe(`aws-waf-logs-payments-dr-api-acl-use2-${SUFFIX}`);
      expect(dr.one(USAGE_PLAN).inputs.name).toBe(`payments-dr-merchants-use2-${SUFFIX}`);
      for (const type of [WEB_ACL, WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING, USAGE_PLAN]) expect(dr.one(type).region).toBe("us-east-2");
    });
  });
});
