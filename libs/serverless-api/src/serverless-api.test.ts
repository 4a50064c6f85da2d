import { COMPLIANCE_TAGS } from "@payments-dr/conventions";
import { HANDLED_ROUTES } from "@payments-dr/payment-lambda";
import { FAKE_ACCOUNT_ID, type Plan } from "@payments-dr/synth";
import { ACCESS_LOG_FIELDS, accessLogFormat } from "./rest-api/access-log";
import { AUTHORIZER_IDENTITY_SOURCE, authorizerDefinition } from "./rest-api/authorizer";
import { definitionHash } from "./rest-api/definition-hash";
import { GATEWAY_PROBLEMS, gatewayResponseDefinition } from "./rest-api/gateway-problems";
import { HEALTH_ROUTE, PAYMENT_ROUTES } from "./rest-api/route-table";
import { routeDefinitions } from "./rest-api/routes";
import { regionalEndpoint } from "./regional-payments-api";
import { withApiDefaults } from "./api-args";
import { ServerlessApi } from "./serverless-api";
import { apiArgs, HEALTH_SECRET_NAME, LOGS_KEY_ARN, SECRET_NAME, SUFFIX, synthInRegion } from "./synth-fixture.testing";

const REST_API = "aws:apigateway/restApi:RestApi";
const RESOURCE = "aws:apigateway/resource:Resource";
const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const AUTHORIZER = "aws:apigateway/authorizer:Authorizer";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";
const GATEWAY_RESPONSE = "aws:apigateway/response:Response";
const SAMPLING_RULE = "aws:xray/samplingRule:SamplingRule";

function synthApi(overrides: Parameters<typeof apiArgs>[1] = {}): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const api = new ServerlessApi("api", apiArgs(namer, overrides), { provider });
    return {
      apiId: api.apiId,
      apiName: api.apiName,
      apiUrl: api.apiUrl,
      apiStage: api.apiStage,
      healthUrl: api.healthUrl,
      lambdaName: api.lambdaName,
      usagePlanId: api.usagePlanId,
      webAclArn: api.webAclArn,
    };
  });
}

describe("ServerlessApi", () => {
  let plan: Plan;
  let apiId: string;
  beforeAll(async () => {
    plan = await synthApi();
    apiId = plan.outputs.apiId;
  });

  it("is a regional REST API whose usage plan counts the usage key the authorizer returns", () => {
    expect(plan.one(REST_API).inputs).toMatchObject({ name: `payments-dr-api-use1-${SUFFIX}`, endpointConfiguration: { types: "REGIONAL" }, apiKeySource: "AUTHORIZER" });
    // The default endpoint would otherwise accept TLS 1.0 (and the custom domain negotiates with the API's policy).
    expect(plan.one(REST_API).inputs).toMatchObject({ securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "STRICT" });
  });

  it("has the resources /payments, /payments/{id} and /health", () => {
    const byName = Object.fromEntries(plan.ofType(RESOURCE).map((r) => [r.name, r.inputs]));
    expect(Object.keys(byName).sort()).toEqual(["api-path-health", "api-path-payments", "api-path-payments-id"]);
    expect(byName["api-path-payments"]).toMatchObject({ restApi: apiId, pathPart: "payments" });
    expect(byName["api-path-health"]).toMatchObject({ restApi: apiId, pathPart: "health" });
    expect(byName["api-path-payments-id"]).toMatchObject({ restApi: apiId, pathPart: "{id}" });
    expect(byName["api-path-payments"].parentId).toBe(byName["api-path-health"].parentId);
    // /payments and /health hang off the root; {id} off /payments.
    expect(byName["api-path-payments-id"].parentId).not.toBe(byName["api-path-payments"].parentId);
  });

  it("declares exactly the routes the payment handler serves: no route API Gateway would expose to a handler's 404, none the handler serves unreachable", () => {
    expect(PAYMENT_ROUTES.map((route) => `${route.httpMethod} ${route.path}`).sort()).toEqual([...HANDLED_ROUTES].sort());
  });

  it("has exactly POST /payments, GET /payments/{id} and GET /health, the payment routes proxied to the API function and /health to its own", () => {
    const methods = plan.ofType(METHOD);
    expect(methods.map((m) => `${m.inputs.httpMethod} ${m.name}`).sort()).toEqual(["GET api-get-health", "GET api-get-payments-id", "POST api-post-payments"]);
    for (const method of methods) expect(method.inputs.restApi).toBe(apiId);

    const invokeUri = (fnName: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${FAKE_ACCOUNT_ID}:function:${fnName}/invocations`;
    const targetOf: Record<string, string> = {
      "api-post-payments": plan.outputs.lambdaName,
      "api-get-payments-id": plan.outputs.lambdaName,
      "api-get-health": `payments-dr-health-use1-${SUFFIX}`,
    };
    const integrations = plan.ofType(INTEGRATION);
    expect(integrations).toHaveLength(3);
    for (const integration of integrations) {
      const methodName = integration.name.replace(/-integration$/, "");
      const method = plan.named(methodName);
      expect(integration.inputs).toMatchObject({
        restApi: apiId,
        resourceId: method.inputs.resourceId,
        httpMethod: method.inputs.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: invokeUri(targetOf[methodName]),
      });
    }
  });

  it("answers /health from a function of its own, so that payments using up the API function's concurrency never fail Route 53's checks", () => {
    const api = plan.one(FUNCTION, "api-function").inputs;
    const health = plan.one(FUNCTION, "api-health-function").inputs;
    // The same bundle, endpoints and role in the pair; its own reserved concurrency and database role.
    expect(health).toMatchObject({ name: `payments-dr-health-use1-${SUFFIX}`, code: api.code, handler: api.handler, runtime: api.runtime, vpcConfig: api.vpcConfig, reservedConcurrentExecutions: 5 });
    expect(api.reservedConcurrentExecutions).toBe(20);
    const { SESSIONS_TABLE, API_KEYS_TABLE, POWERTOOLS_SERVICE_NAME, ...apiDatabase } = api.environment.variables;
    expect([SESSIONS_TABLE, API_KEYS_TABLE, POWERTOOLS_SERVICE_NAME].every((v) => v !== undefined)).toBe(true);
    expect(apiDatabase.DB_SECRET_ID).toBe(SECRET_NAME);
    // The health role's secret: /health answers anyone, and its role reaches the heartbeat row only.
    expect(health.environment.variables).toEqual({ ...apiDatabase, DB_SECRET_ID: HEALTH_SECRET_NAME, POWERTOOLS_SERVICE_NAME: "payments-health" });
    // Its role reads that secret only, and nothing of DynamoDB.
    const policy = JSON.stringify(plan.one("aws:iam/rolePolicy:RolePolicy", "api-health-access").inputs.policy);
    expect(policy).toContain("secretsmanager:GetSecretValue");
    expect(policy).toContain(`:secret:${HEALTH_SECRET_NAME}-??????`);
    expect(policy).not.toContain(SECRET_NAME);
    expect(policy).not.toContain("dynamodb:");
  });

  it("takes the /health function's reserved concurrency from its argument, within bounds", async () => {
    const more = await synthApi({ healthReservedConcurrency: 8 });
    expect(more.one(FUNCTION, "api-health-function").inputs.reservedConcurrentExecutions).toBe(8);
    await expect(synthApi({ healthReservedConcurrency: 0 })).rejects.toThrow(/healthReservedConcurrency 0 must be an integer from 1 to 100/);
  });

  it("puts the Lambda authorizer and a usage plan key on both /payments methods, and neither on /health", () => {
    // Synth ids an authorizer by its name.
    const authorizerId = plan.one(AUTHORIZER).inputs.name;
    for (const name of ["api-post-payments", "api-get-payments-id"]) {
      expect(plan.named(name).inputs).toMatchObject({ authorization: "CUSTOM", authorizerId, apiKeyRequired: true });
    }
    const health = plan.named("api-get-health").inputs;
    expect(health).toMatchObject({ authorization: "NONE", apiKeyRequired: false });
    expect(health.authorizerId).toBeUndefined();
  });

  it("authorizes with a REQUEST authorizer on the Authorization header, cached 60 s, backed by its own function", () => {
    const authorizerFunction = plan.one(FUNCTION, "api-authorizer-function").inputs;
    expect(authorizerFunction).toMatchObject({ name: `payments-dr-authorizer-use1-${SUFFIX}`, code: { archive: { path: "/nonexistent/dist/libs/payment-lambda/authorizer" } } });
    expect(plan.one(AUTHORIZER).inputs).toEqual({
      restApi: apiId,
      name: `payments-dr-authorizer-use1-${SUFFIX}`,
      type: "REQUEST",
      identitySource: "method.request.header.Authorization",
      authorizerResultTtlInSeconds: 60,
      authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${FAKE_ACCOUNT_ID}:function:${authorizerFunction.name}/invocations`,
    });
    expect(AUTHORIZER_IDENTITY_SOURCE).toBe("method.request.header.Authorization");
  });

  it("lets only this API's authorizers invoke the authorizer function", () => {
    expect(plan.one(PERMISSION, "api-authorizer-permission").inputs).toEqual({
      function: `payments-dr-authorizer-use1-${SUFFIX}`,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:us-east-1:${FAKE_ACCOUNT_ID}:${apiId}/authorizers/*`,
    });
  });

  it("lets API Gateway invoke the function from this API's stage only, and the /health function from GET /health only", () => {
    expect(plan.one(PERMISSION, "api-invoke-permission").inputs).toMatchObject({
      function: plan.outputs.lambdaName,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:us-east-1:${FAKE_ACCOUNT_ID}:${apiId}/v1/*`,
    });
    expect(plan.one(PERMISSION, "api-health-invoke-permission").inputs).toEqual({
      function: `payments-dr-health-use1-${SUFFIX}`,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:us-east-1:${FAKE_ACCOUNT_ID}:${apiId}/v1/GET/health`,
    });
  });

  it("redeploys when a route, the authorizer or a gateway response changes: the deployment's triggers hash each", () => {
    const triggers = plan.one(DEPLOYMENT).inputs.triggers;
    const targets = {
      functionInvokeArn: plan.named("api-post-payments-integration").inputs.uri,
      healthFunctionInvokeArn: plan.named("api-get-health-integration").inputs.uri,
      authorizerId: plan.one(AUTHORIZER).inputs.name,
    };
    const authorizerUri = plan.one(AUTHORIZER).inputs.authorizerUri;
    expect(triggers).toEqual({
      routes: definitionHash(routeDefinitions(PAYMENT_ROUTES, targets)),
      authorizer: definitionHash(authorizerDefinition(authorizerUri, 60)),
      gatewayResponses: definitionHash(GATEWAY_PROBLEMS.map(gatewayResponseDefinition)),
      // A changed TLS policy takes effect only with a new deployment.
      tls: JSON.stringify({ securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06", endpointAccessMode: "STRICT" }),
    });
    expect(definitionHash(routeDefinitions(PAYMENT_ROUTES, { ...targets, functionInvokeArn: `${targets.functionInvokeArn}x` }))).not.toBe(triggers.routes);
    expect(definitionHash(routeDefinitions(PAYMENT_ROUTES, { ...targets, healthFunctionInvokeArn: `${targets.healthFunctionInvokeArn}x` }))).not.toBe(triggers.routes);
    expect(definitionHash(routeDefinitions(PAYMENT_ROUTES.slice(0, 2), targets))).not.toBe(triggers.routes);
    expect(definitionHash(routeDefinitions(PAYMENT_ROUTES, { ...targets, authorizerId: "other" }))).not.toBe(triggers.routes);
    const [unauthorized, ...others] = GATEWAY_PROBLEMS;
    const changedResponses = [{ ...unauthorized, detail: "Another text." }, ...others].map(gatewayResponseDefinition);
    expect(definitionHash(changedResponses)).not.toBe(triggers.gatewayResponses);
  });

  it("redeploys when the authorizer's cache TTL changes, and only its trigger changes", async () => {
    const shorter = await synthApi({ authorizer: { code: "/nonexistent/dist/libs/payment-lambda/authorizer", cacheTtlSeconds: 30 } });
    expect(shorter.one(AUTHORIZER).inputs.authorizerResultTtlInSeconds).toBe(30);
    const before = plan.one(DEPLOYMENT).inputs.triggers;
    const after = shorter.one(DEPLOYMENT).inputs.triggers;
    expect(after.authorizer).not.toBe(before.authorizer);
    expect({ ...after, authorizer: undefined }).toEqual({ ...before, authorizer: undefined });
  });

  it("deploys after every method, integration, the authorizer, the gateway responses and the functions' invoke permissions (the authorizer's too), and creates a replacement before deleting the old one", () => {
    const options = plan.one(DEPLOYMENT).options;
    const permissions = [plan.one(PERMISSION, "api-invoke-permission"), plan.one(PERMISSION, "api-health-invoke-permission"), plan.one(PERMISSION, "api-authorizer-permission")];
    const snapshotted = [...plan.ofType(RESOURCE), ...plan.ofType(METHOD), ...plan.ofType(INTEGRATION), plan.one(AUTHORIZER), ...plan.ofType(GATEWAY_RESPONSE), ...permissions];
    expect(plan.ofType(GATEWAY_RESPONSE)).toHaveLength(GATEWAY_PROBLEMS.length);
    expect([...(options.dependsOn ?? [])].sort()).toEqual(snapshotted.map((r) => r.name).sort());
    expect(options.deleteBeforeReplace).toBe(false);
  });

  it("serves a traced stage whose access log is one JSON object per request in a KMS-encrypted log group", () => {
    const stage = plan.one(STAGE);
    const accessLogs = plan.one(LOG_GROUP, "api-access-logs");
    expect(accessLogs.inputs).toEqual({ name: `payments-dr-api-access-use1-${SUFFIX}`, kmsKeyId: LOGS_KEY_ARN, retentionInDays: 30 });
    expect(stage.inputs).toMatchObject({
      restApi: apiId,
      deployment: expect.any(String),
      stageName: "v1",
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: `arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:payments-dr-api-access-use1-${SUFFIX}`, format: accessLogFormat() },
    });
    expect(stage.options.dependsOn).toEqual(["api-apigw-account"]);
  });

  it("pitfall: traces no GET /health of its stage, whose URL carries the health check token (API Gateway's traces keep the query string), and leaves the payment routes' sampling alone", () => {
    const stage = plan.one(STAGE).inputs;
    const rule = plan.one(SAMPLING_RULE).inputs;
    expect(rule).toEqual({
      ruleName: `payments-dr-health-use1-${SUFFIX}`,
      priority: 1,
      version: 1,
      reservoirSize: 0,
      fixedRate: 0,
      serviceType: "AWS::ApiGateway::Stage",
      serviceName: `${plan.one(REST_API).inputs.name}/v1`,
      resourceArn: `arn:aws:apigateway:us-east-1::/restapis/${stage.restApi}/stages/v1`,
      host: "*",
      httpMethod: "GET",
      urlPath: "*/health*",
    });
    // The X-Ray sampling wildcards (* any run, ? one character) against the paths API Gateway sees.
    const matches = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(value);
    expect(["/v1/health", "/health", "/v1/health?check=t0k3n", "/health?check=t0k3n"].map((path) => matches(rule.urlPath, path))).toEqual([true, true, true, true]);
    const others = PAYMENT_ROUTES.filter((route) => route !== HEALTH_ROUTE);
    expect(others.length).toBeGreaterThan(0);
    expect(others.map((route) => matches(rule.urlPath, `/v1${route.path.replace("{id}", "9b2f")}`) && rule.httpMethod === route.httpMethod)).not.toContain(true);
  });

  it("logs requestId, ip, requestTime, httpMethod, resourcePath, status, protocol, responseLength, integrationLatency and errorType as valid JSON", () => {
    const format = plan.one(STAGE).inputs.accessLogSettings.format;
    expect(format).not.toContain("\n");
    // What API Gateway writes: each $context variable replaced by its value, JSON-escaped, and by a
    // bare - when it has none (every request without an error has no error type).
    const written = (errorType: string) => format.replace("$context.error.responseType", errorType).replace(/\$context\.[A-Za-z.]+/g, "-");
    expect(JSON.parse(written("-")).errorType).toBe("-");
    const line = written("MISSING_AUTHENTICATION_TOKEN");
    expect(Object.keys(JSON.parse(line))).toEqual([
      "requestId",
      "ip",
      "requestTime",
      "httpMethod",
      "resourcePath",
      "status",
      "protocol",
      "responseLength",
      "integrationLatency",
      "errorType",
    ]);
    expect(JSON.parse(line).errorType).toBe("MISSING_AUTHENTICATION_TOKEN");
    expect(ACCESS_LOG_FIELDS.ip).toBe('"$context.identity.sourceIp"');
  });

  it("never logs API Gateway's error message: for an undeclared path or method it quotes the caller's Authorization header, the merchant's API key", () => {
    const format: string = plan.one(STAGE).inputs.accessLogSettings.format;
    expect(format).toContain("$context.error.responseType");
    expect(format).not.toMatch(/\$context\.error\.message/);
  });

  it("writes every $context variable of the access log inside a JSON string: API Gateway writes a bare - for one without a value, which is JSON only between quotes", () => {
    const format: string = plan.one(STAGE).inputs.accessLogSettings.format;
    const variables = format.match(/\$context\.[A-Za-z.]+/g) ?? [];
    expect(variables).toHaveLength(Object.keys(ACCESS_LOG_FIELDS).length);
    for (const variable of variables) expect(format).toContain(`"${variable}"`);
  });

  it("logs each field from its own $context variable: the requestId a problem body carries, the status the client got", () => {
    expect(ACCESS_LOG_FIELDS).toEqual({
      // The id the gateway responses put in their problem bodies (and the function logs): a client's requestId finds its line.
      requestId: '"$context.requestId"',
      ip: '"$context.identity.sourceIp"',
      requestTime: '"$context.requestTime"',
      httpMethod: '"$context.httpMethod"',
      resourcePath: '"$context.resourcePath"',
      // The status API Gateway answered, also for requests the authorizer, WAF or a throttle ended (no integration status then).
      status: '"$context.status"',
      protocol: '"$context.protocol"',
      responseLength: '"$context.responseLength"',
      integrationLatency: '"$context.integrationLatency"',
      // The gateway response type, not the message (which can quote the Authorization header); - without an error.
      errorType: '"$context.error.responseType"',
    });
    for (const problem of GATEWAY_PROBLEMS) {
      expect(gatewayResponseDefinition(problem).responseTemplates["application/json"]).toContain(ACCESS_LOG_FIELDS.requestId);
    }
  });

  it("throttles every method of the stage, with metrics and error logs but no data trace (it would log payment bodies)", () => {
    const settings = plan.one(METHOD_SETTINGS, "api-method-settings");
    expect(settings.inputs).toEqual({
      restApi: apiId,
      stageName: "v1",
      methodPath: "*/*",
      settings: { throttlingRateLimit: 100, throttlingBurstLimit: 200, metricsEnabled: true, loggingLevel: "ERROR", dataTraceEnabled: false },
    });
    expect(settings.options.dependsOn).toEqual(["api-apigw-account", "api-execution-logs"]);
  });

  it("creates the execution log group API Gateway writes to, so it is encrypted and expires", () => {
    expect(plan.one(LOG_GROUP, "api-execution-logs").inputs).toEqual({ name: `API-Gateway-Execution-Logs_${apiId}/v1`, kmsKeyId: LOGS_KEY_ARN, retentionInDays: 30 });
  });

  it("sets the region's API Gateway CloudWatch Logs role (a per-region account singleton) with the managed push policy", () => {
    const account = plan.one("aws:apigateway/account:Account");
    const role = plan.one("aws:iam/role:Role", "api-apigw-logs-role");
    expect(role.inputs.name).toBe(`payments-dr-apigw-logs-use1-${SUFFIX}`);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      // No aws:SourceAccount condition: API Gateway is not known to send it for this role, and a denied assume fails every stage.
      { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs).toEqual({
      role: role.inputs.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
    expect(account.inputs.cloudwatchRoleArn).toBe(`arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-apigw-logs-use1-${SUFFIX}`);
    expect(account.options.dependsOn).toEqual(["api-apigw-logs-policy"]);
  });

  it("exports the stage's invoke URL, its /health, the stage, the function, the usage plan and the web ACL, and no domain target without a domain", () => {
    expect(plan.outputs).toEqual({
      apiId,
      apiName: `payments-dr-api-use1-${SUFFIX}`,
      apiUrl: `https://${apiId}.execute-api.us-east-1.amazonaws.com/v1`,
      apiStage: "v1",
      healthUrl: `https://${apiId}.execute-api.us-east-1.amazonaws.com/v1/health`,
      lambdaName: `payments-dr-api-use1-${SUFFIX}`,
      usagePlanId: `payments-dr-merchants-use1-${SUFFIX}`,
      webAclArn: expect.stringMatching(/^arn:aws:wafv2:us-east-1:/),
    });
  });

  it("puts the environment suffix in every name it chooses", () => {
    const chosen = plan.resources
      .filter((r) => r.custom && r.type.startsWith("aws:") && typeof r.inputs.name === "string")
      // API Gateway fixes the execution log group's name to API-Gateway-Execution-Logs_<api id>/<stage>.
      .filter((r) => r.name !== "api-execution-logs");
    expect(chosen.length).toBeGreaterThanOrEqual(7);
    for (const resource of chosen) expect(resource.inputs.name).toMatch(new RegExp(`-${SUFFIX}$`));
  });

  it("parents every resource to the component, its AWS resources in the component's region", () => {
    const children = plan.resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws");
    expect(children.length).toBeGreaterThan(20);
    for (const child of children) expect(child.parent).toBe("api");
    // The health check token is drawn by the random provider, which has no region.
    expect(children.filter((r) => !r.type.startsWith("aws:")).map((r) => r.type)).toEqual(["random:index/randomPassword:RandomPassword"]);
    for (const child of children.filter((r) => r.type.startsWith("aws:"))) expect(child).toMatchObject({ provider: "us-east-1", region: "us-east-1" });
    expect(plan.one("payments-dr:serverless-api:ServerlessApi")).toMatchObject({ name: "api", parent: null });
  });

  it("leaves tags to the provider's default tags", () => {
    const resources = plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(resources.length).toBeGreaterThan(10);
    for (const resource of resources) {
      expect(resource.inputs.tags).toBeUndefined();
      expect(plan.defaultTagsOf(resource)).toMatchObject({ ...COMPLIANCE_TAGS, EnvironmentSuffix: SUFFIX });
    }
  });

  it("applies the stage name and throttling it is given", async () => {
    const custom = await synthApi({ stageName: "live", throttling: { rateLimit: 50 } });
    expect(custom.one(METHOD_SETTINGS, "api-method-settings").inputs.settings).toMatchObject({ throttlingRateLimit: 50, throttlingBurstLimit: 200 });
    expect(custom.outputs.apiUrl).toMatch(/\/live$/);
    expect(custom.one(PERMISSION, "api-invoke-permission").inputs.sourceArn).toMatch(/\/live\/\*$/);
  });
});

describe("withApiDefaults", () => {
  const base = apiArgs(undefined as never);

  it("applies the documented defaults in one place", () => {
    expect(withApiDefaults("api", base)).toMatchObject({
      healthReservedConcurrency: 5,
      memoryMb: 512,
      timeoutSeconds: 10,
      stageName: "v1",
      logLevel: "INFO",
      databaseTimeouts: { connectTimeoutMs: 3000, statementTimeoutMs: 5000 },
      authorizer: { code: base.authorizer.code, cacheTtlSeconds: 60 },
      throttling: { rateLimit: 100, burstLimit: 200 },
      healthThrottling: { rateLimit: 50, burstLimit: 100 },
      merchantLimits: { rateLimit: 50, burstLimit: 100, dailyQuota: 100_000 },
      waf: { rateLimitPer5Min: 20_000, healthRateLimitPer5Min: 100, maxBodyBytes: 8192, requireHealthCheckToken: true },
    });
  });

  it.each([
    [{ stageName: "v 1" }, /stageName "v 1" may hold only letters/],
    [{ throttling: { rateLimit: 0 } }, /throttling.rateLimit 0 must be a positive number/],
    [{ throttling: { burstLimit: 0 } }, /throttling.burstLimit 0 must be an integer from 1/],
    [{ memoryMb: 64 }, /memoryMb 64 must be an integer from 128 to 10240/],
    [{ authorizer: { code: "x", cacheTtlSeconds: 3601 } }, /authorizer.cacheTtlSeconds 3601 must be an integer from 0 to 3600: API Gateway's limit/],
    [{ healthThrottling: { rateLimit: -1 } }, /healthThrottling.rateLimit -1 must be a positive number/],
    [{ merchantLimits: { burstLimit: 0 } }, /merchantLimits.burstLimit 0 must be an integer from 1 to 5000/],
    [{ merchantLimits: { dailyQuota: 0.5 } }, /merchantLimits.dailyQuota 0.5 must be an integer from 1/],
    [{ merchantLimits: { rateLimit: 1, burstLimit: 1 }, waf: { rateLimitPer5Min: 5 } }, /waf.rateLimitPer5Min 5 must be an integer from 301 to 2000000000: AWS WAF's bounds/],
    [{ waf: { rateLimitPer5Min: 15_000 } }, /waf.rateLimitPer5Min 15000 must be an integer from 15100 to 2000000000: .*merchant within its usage plan must never be blocked/],
    [{ waf: { healthRateLimitPer5Min: 30 } }, /waf.healthRateLimitPer5Min 30 must be an integer from 60 to 2000000000: the DR region's probe of the primary's \/health calls up to 30 times in 5 minutes \(every 10 s\)/],
    [{ waf: { maxBodyBytes: 20_000 } }, /waf.maxBodyBytes 20000 must be an integer from 1 to 16384: WAF inspects at most the first 16 KB/],
  ])("rejects %j", (overrides, message) => {
    expect(() => withApiDefaults("api", { ...base, ...overrides })).toThrow(message);
  });
});

describe("regionalEndpoint", () => {
  const cluster = { clusterEndpoint: "db.cluster-abc.us-east-2.rds.amazonaws.com", readerEndpoint: "db.cluster-ro-abc.us-east-2.rds.amazonaws.com" };

  it("is the cluster endpoint in the primary region: its /health must reach the writer", () => {
    expect(regionalEndpoint("primary", cluster)).toBe(cluster.clusterEndpoint);
  });

  it("is the reader endpoint in the DR region: a secondary's cluster endpoint is inactive, and a /health probing it would never let Route 53 fail over", () => {
    expect(regionalEndpoint("dr", cluster)).toBe(cluster.readerEndpoint);
  });
});

