import { COMPLIANCE_TAGS } from "@payments-dr/conventions";
import { FAKE_ACCOUNT_ID, type Plan } from "@payments-dr/synth";
import { ACCESS_LOG_FIELDS, accessLogFormat } from "./access-log";
import { PAYMENT_ROUTES, routeDefinitions, routesHash } from "./routes";
import { ServerlessApi, withApiDefaults } from "./serverless-api";
import { apiArgs, LOGS_KEY_ARN, SUFFIX, synthInRegion } from "./synth-fixture.testing";


const REST_API = "aws:apigateway/restApi:RestApi";
const RESOURCE = "aws:apigateway/resource:Resource";
const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

function synthApi(overrides: Parameters<typeof apiArgs>[1] = {}): Promise<Plan> {
  return synthInRegion(({ provider, namer }) => {
    const api = new ServerlessApi("api", apiArgs(namer, overrides), { provider });
    return { apiId: api.apiId, apiName: api.apiName, apiUrl: api.apiUrl, apiStage: api.apiStage, healthUrl: api.healthUrl, lambdaName: api.lambdaName };
  });
}

describe("ServerlessApi", () => {
  let plan: Plan;
  let apiId: string;
  beforeAll(async () => {
    plan = await synthApi();
    apiId = plan.outputs.apiId;
  });

  it("is a regional REST API", () => {
    expect(plan.one(REST_API).inputs).toMatchObject({ name: `payments-dr-api-use1-${SUFFIX}`, endpointConfiguration: { types: "REGIONAL" } });
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

  it("has exactly POST /payments, GET /payments/{id} and GET /health, each proxied to the function", () => {
    const methods = plan.ofType(METHOD);
    expect(methods.map((m) => `${m.inputs.httpMethod} ${m.name}`).sort()).toEqual(["GET api-get-health", "GET api-get-payments-id", "POST api-post-payments"]);
    for (const method of methods) expect(method.inputs).toMatchObject({ restApi: apiId, authorization: "NONE" });

    const fnName = plan.outputs.lambdaName;
    const integrations = plan.ofType(INTEGRATION);
    expect(integrations).toHaveLength(3);
    for (const integration of integrations) {
      const method = plan.named(integration.name.replace(/-integration$/, ""));
      expect(integration.inputs).toMatchObject({
        restApi: apiId,
        resourceId: method.inputs.resourceId,
        httpMethod: method.inputs.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${FAKE_ACCOUNT_ID}:function:${fnName}/invocations`,
      });
    }
  });

  it("lets API Gateway invoke the function from this API's stage only", () => {
    expect(plan.one("aws:lambda/permission:Permission").inputs).toMatchObject({
      function: plan.outputs.lambdaName,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:us-east-1:${FAKE_ACCOUNT_ID}:${apiId}/v1/*`,
    });
  });

  it("redeploys when a route or integration changes: the deployment's trigger is the hash of the route definitions", () => {
    const deployment = plan.one(DEPLOYMENT);
    const invokeArn = plan.ofType(INTEGRATION)[0].inputs.uri;
    expect(deployment.inputs.triggers).toEqual({ routes: routesHash(routeDefinitions(PAYMENT_ROUTES, invokeArn)) });
    expect(routesHash(routeDefinitions(PAYMENT_ROUTES, `${invokeArn}x`))).not.toBe(deployment.inputs.triggers.routes);
    expect(routesHash(routeDefinitions(PAYMENT_ROUTES.slice(0, 2), invokeArn))).not.toBe(deployment.inputs.triggers.routes);
  });

  it("deploys after every method and integration, and creates a replacement deployment before deleting the old one", () => {
    const options = plan.one(DEPLOYMENT).options;
    const routeResources = [...plan.ofType(RESOURCE), ...plan.ofType(METHOD), ...plan.ofType(INTEGRATION)].map((r) => r.name);
    expect([...(options.dependsOn ?? [])].sort()).toEqual(routeResources.sort());
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

  it("logs requestId, ip, requestTime, httpMethod, resourcePath, status, protocol, responseLength, integrationLatency and errorMessage as valid JSON", () => {
    const format = plan.one(STAGE).inputs.accessLogSettings.format;
    expect(format).not.toContain("\n");
    // What API Gateway writes: each $context variable replaced by its value (messageString comes quoted).
    const line = format.replace("$context.error.messageString", JSON.stringify('Internal "server" error')).replace(/\$context\.[A-Za-z.]+/g, "x");
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
      "errorMessage",
    ]);
    expect(JSON.parse(line).errorMessage).toBe('Internal "server" error');
    expect(ACCESS_LOG_FIELDS.ip).toBe('"$context.identity.sourceIp"');
  });

  it("throttles every method of the stage, with metrics and error logs but no data trace (it would log payment bodies)", () => {
    const settings = plan.one(METHOD_SETTINGS);
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
      { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": FAKE_ACCOUNT_ID } } },
    ]);
    expect(plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs).toEqual({
      role: role.inputs.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
    expect(account.inputs.cloudwatchRoleArn).toBe(`arn:aws:iam::${FAKE_ACCOUNT_ID}:role/payments-dr-apigw-logs-use1-${SUFFIX}`);
    expect(account.options.dependsOn).toEqual(["api-apigw-logs-policy"]);
  });

  it("exports the stage's invoke URL, its /health, the stage and the function, and no domain target without a domain", () => {
    expect(plan.outputs).toEqual({
      apiId,
      apiName: `payments-dr-api-use1-${SUFFIX}`,
      apiUrl: `https://${apiId}.execute-api.us-east-1.amazonaws.com/v1`,
      apiStage: "v1",
      healthUrl: `https://${apiId}.execute-api.us-east-1.amazonaws.com/v1/health`,
      lambdaName: `payments-dr-api-use1-${SUFFIX}`,
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

  it("parents every resource to the component, in the component's region", () => {
    const children = plan.resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws");
    expect(children.length).toBeGreaterThan(20);
    for (const child of children) expect(child).toMatchObject({ parent: "api", provider: "us-east-1", region: "us-east-1" });
    expect(plan.one("payments-dr:serverless-api:ServerlessApi")).toMatchObject({ name: "api", parent: null });
  });

  it("leaves tags to the provider's default tags", () => {
    for (const resource of plan.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(resource.inputs.tags).toBeUndefined();
      expect(plan.defaultTagsOf(resource)).toMatchObject({ ...COMPLIANCE_TAGS, EnvironmentSuffix: SUFFIX });
    }
  });

  it("applies the stage name and throttling it is given", async () => {
    const custom = await synthApi({ stageName: "live", throttling: { rateLimit: 50 } });
    expect(custom.one(METHOD_SETTINGS).inputs.settings).toMatchObject({ throttlingRateLimit: 50, throttlingBurstLimit: 200 });
    expect(custom.outputs.apiUrl).toMatch(/\/live$/);
    expect(custom.one("aws:lambda/permission:Permission").inputs.sourceArn).toMatch(/\/live\/\*$/);
  });
});

describe("withApiDefaults", () => {
  const base = apiArgs(undefined as never);

  it("applies the documented defaults in one place", () => {
    expect(withApiDefaults("api", base)).toMatchObject({
      memoryMb: 512,
      timeoutSeconds: 10,
      stageName: "v1",
      logLevel: "INFO",
      databaseTimeouts: { connectTimeoutMs: 3000, statementTimeoutMs: 5000 },
      throttling: { rateLimit: 100, burstLimit: 200 },
    });
  });

  it.each([
    [{ stageName: "v 1" }, /stageName "v 1" may hold only letters/],
    [{ throttling: { rateLimit: 0 } }, /throttling.rateLimit 0 must be a positive number/],
    [{ throttling: { burstLimit: 0 } }, /throttling.burstLimit 0 must be an integer from 1/],
    [{ memoryMb: 64 }, /memoryMb 64 must be an integer from 128 to 10240/],
  ])("rejects %j", (overrides, message) => {
    expect(() => withApiDefaults("api", { ...base, ...overrides })).toThrow(message);
  });
});
