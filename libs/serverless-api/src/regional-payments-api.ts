import * as pulumi from "@pulumi/pulumi";
import type { ApiConfig, PrimaryRegionOutputs, RegionRole, ResourceNamer, StackOutputs } from "@payments-dr/conventions";
import { RegionalAlarms, type AlarmThresholds } from "@payments-dr/monitoring";
import { artifactPath, PAYMENT_LAMBDA_ARTIFACTS } from "@payments-dr/payment-lambda";
import type { CustomDomainArgs } from "./edge/custom-domain";
import type { ApiDatabaseArgs } from "./functions/environment";
import { IdempotencyKeyCleanup } from "./jobs/idempotency-key-cleanup";
import { HEALTH_PATH } from "@payments-dr/conventions/values";
import { ServerlessApi } from "./serverless-api";
import type { ApiNetworkArgs, LogArgs } from "./functions/vpc-function";

/** Arguments of {@link RegionalPaymentsApi}. */
export interface RegionalPaymentsApiArgs {
  /** Names the children's physical resources (the stack's suffix, this component's region). */
  namer: ResourceNamer;
  /** `primary`: /health needs a writable database; `dr`: a reachable one. */
  regionRole: RegionRole;
  /** The private subnets, the Lambda security group (the API's and the key cleanup's functions) and the authorizer's. */
  network: ApiNetworkArgs;
  /** The database the functions reach: the global writer, this region's endpoints and cluster, the secrets (the payment functions', /health's). */
  database: RegionalDatabaseArgs;
  /** The sessions table (a replica in the DR region: same name). */
  sessionsTableName: pulumi.Input<string>;
  /** The merchants' API keys table (a replica in the DR region: same name). */
  apiKeysTableName: pulumi.Input<string>;
  /** The keys of the secret and the tables in this region. */
  kmsKeyArns: pulumi.Input<string>[];
  /** Every log group's retention and key. */
  logs: LogArgs;
  /** Sizing, throttling, the authorizer's cache, merchant limits and the WAF, from `loadApiConfig`. */
  api: ApiConfig;
  /** This region's alert topic. */
  alertTopicArn: pulumi.Input<string>;
  /** Alarm thresholds over their defaults (`payments-dr:alarmThresholds`). @default defaultAlarmThresholds */
  thresholds?: Partial<AlarmThresholds>;
  /** The custom domain: its validation record is created by the primary region, awaited by the DR region. */
  domain?: CustomDomainArgs;
}

/** The database as a region sees it: the secret and global writer endpoint, and this region's member cluster. */
export interface RegionalDatabaseArgs extends Omit<ApiDatabaseArgs, "readerHost"> {
  /** This region's cluster (writer) endpoint: inactive while the cluster is a secondary, when RDS may not return it at all. */
  clusterEndpoint: pulumi.Input<string>;
  /** This region's reader endpoint: it answers in either role. */
  readerEndpoint: pulumi.Input<string>;
  /** This region's cluster, for the Aurora alarms. */
  clusterIdentifier: pulumi.Input<string>;
}

/**
 * Where a region reads and answers /health. The primary's /health must reach the writer: its
 * cluster endpoint. A secondary's cluster endpoint is inactive (RDS's DBClusterEndpoint status:
 * "a writer endpoint for a read-only secondary cluster in a global database"), so the DR region
 * uses its reader endpoint, which answers while the cluster is a secondary, and after a failover
 * reaches the promoted writer (one instance) or its replicas.
 */
export function regionalEndpoint(role: RegionRole, database: Pick<RegionalDatabaseArgs, "clusterEndpoint" | "readerEndpoint">): pulumi.Input<string> {
  return role === "primary" ? database.clusterEndpoint : database.readerEndpoint;
}

/**
 * The payments API of one region, the same in both: the payment Lambda's bundles (API and
 * authorizer) behind a {@link ServerlessApi}, the hourly {@link IdempotencyKeyCleanup} of the
 * keys the API writes, and the region's alarms on them and on its Aurora cluster.
 */
export class RegionalPaymentsApi extends pulumi.ComponentResource {
  private readonly api: ServerlessApi;

  constructor(name: string, args: RegionalPaymentsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:serverless-api:RegionalPaymentsApi", name, {}, opts);
    const { secretName, healthSecretName, writerHost, readerEndpoint, clusterIdentifier } = args.database;
    const regional = regionalEndpoint(args.regionRole, args.database);

    this.api = new ServerlessApi(
      `${name}-api`,
      {
        namer: args.namer,
        regionRole: args.regionRole,
        code: artifactPath(PAYMENT_LAMBDA_ARTIFACTS.apiDir),
        network: args.network,
        database: { secretName, healthSecretName, writerHost, readerHost: regional },
        sessions: { tableName: args.sessionsTableName },
        apiKeys: { tableName: args.apiKeysTableName },
        authorizer: { code: artifactPath(PAYMENT_LAMBDA_ARTIFACTS.authorizerDir), cacheTtlSeconds: args.api.authorizerCacheTtlSeconds },
        kmsKeyArns: args.kmsKeyArns,
        logs: args.logs,
        memoryMb: args.api.memoryMb,
        timeoutSeconds: args.api.timeoutSeconds,
        reservedConcurrency: args.api.reservedConcurrency,
        healthReservedConcurrency: args.api.healthReservedConcurrency,
        throttling: { rateLimit: args.api.throttleRateLimit, burstLimit: args.api.throttleBurstLimit },
        healthThrottling: args.api.healthThrottle,
        merchantLimits: args.api.merchantLimits,
        waf: args.api.waf,
        domain: args.domain,
      },
      { parent: this },
    );
    // Deletes expired keys where this region's cluster is the writer; skips while it is a secondary.
    new IdempotencyKeyCleanup(
      `${name}-idem-cleanup`,
      {
        namer: args.namer,
        code: artifactPath(PAYMENT_LAMBDA_ARTIFACTS.cleanupDir),
        network: args.network,
        secretName,
        // This region's cluster endpoint: after a failover it reaches the promoted writer however
        // many replicas the cluster has; while the cluster is a secondary the cleanup cannot
        // connect there and skips after asking the reader endpoint.
        endpoint: args.database.clusterEndpoint,
        readerEndpoint,
        kmsKeyArns: args.kmsKeyArns,
        logs: args.logs,
        alarmTopicArn: args.alertTopicArn,
      },
      { parent: this },
    );
    new RegionalAlarms(
      `${name}-alarms`,
      {
        namer: args.namer,
        topicArn: args.alertTopicArn,
        lambda: { functionName: this.api.lambdaName, timeoutSeconds: args.api.timeoutSeconds },
        health: { functionName: this.api.healthLambdaName },
        certificate: this.api.certificateArn && { certificateArn: this.api.certificateArn },
        api: { apiName: this.api.apiName, stageName: this.api.apiStage, healthPath: HEALTH_PATH },
        aurora: { clusterIdentifier, role: args.regionRole },
        thresholds: args.thresholds,
      },
      { parent: this },
    );

    this.registerOutputs(this.stackOutputs());
  }

  /**
   * The API's part of the regional stack contract: the custom-domain target only with a domain,
   * the certificate's validation record only where this stack owns it (the primary region).
   */
  stackOutputs(): StackOutputs<
    Pick<
      PrimaryRegionOutputs,
      | "apiId"
      | "apiName"
      | "apiUrl"
      | "apiStage"
      | "healthUrl"
      | "healthCheckToken"
      | "lambdaName"
      | "healthLambdaName"
      | "usagePlanId"
      | "webAclArn"
      | "customDomainTarget"
      | "customDomainZoneId"
      | "customDomainName"
      | "certificateValidationRecord"
    >
  > {
    const api = this.api;
    return {
      apiId: api.apiId,
      apiName: api.apiName,
      apiUrl: api.apiUrl,
      apiStage: api.apiStage,
      healthUrl: api.healthUrl,
      healthCheckToken: api.healthCheckToken,
      lambdaName: api.lambdaName,
      healthLambdaName: api.healthLambdaName,
      usagePlanId: api.usagePlanId,
      webAclArn: api.webAclArn,
      ...(api.customDomainTarget && { customDomainTarget: api.customDomainTarget, customDomainZoneId: api.customDomainZoneId, customDomainName: api.customDomainName }),
      ...(api.certificateValidationRecord && { certificateValidationRecord: api.certificateValidationRecord }),
    };
  }
}
