// The arguments of ServerlessApi, their defaults (applied in one place) and their checks: a bad
// value stops the preview with the argument's name, before any resource is registered.
import type * as pulumi from "@pulumi/pulumi";
import { API_DEFAULTS, API_TIMEOUT_SECONDS, HEALTH_RESERVED_CONCURRENCY, MIN_HEALTH_RATE_LIMIT_PER_5_MIN, minWafRateLimitPer5Min, type RegionRole, type ResourceNamer } from "@payments-dr/conventions";
import { MAX_AUTHORIZER_CACHE_TTL_SECONDS, type AuthorizerArgs } from "./rest-api/authorizer";
import type { CustomDomainArgs } from "./edge/custom-domain";
import { DATABASE_BUDGET_MS } from "@payments-dr/payment-lambda";
import { checkDatabaseTimeouts, type ApiDatabaseArgs, type DatabaseTimeouts, type LogLevel } from "./functions/environment";
import type { Throttle } from "./rest-api/method-settings";
import type { MerchantLimits } from "./rest-api/usage-plan";
import { invalid, requireInteger } from "./validation";
import { checkFunctionArgs, type ApiNetworkArgs, type FunctionCode, type LogArgs } from "./functions/vpc-function";
import { API_GATEWAY_BODY_INSPECTION_BYTES, WAF_RATE_LIMIT, type WafSettings } from "./edge/web-acl";

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
  /** The API function's database; the /health function connects with `healthSecretName`'s role instead. */
  database: ApiDatabaseArgs;
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
  /**
   * Log level of the functions: their Powertools logger's and Lambda's application log level,
   * which filters what they write (nothing above INFO: see {@link LogLevel}). @default "INFO"
   */
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
  databaseTimeouts: DATABASE_BUDGET_MS,
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
