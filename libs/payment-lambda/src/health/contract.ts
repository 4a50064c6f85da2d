/**
 * What `/health` promises the DNS failover and the probe that mirrors Route 53 (no pg, SDK or
 * Powertools here: the stacks import it, and libs/failover counts these in the RTO budget).
 */

/**
 * How long one `/health` answer is reused, per container: a region whose database fails may
 * answer healthy for up to this long, so the DNS failover's worst case counts it.
 */
export const HEALTH_CACHE_TTL_MS = 5_000;

/**
 * What Route 53's HTTP(S) health checkers give an endpoint (Route 53 Developer Guide, "How
 * Amazon Route 53 determines whether a health check is healthy"): a TCP connection within 4 s,
 * then a 2xx or 3xx within 2 s of connecting. The DR region's probe judges the same way.
 */
export const ROUTE53_CHECK_TIMEOUTS_MS = { connect: 4_000, answer: 2_000 } as const;

/** The longest a Route 53 check (and the probe) can take: connect, then answer. */
export const ROUTE53_CHECK_MAX_MS = ROUTE53_CHECK_TIMEOUTS_MS.connect + ROUTE53_CHECK_TIMEOUTS_MS.answer;

/**
 * `/health`'s own budget for asking the database; past it the region is reported unavailable.
 * Half of Route 53's answer window: the other second is API Gateway's and Lambda's, a cold
 * start included.
 */
export const HEALTH_CHECK_BUDGET_MS = ROUTE53_CHECK_TIMEOUTS_MS.answer / 2;
