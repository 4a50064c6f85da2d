import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { API_DEFAULTS, API_TIMEOUT_SECONDS, HEALTH_RESERVED_CONCURRENCY, MIN_HEALTH_RATE_LIMIT_PER_5_MIN, minWafRateLimitPer5Min, type RegionRole, type ResourceNamer } from "@payments-dr/conventions";
import { accessLogFormat } from "./access-log";
import { apiGatewayAccountLogging } from "./api-gateway-account";
import { createMerchantAuthorizer, MAX_AUTHORIZER_CACHE_TTL_SECONDS, type AuthorizerArgs } from "./authorizer";
import { createCustomDomain, type CustomDomainArgs } from "./custom-domain";
import { checkDatabaseTimeouts, DATABASE_TIMEOUT_LIMITS, functionEnvironment, type DatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./environment";
import { createGatewayResponses } from "./gateway-responses";
import { allowApiGatewayInvoke } from "./invoke-permission";
import { createMethodSettings, type Throttle } from "./method-settings";
import { deploymentOptions, stageOptions } from "./options";
import { HEALTH_PATH, HEALTH_ROUTE, PAYMENT_ROUTES } from "./route-table";
import { createRoutes } from "./routes";
import { createUsagePlan, type MerchantLimits } from "./usage-plan";
import { invalid, requireInteger } from "./validation";
import type { ValidationRecord } from "./validation-record";
import { checkFunctionArgs, createVpcFunction, type ApiNetworkArgs, type FunctionCode, type LogArgs } from "./vpc-function";
import { API_GATEWAY_BODY_INSPECTION_BYTES, createWebAcl, WAF_RATE_LIMIT, type WafSettings } from "./web-acl";
import { API_TLS } from "./tls-policy";

/** Arguments of {@link ServerlessApi}. */
export interface ServerlessApiArgs {
  /** Builds every physical name (this region's). */
  namer: ResourceNamer;
  /** Which side of the pair this region is; the function's `/health` answers for that role. */
  regionRole: RegionRole;
  /** The API function's bundle: an archive or the directory `dist/libs/payment-lambda/api`. */
  code: FunctionCode;
  /** The region's private subnets, Lambda security group and the authorizer's. */
  network: ApiNetworkArgs;
  database: DatabaseArgs;
  /** At most DESIGN §6's budgets. @default { connectTimeoutMs: 3000, statementTimeoutMs: 5000 } */
  databaseTimeouts?: Partial<DatabaseTimeouts>;
  /** The sessions global table; its name is the same in every region, and the function uses this region's replica. */
  sessions?: { tableName: pulumi.Input<string> };
  /**
   * The merchants' API keys, a global table (same name in every region): the authorizer reads
   * this region's replica, the API function records each key's `lastUsedAt` in it.
   */
  apiKeys: { tableName: pulumi.Input<string> };
  /** The Lambda authorizer of the /payments routes. */
  authorizer: AuthorizerArgs;
  /**
   * Keys the functions decrypt with (through Secrets Manager and DynamoDB only): this region's
   * keys of the secret and the tables.
   */
  kmsKeyArns: pulumi.Input<string>[];
  /** The functions', the stage's and the WAF's log groups. */
  logs: LogArgs;
  /** @default 512 */
  memoryMb?: number;
  /** Below 29: API Gateway ends every integration at 29 s. @default 10 */
  timeoutSeconds?: number;
  /**
   * Reserved concurrency of the API function, and of the authorizer. Required: each API
   * container holds its database connections (two on the writer in the primary region, one
   * in the DR region), so this is the API's share of the writer's `max_connections`; the authorizer runs at most once per request, so it never needs more.
   */
  reservedConcurrency: number;
  /**
   * Reserved concurrency of the `/health` function (the API's bundle, a function of its own), so
   * that payments using up {@link reservedConcurrency} never throttle Route 53's checks into a
   * failover. Each of its containers holds up to two database connections (in the primary
   * region its cluster endpoint and the global writer, both the writer there).
   * @default 5
   */
  healthReservedConcurrency?: number;
  /** Steady-state requests per second and burst of the stage. @default { rateLimit: 100, burstLimit: 200 } */
  throttling?: Partial<Throttle>;
  /** The throttle of `/health` alone: anyone may call it. @default { rateLimit: 50, burstLimit: 100 } */
  healthThrottling?: Partial<Throttle>;
  /** Per-merchant limits of the usage plan. @default { rateLimit: 50, burstLimit: 100, dailyQuota: 100000 } */
  merchantLimits?: Partial<MerchantLimits>;
  /** The WAF web ACL of the stage. @default { rateLimitPer5Min: 20000, healthRateLimitPer5Min: 100, maxBodyBytes: 8192, requireHealthCheckToken: true } */
  waf?: Partial<WafSettings>;
  /** @default "v1" */
  stageName?: string;
  /** Powertools log level of the functions. @default "INFO" */
  logLevel?: LogLevel;
  /** Creates the custom domain (certificate, domain name, base path mapping) in this region. */
  domain?: CustomDomainArgs;
}

/** Every {@link ServerlessApiArgs} option that has a default, resolved. */
interface ResolvedOptions {
  memoryMb: number;
  healthReservedConcurrency: number;
  timeoutSeconds: number;
  stageName: string;
  logLevel: LogLevel;
  databaseTimeouts: DatabaseTimeouts;
  authorizer: Required<AuthorizerArgs>;
  throttling: Throttle;
  healthThrottling: Throttle;
  merchantLimits: MerchantLimits;
  waf: WafSettings;
  domain?: Required<CustomDomainArgs>;
}

/** {@link ServerlessApiArgs} with every default applied. */
export type ResolvedServerlessApiArgs = Omit<ServerlessApiArgs, keyof ResolvedOptions> & ResolvedOptions;

const DEFAULTS = {
  ...API_DEFAULTS,
  timeoutSeconds: API_TIMEOUT_SECONDS.default,
  stageName: "v1",
  logLevel: "INFO" as LogLevel,
  databaseTimeouts: DATABASE_TIMEOUT_LIMITS,
  validationRecord: { mode: "create" } as const,
};
/** API Gateway's integration timeout for REST APIs: a function still running after it holds a DB connection for nobody. */
const API_GATEWAY_TIMEOUT_SECONDS = 29;
/** API Gateway's highest burst limit of a stage or usage plan (the account's default quota). */
const MAX_BURST_LIMIT = 5000;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** The arguments with their defaults applied and checked: a bad value stops the preview. */
export function withApiDefaults(name: string, args: ServerlessApiArgs): ResolvedServerlessApiArgs {
  const where = `ServerlessApi "${name}"`;
  const resolved: ResolvedServerlessApiArgs = {
    ...args,
    memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
    healthReservedConcurrency: args.healthReservedConcurrency ?? DEFAULTS.healthReservedConcurrency,
    timeoutSeconds: args.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    stageName: args.stageName ?? DEFAULTS.stageName,
    logLevel: args.logLevel ?? DEFAULTS.logLevel,
    databaseTimeouts: { ...DEFAULTS.databaseTimeouts, ...args.databaseTimeouts },
    authorizer: { ...args.authorizer, cacheTtlSeconds: args.authorizer.cacheTtlSeconds ?? DEFAULTS.authorizerCacheTtlSeconds },
    throttling: { ...DEFAULTS.throttling, ...args.throttling },
    healthThrottling: { ...DEFAULTS.healthThrottling, ...args.healthThrottling },
    merchantLimits: { ...DEFAULTS.merchantLimits, ...args.merchantLimits },
    waf: { ...DEFAULTS.waf, ...args.waf },
    domain: args.domain && { ...args.domain, validationRecord: args.domain.validationRecord ?? DEFAULTS.validationRecord },
  };
  requireInteger(
    where,
    "timeoutSeconds",
    resolved.timeoutSeconds,
    API_TIMEOUT_SECONDS.min,
    API_TIMEOUT_SECONDS.max,
    `API Gateway ends the request at ${API_GATEWAY_TIMEOUT_SECONDS} s, so a longer function would keep running (and holding its database connection) after the client got a 504`,
  );
  checkFunctionArgs(where, resolved);
  requireInteger(where, "reservedConcurrency", resolved.reservedConcurrency, 1, 10000, "it bounds the database connections the API may open");
  requireInteger(
    where,
    "healthReservedConcurrency",
    resolved.healthReservedConcurrency,
    HEALTH_RESERVED_CONCURRENCY.min,
    HEALTH_RESERVED_CONCURRENCY.max,
    "it bounds the database connections /health may open",
  );
  requireInteger(where, "authorizer.cacheTtlSeconds", resolved.authorizer.cacheTtlSeconds, 0, MAX_AUTHORIZER_CACHE_TTL_SECONDS, "API Gateway's limit");
  checkThrottle(where, "throttling", resolved.throttling);
  checkThrottle(where, "healthThrottling", resolved.healthThrottling);
  checkThrottle(where, "merchantLimits", resolved.merchantLimits);
  requireInteger(where, "merchantLimits.dailyQuota", resolved.merchantLimits.dailyQuota, 1, Number.MAX_SAFE_INTEGER);
  requireInteger(
    where,
    "waf.rateLimitPer5Min",
    resolved.waf.rateLimitPer5Min,
    Math.max(WAF_RATE_LIMIT.min, minWafRateLimitPer5Min(resolved.merchantLimits)),
    WAF_RATE_LIMIT.max,
    "AWS WAF's bounds of a rate-based rule, and at least what merchantLimits let through in 5 minutes: a merchant within its usage plan must never be blocked",
  );
  requireInteger(
    where,
    "waf.healthRateLimitPer5Min",
    resolved.waf.healthRateLimitPer5Min,
    MIN_HEALTH_RATE_LIMIT_PER_5_MIN,
    WAF_RATE_LIMIT.max,
    "the DR region's probe of the primary's /health calls up to 30 times in 5 minutes (every 10 s), and a lower limit could block it",
  );
  requireInteger(
    where,
    "waf.maxBodyBytes",
    resolved.waf.maxBodyBytes,
    1,
    API_GATEWAY_BODY_INSPECTION_BYTES,
    "WAF inspects at most the first 16 KB of an API Gateway request body",
  );
  if (!STAGE_NAME.test(resolved.stageName)) invalid(where, `stageName "${resolved.stageName}" may hold only letters, digits, hyphens and underscores.`);
  checkDatabaseTimeouts(where, resolved.databaseTimeouts, resolved.timeoutSeconds);
  return resolved;
}

function checkThrottle(where: string, arg: string, throttle: Throttle): void {
  requireInteger(where, `${arg}.burstLimit`, throttle.burstLimit, 1, MAX_BURST_LIMIT);
  if (!(throttle.rateLimit > 0)) invalid(where, `${arg}.rateLimit ${throttle.rateLimit} must be a positive number of requests per second.`);
}

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
   * Route 53's checkers on `/health` without it (web-acl.ts).
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
    // database cannot take writes yet. Same bundle and database settings, no DynamoDB.
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
          database: settings.database,
          timeouts: settings.databaseTimeouts,
          serviceName: "payments-health",
          logLevel: settings.logLevel,
        }),
        access: { secretName: settings.database.secretName, kmsKeyArns: settings.kmsKeyArns },
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
      certificateValidationRecord: this.certificateValidationRecord,
    });
  }
}
