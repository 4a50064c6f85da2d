import { HEALTH_CACHE_TTL_MS, ROUTE53_CHECK_MAX_MS, ROUTE53_CHECK_TIMEOUTS_MS } from "@payments-dr/payment-lambda";

/**
 * What Route 53 accepts (API reference, HealthCheckConfig): RequestInterval 10 or 30,
 * FailureThreshold 1 to 10. Typed, so that another value fails the type check here, not the first
 * `pulumi preview` (the offline synth cannot know).
 */
interface Route53CheckTiming {
  requestIntervalSeconds: 10 | 30;
  failureThreshold: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
  dnsTtlSeconds: number;
}

/**
 * The numbers of the DNS half of the RTO budget (DESIGN §9) that the health checks and records
 * set: detection = interval × threshold = 30 s, then resolvers drop the old answer within the
 * TTL (60 s): ≈ 90 s from the primary failing its health check to clients on the DR region.
 * What `/health` promises Route 53 (its cache, Route 53's timeouts) is in its contract
 * (libs/payment-lambda/src/health/contract.ts).
 *
 * Changing a number here changes what the health checks and the DR region's probe alarm deploy
 * (both read it), and then, each failing until it says the same: the sums pinned in
 * failover.test.ts; apps/global's test, which holds `dnsFailoverSeconds()` equal to
 * `RECOVERY_TARGETS.aimRtoSeconds` (libs/conventions: the aimed RTO the drill judges by, quoted
 * in tools/dr's tests); tools/dr's switchover test (the CLI's DNS note); and the README's and
 * runbook's DNS rows and sentences (recovery-budget-docs.test.ts lists each one to rewrite).
 * Left to you: the runbook's "outage → page" timing (the probe's last failure, an interval ×
 * (threshold − 1) after the first). docs/DESIGN.md is the team's shared design, copied verbatim:
 * leave it. A new interval also replaces the health checks (README, Per-stack operations).
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
} as const satisfies Route53CheckTiming;

/**
 * Seconds from the primary going unhealthy to DNS answering with the DR region, nominally: the
 * failing checks (interval × threshold), then the TTL. The aimed RTO (DESIGN §9).
 */
export function dnsFailoverSeconds(): number {
  return FAILOVER_TIMING.requestIntervalSeconds * FAILOVER_TIMING.failureThreshold + FAILOVER_TIMING.dnsTtlSeconds;
}

/**
 * The same when the region does not answer at all (no TCP connection): each failing check first
 * waits out Route 53's time to connect, and each checker sends its next request an interval after
 * that; then the TTL. 3 × (10 + 4) + 60 = 102 s.
 */
export function dnsFailoverNoAnswerSeconds(): number {
  return FAILOVER_TIMING.failureThreshold * (FAILOVER_TIMING.requestIntervalSeconds + ROUTE53_CHECK_TIMEOUTS_MS.connect / 1000) + FAILOVER_TIMING.dnsTtlSeconds;
}

/**
 * The same at worst: `/health` may answer from its cache for a while after the database fails,
 * and the last check it passes may itself last Route 53's connect and answer timeouts; each
 * checker sends its next request an interval after it gets the last answer (AWS's definition of
 * RequestInterval, API reference, HealthCheckConfig), and each failing check may last those
 * timeouts too; then the TTL. 5 + 6 + 3 × (10 + 4 + 2) + 60 = 119 s.
 */
export function dnsFailoverWorstSeconds(): number {
  return (
    HEALTH_CACHE_TTL_MS / 1000 +
    ROUTE53_CHECK_MAX_MS / 1000 +
    FAILOVER_TIMING.failureThreshold * (FAILOVER_TIMING.requestIntervalSeconds + ROUTE53_CHECK_MAX_MS / 1000) +
    FAILOVER_TIMING.dnsTtlSeconds
  );
}
