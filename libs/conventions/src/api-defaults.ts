/**
 * `payments-dr:apiTimeoutSeconds`, the payment function's timeout: its default and bounds. At
 * most 28 s: API Gateway ends every request at 29 s, and the function must answer before that.
 * Apart from api-config.ts so that the local adapter can play it without loading Pulumi.
 */
export const API_TIMEOUT_SECONDS = { default: 10, min: 1, max: 28 } as const;

/**
 * `payments-dr:healthReservedConcurrency`, the `/health` function's reserved concurrency: its
 * default and bounds. Apart from the payments' so that a surge of payments never throttles
 * Route 53's checks into a failover. A cached answer takes a few ms and Route 53's checkers call
 * a few times a second; five leave room for a slow database probe.
 */
export const HEALTH_RESERVED_CONCURRENCY = { default: 5, min: 1, max: 100 } as const;

/**
 * The payments API's defaults, read by both the stack config (api-config.ts, under their
 * `payments-dr:` keys) and the ServerlessApi component (for callers that pass no value), so the
 * two cannot drift apart. Throttles and merchant limits are requests per second and burst.
 */
export const API_DEFAULTS = {
  memoryMb: 512,
  healthReservedConcurrency: HEALTH_RESERVED_CONCURRENCY.default,
  authorizerCacheTtlSeconds: 60,
  throttling: { rateLimit: 100, burstLimit: 200 },
  healthThrottling: { rateLimit: 50, burstLimit: 100 },
  merchantLimits: { rateLimit: 50, burstLimit: 100, dailyQuota: 100_000 },
  /**
   * Per source IP per 5 minutes (all routes; `/health` alone), the largest request body in bytes,
   * and whether Route 53's checkers need the health check token on `/health` (false: WAF only
   * counts them, for the upgrade of a deployment whose health checks predate the token).
   */
  waf: { rateLimitPer5Min: 20_000, healthRateLimitPer5Min: 100, maxBodyBytes: 8192, requireHealthCheckToken: true },
} as const;
