/**
 * The numbers of the DNS half of the RTO budget (DESIGN §9), in one place:
 * detection = interval × threshold = 30 s, then resolvers drop the old answer within the TTL
 * (60 s): ≈ 90 s from the primary failing its health check to clients on the DR region.
 */
export const FAILOVER_TIMING = {
  /**
   * Seconds between health checks. 10 ("fast") rather than 30: it cuts detection from 90 s to
   * 30 s. Route 53 cannot change it in place: a new value replaces the health check.
   */
  requestIntervalSeconds: 10,
  /** Consecutive failures before an endpoint is unhealthy; 3 rides out a single slow response. */
  failureThreshold: 3,
  /**
   * TTL resolvers cache the answer for. Alias records take the TTL of their target: API
   * Gateway's regional domain names answer with 60 s.
   */
  dnsTtlSeconds: 60,
} as const;

/**
 * Seconds from the primary going unhealthy to DNS answering with the DR region: the nominal sum
 * of detection and caches. Each failing check may itself take up to 6 s (4 s to connect, 2 s to
 * answer) and Route 53's checkers are out of phase, so allow ≈ 15 s more at worst.
 */
export function dnsFailoverSeconds(): number {
  return FAILOVER_TIMING.requestIntervalSeconds * FAILOVER_TIMING.failureThreshold + FAILOVER_TIMING.dnsTtlSeconds;
}
