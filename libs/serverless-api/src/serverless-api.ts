import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { accessLogFormat } from "./rest-api/access-log";
import { withApiDefaults, type ServerlessApiArgs } from "./api-args";
import { apiGatewayAccountLogging } from "./rest-api/api-gateway-account";
import { createMerchantAuthorizer } from "./rest-api/authorizer";
import { createCustomDomain } from "./edge/custom-domain";
import { functionEnvironment } from "./functions/environment";
import { createGatewayResponses } from "./rest-api/gateway-responses";
import { createHealthTraceSampling } from "./rest-api/health-trace-sampling";
import { allowApiGatewayInvoke } from "./rest-api/invoke-permission";
import { createMethodSettings } from "./rest-api/method-settings";
import { deploymentOptions, stageOptions } from "./options";
import { HEALTH_PATH } from "@payments-dr/conventions/values";
import { HEALTH_ROUTE, PAYMENT_ROUTES } from "./rest-api/route-table";
import { createRoutes } from "./rest-api/routes";
import { createUsagePlan } from "./rest-api/usage-plan";
import type { ValidationRecord } from "./edge/validation-record";
import { createVpcFunction } from "./functions/vpc-function";
import { createWebAcl } from "./edge/web-acl";
import { API_TLS } from "./edge/tls-policy";

/**
 * The regional payments API: the function in the VPC behind a regional REST API whose payment
 * routes need a merchant's API key (a Lambda authorizer reading this region's keys table), with
 * a throttled, traced and access-logged stage, per-merchant limits, a WAF web ACL, problem+json
 * gateway responses, and the custom domain when one is set.
 */
export class ServerlessApi extends pulumi.ComponentResource {
  readonly apiId: pulumi.Output<string>;
  /** The REST API's name: the `ApiName` dimension of its CloudWatch metrics. */
  readonly apiName: pulumi.Output<string>;
  /** The stage's invoke URL, `https://<id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly apiUrl: pulumi.Output<string>;
  readonly apiStage: pulumi.Output<string>;
  /** `apiUrl` + `/health`: the region's health, for anyone (the DR CLI, the other region's probe). */
  readonly healthUrl: pulumi.Output<string>;
  /**
   * The token (a secret) this region's Route 53 health check must carry in its query: WAF blocks
   * Route 53's checkers on `/health` without it (edge/web-acl.ts).
   */
  readonly healthCheckToken: pulumi.Output<string>;
  readonly lambdaName: pulumi.Output<string>;
  /** The function that answers `/health`. */
  readonly healthLambdaName: pulumi.Output<string>;
  /** With a domain: this region's certificate of it, whose expiry the regional alarms watch. */
  readonly certificateArn?: pulumi.Output<string>;
  /** The per-merchant usage plan: the keys CLI adds each merchant's usage key to it. */
  readonly usagePlanId: pulumi.Output<string>;
  /** The WAF web ACL guarding the stage. */
  readonly webAclArn: pulumi.Output<string>;
  /**
   * With a domain: the custom domain's regional endpoint, the target of the Route 53 failover
   * alias records. Never the `execute-api` hostname (DESIGN §10).
   */
  readonly customDomainTarget?: pulumi.Output<string>;
  /** With a domain: the hosted zone of {@link customDomainTarget}, for the alias records. */
  readonly customDomainZoneId?: pulumi.Output<string>;
  /** With a domain: the name it serves, which the failover records must carry. */
  readonly customDomainName?: string;
  /** With a domain whose validation record this stack owns: that record, for the other region's stack to check. */
  readonly certificateValidationRecord?: pulumi.Output<ValidationRecord>;

  constructor(name: string, args: ServerlessApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:serverless-api:ServerlessApi", name, {}, opts);
    const settings = withApiDefaults(name, args);
    const { namer, stageName, logs } = settings;

    const fn = createVpcFunction(
      name,
      {
        namer,
        role: "api",
        code: settings.code,
        network: settings.network,
        logs,
        memoryMb: settings.memoryMb,
        timeoutSeconds: settings.timeoutSeconds,
        reservedConcurrency: settings.reservedConcurrency,
        environment: functionEnvironment({
          regionRole: settings.regionRole,
          database: settings.database,
          timeouts: settings.databaseTimeouts,
          sessionsTableName: settings.sessions?.tableName,
          apiKeysTableName: settings.apiKeys.tableName,
          serviceName: "payments-api",
          logLevel: settings.logLevel,
        }),
        access: {
          secretName: settings.database.secretName,
          kmsKeyArns: settings.kmsKeyArns,
          sessionsTableName: settings.sessions?.tableName,
          apiKeysUsageTable: settings.apiKeys.tableName,
        },
      },
      this,
    );

    // /health on a function of its own: a surge of payments that uses up the API function's
    // concurrency would otherwise throttle Route 53's checks and fail DNS over to a region whose
    // database cannot take writes yet. Same bundle and endpoints, no DynamoDB, and a database role
    // of its own that reaches the heartbeat row only: /health answers anyone.
    const { healthSecretName, ...apiDatabase } = settings.database;
    const healthDatabase = { ...apiDatabase, secretName: healthSecretName };
    const healthFn = createVpcFunction(
      `${name}-health`,
      {
        namer,
        role: "health",
        code: settings.code,
        network: settings.network,
        logs,
        memoryMb: settings.memoryMb,
        timeoutSeconds: settings.timeoutSeconds,
        reservedConcurrency: settings.healthReservedConcurrency,
        environment: functionEnvironment({
          regionRole: settings.regionRole,
          database: healthDatabase,
          timeouts: settings.databaseTimeouts,
          serviceName: "payments-health",
          logLevel: settings.logLevel,
        }),
        access: { secretName: healthSecretName, kmsKeyArns: settings.kmsKeyArns },
      },
      this,
    );

    const api = new aws.apigateway.RestApi(
      `${name}-rest-api`,
      {
        name: namer.regional("display", "api"),
        description: "payments-dr payments API",
        endpointConfiguration: { types: "REGIONAL" },
        ...API_TLS,
        // The usage plan counts each request against the usage key the authorizer returns.
        apiKeySource: "AUTHORIZER",
      },
      { parent: this },
    );
    const authorizer = createMerchantAuthorizer(name, {
      namer,
      api,
      code: settings.authorizer.code,
      cacheTtlSeconds: settings.authorizer.cacheTtlSeconds,
      apiKeysTableName: settings.apiKeys.tableName,
      kmsKeyArns: settings.kmsKeyArns,
      network: { subnetIds: settings.network.subnetIds, securityGroupId: settings.network.authorizerSecurityGroupId },
      logs,
      reservedConcurrency: settings.reservedConcurrency,
      logLevel: settings.logLevel,
      parent: this,
    });
    const targets = pulumi
      .all([fn.invokeArn, healthFn.invokeArn, authorizer.authorizer.id])
      .apply(([functionInvokeArn, healthFunctionInvokeArn, authorizerId]) => ({ functionInvokeArn, healthFunctionInvokeArn, authorizerId }));
    const routes = createRoutes(name, { api, routes: PAYMENT_ROUTES, targets, parent: this });
    const responses = createGatewayResponses(name, { api, parent: this });
    // Every route of this API's stage; the /health function from its one route.
    const invokePermission = allowApiGatewayInvoke(`${name}-invoke-permission`, fn, pulumi.interpolate`${api.executionArn}/${stageName}/*`, this);
    const healthInvokePermission = allowApiGatewayInvoke(
      `${name}-health-invoke-permission`,
      healthFn,
      pulumi.interpolate`${api.executionArn}/${stageName}/${HEALTH_ROUTE.httpMethod}${HEALTH_PATH}`,
      this,
    );
    const deployment = new aws.apigateway.Deployment(
      `${name}-deployment`,
      {
        restApi: api.id,
        description: "payments-dr payments API",
        // The TLS policy too: API Gateway applies a changed security policy on the next deployment.
        triggers: { routes: routes.hash, authorizer: authorizer.hash, gatewayResponses: responses.hash, tls: JSON.stringify(API_TLS) },
      },
      // The permissions too: a stage serving a route before API Gateway may invoke its function answers 500.
      deploymentOptions(this, [...routes.resources, authorizer.authorizer, ...responses.resources, invokePermission, healthInvokePermission, authorizer.invokePermission]),
    );

    const account = apiGatewayAccountLogging(name, { namer, parent: this });
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: namer.regional("logGroup", "api-access"), kmsKeyId: logs.kmsKeyArn, retentionInDays: logs.retentionDays },
      { parent: this },
    );
    // API Gateway writes execution logs (ERROR level) to this fixed name; created here so it is encrypted and expires.
    const executionLogs = new aws.cloudwatch.LogGroup(
      `${name}-execution-logs`,
      { name: pulumi.interpolate`API-Gateway-Execution-Logs_${api.id}/${stageName}`, kmsKeyId: logs.kmsKeyArn, retentionInDays: logs.retentionDays },
      { parent: this },
    );
    const stage = new aws.apigateway.Stage(
      `${name}-stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() },
      },
      stageOptions(this, account),
    );
    createHealthTraceSampling(name, { namer, api, stage, parent: this });
    createMethodSettings(name, {
      api,
      stage,
      stageThrottle: settings.throttling,
      healthThrottle: settings.healthThrottling,
      waitFor: { account, executionLogGroup: executionLogs },
      parent: this,
    });
    const usagePlan = createUsagePlan(name, { namer, api, stage, limits: settings.merchantLimits, parent: this });
    // Drawn once per stack and kept: a new one would block the health checks until the global
    // stack is updated with it. Letters and digits only, so it needs no escaping in a URL.
    const healthCheckToken = pulumi.secret(new random.RandomPassword(`${name}-health-check-token`, { length: 32, special: false }, { parent: this }).result);
    const webAcl = createWebAcl(name, { namer, stage, settings: settings.waf, healthThrottle: settings.healthThrottling, healthCheckToken, logs, parent: this });

    const target = settings.domain && createCustomDomain(name, { domain: settings.domain, api, stage, parent: this });

    this.apiId = api.id;
    this.apiName = api.name;
    this.apiUrl = stage.invokeUrl;
    this.apiStage = stage.stageName;
    this.healthUrl = pulumi.interpolate`${stage.invokeUrl}${HEALTH_PATH}`;
    this.healthCheckToken = healthCheckToken;
    this.lambdaName = fn.name;
    this.healthLambdaName = healthFn.name;
    this.certificateArn = target?.certificateArn;
    this.usagePlanId = usagePlan.id;
    this.webAclArn = webAcl.arn;
    this.customDomainTarget = target?.regionalDomainName;
    this.customDomainZoneId = target?.regionalZoneId;
    this.customDomainName = args.domain?.name;
    this.certificateValidationRecord = target?.ownedValidationRecord;
    this.registerOutputs({
      apiId: this.apiId,
      apiName: this.apiName,
      apiUrl: this.apiUrl,
      apiStage: this.apiStage,
      healthUrl: this.healthUrl,
      healthCheckToken: this.healthCheckToken,
      lambdaName: this.lambdaName,
      healthLambdaName: this.healthLambdaName,
      certificateArn: this.certificateArn,
      usagePlanId: this.usagePlanId,
      webAclArn: this.webAclArn,
      customDomainTarget: this.customDomainTarget,
      customDomainZoneId: this.customDomainZoneId,
      customDomainName: this.customDomainName,
      certificateValidationRecord: this.certificateValidationRecord,
    });
  }
}
