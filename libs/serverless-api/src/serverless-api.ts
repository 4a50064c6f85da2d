import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RegionRole, ResourceNamer } from "@payments-dr/conventions";
import { accessLogFormat } from "./access-log";
import { apiGatewayAccountLogging } from "./api-gateway-account";
import { createCustomDomain, type CustomDomainArgs } from "./custom-domain";
import { checkDatabaseTimeouts, DATABASE_TIMEOUT_LIMITS, functionEnvironment, type DatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./environment";
import { deploymentOptions, methodSettingsOptions, stageOptions } from "./options";
import { createRoutes, HEALTH_PATH, PAYMENT_ROUTES } from "./routes";
import { invalid, requireInteger } from "./validation";
import { createVpcFunction, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "./vpc-function";

/** Arguments of {@link ServerlessApi}. */
export interface ServerlessApiArgs {
  /** Builds every physical name (this region's). */
  namer: ResourceNamer;
  /** Which side of the pair this region is; the function's `/health` answers for that role. */
  regionRole: RegionRole;
  /** The API function's bundle: an archive or the directory `dist/libs/payment-lambda/api`. */
  code: FunctionCode;
  /** The region's private subnets and Lambda security group. */
  network: FunctionNetworkArgs;
  database: DatabaseArgs;
  /** At most DESIGN §6's budgets. @default { connectTimeoutMs: 3000, statementTimeoutMs: 5000 } */
  databaseTimeouts?: Partial<DatabaseTimeouts>;
  /** The sessions global table; its name is the same in every region, and the function uses this region's replica. */
  sessions?: { tableName: pulumi.Input<string> };
  /** Keys the function decrypts with (through Secrets Manager and DynamoDB only): this region's keys of the secret and the table. */
  kmsKeyArns: pulumi.Input<string>[];
  /** The function's and the stage's log groups. */
  logs: LogArgs;
  /** @default 512 */
  memoryMb?: number;
  /** Below 29: API Gateway ends every integration at 29 s. @default 10 */
  timeoutSeconds?: number;
  /**
   * Reserved concurrency of the function. Required: each container holds one database
   * connection, so this is the API's share of the writer's `max_connections`.
   */
  reservedConcurrency: number;
  /** Steady-state requests per second and burst of the stage. @default { rateLimit: 100, burstLimit: 200 } */
  throttling?: { rateLimit?: number; burstLimit?: number };
  /** @default "v1" */
  stageName?: string;
  /** Powertools log level of the function. @default "INFO" */
  logLevel?: LogLevel;
  /** Creates the custom domain (certificate, domain name, base path mapping) in this region. */
  domain?: CustomDomainArgs;
}

/** {@link ServerlessApiArgs} with every default applied. */
export type ResolvedServerlessApiArgs = Omit<Required<ServerlessApiArgs>, "sessions" | "domain" | "databaseTimeouts" | "throttling"> &
  Pick<ServerlessApiArgs, "sessions" | "domain"> & { databaseTimeouts: DatabaseTimeouts; throttling: { rateLimit: number; burstLimit: number } };

const DEFAULTS = {
  memoryMb: 512,
  timeoutSeconds: 10,
  stageName: "v1",
  logLevel: "INFO" as LogLevel,
  databaseTimeouts: DATABASE_TIMEOUT_LIMITS,
  throttling: { rateLimit: 100, burstLimit: 200 },
};
/** API Gateway's integration timeout for REST APIs: a function still running after it holds a DB connection for nobody. */
const API_GATEWAY_TIMEOUT_SECONDS = 29;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** The arguments with their defaults applied and checked: a bad value stops the preview. */
export function withApiDefaults(name: string, args: ServerlessApiArgs): ResolvedServerlessApiArgs {
  const where = `ServerlessApi "${name}"`;
  const resolved: ResolvedServerlessApiArgs = {
    ...args,
    memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
    timeoutSeconds: args.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    stageName: args.stageName ?? DEFAULTS.stageName,
    logLevel: args.logLevel ?? DEFAULTS.logLevel,
    databaseTimeouts: { ...DEFAULTS.databaseTimeouts, ...args.databaseTimeouts },
    throttling: { ...DEFAULTS.throttling, ...args.throttling },
  };
  requireInteger(
    where,
    "timeoutSeconds",
    resolved.timeoutSeconds,
    1,
    API_GATEWAY_TIMEOUT_SECONDS - 1,
    `API Gateway ends the request at ${API_GATEWAY_TIMEOUT_SECONDS} s, so a longer function would keep running (and holding its database connection) after the client got a 504`,
  );
  requireInteger(where, "memoryMb", resolved.memoryMb, 128, 10240);
  requireInteger(where, "reservedConcurrency", resolved.reservedConcurrency, 1, 10000, "it bounds the database connections the API may open");
  requireInteger(where, "throttling.burstLimit", resolved.throttling.burstLimit, 1, 5000);
  if (!(resolved.throttling.rateLimit > 0)) invalid(where, `throttling.rateLimit ${resolved.throttling.rateLimit} must be a positive number of requests per second.`);
  if (!STAGE_NAME.test(resolved.stageName)) invalid(where, `stageName "${resolved.stageName}" may hold only letters, digits, hyphens and underscores.`);
  if (resolved.kmsKeyArns.length === 0) invalid(where, "kmsKeyArns is empty: the function needs at least the key of the database secret.");
  checkDatabaseTimeouts(where, resolved.databaseTimeouts, resolved.timeoutSeconds);
  return resolved;
}

/**
 * The regional payments API: the function in the VPC behind a regional REST API, with a
 * throttled, traced and access-logged stage, and the custom domain when one is set.
 */
export class ServerlessApi extends pulumi.ComponentResource {
  readonly apiId: pulumi.Output<string>;
  /** The REST API's name: the `ApiName` dimension of its CloudWatch metrics. */
  readonly apiName: pulumi.Output<string>;
  /** The stage's invoke URL, `https://<id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly apiUrl: pulumi.Output<string>;
  readonly apiStage: pulumi.Output<string>;
  /** `apiUrl` + `/health`: what this region's health check calls. */
  readonly healthUrl: pulumi.Output<string>;
  readonly lambdaName: pulumi.Output<string>;
  /**
   * With a domain: the custom domain's regional endpoint, the target of the Route 53 failover
   * alias records. Never the `execute-api` hostname (DESIGN §10).
   */
  readonly customDomainTarget?: pulumi.Output<string>;
  /** With a domain: the hosted zone of {@link customDomainTarget}, for the alias records. */
  readonly customDomainZoneId?: pulumi.Output<string>;

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
          serviceName: "payments-api",
          logLevel: settings.logLevel,
        }),
        access: { secretName: settings.database.secretName, kmsKeyArns: settings.kmsKeyArns, sessionsTableName: settings.sessions?.tableName },
      },
      this,
    );

    const api = new aws.apigateway.RestApi(
      `${name}-rest-api`,
      { name: namer.regional("display", "api"), description: "payments-dr payments API", endpointConfiguration: { types: "REGIONAL" } },
      { parent: this },
    );
    const routes = createRoutes(name, { api, routes: PAYMENT_ROUTES, functionInvokeArn: fn.invokeArn, parent: this });
    new aws.lambda.Permission(
      `${name}-invoke-permission`,
      {
        function: fn.name,
        action: "lambda:InvokeFunction",
        principal: "apigateway.amazonaws.com",
        // This API's stage only: `<execution ARN>/<stage>/<method>/<path>`.
        sourceArn: pulumi.interpolate`${api.executionArn}/${stageName}/*`,
      },
      { parent: this },
    );
    const deployment = new aws.apigateway.Deployment(
      `${name}-deployment`,
      { restApi: api.id, description: "payments-dr payments API", triggers: { routes: routes.hash } },
      deploymentOptions(this, routes.resources),
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
    new aws.apigateway.MethodSettings(
      `${name}-method-settings`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: settings.throttling.rateLimit,
          throttlingBurstLimit: settings.throttling.burstLimit,
          metricsEnabled: true,
          loggingLevel: "ERROR",
          // A data trace would log request and response bodies: payment data.
          dataTraceEnabled: false,
        },
      },
      methodSettingsOptions(this, { account, executionLogGroup: executionLogs }),
    );

    const target = settings.domain && createCustomDomain(name, { domain: settings.domain, api, stage, parent: this });

    this.apiId = api.id;
    this.apiName = api.name;
    this.apiUrl = stage.invokeUrl;
    this.apiStage = stage.stageName;
    this.healthUrl = pulumi.interpolate`${stage.invokeUrl}${HEALTH_PATH}`;
    this.lambdaName = fn.name;
    this.customDomainTarget = target?.regionalDomainName;
    this.customDomainZoneId = target?.regionalZoneId;
    this.registerOutputs({
      apiId: this.apiId,
      apiName: this.apiName,
      apiUrl: this.apiUrl,
      apiStage: this.apiStage,
      healthUrl: this.healthUrl,
      lambdaName: this.lambdaName,
      customDomainTarget: this.customDomainTarget,
      customDomainZoneId: this.customDomainZoneId,
    });
  }
}
