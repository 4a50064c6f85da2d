import * as pulumi from "@pulumi/pulumi";
import { API_DEFAULTS, API_TIMEOUT_SECONDS, HEALTH_RESERVED_CONCURRENCY } from "./api-defaults";
import { ConfigReader } from "./config-reader";
import { ConfigError } from "./errors";
import type { RegionalConfig } from "./regional-config";

/** Config of the payments API in a regional stack (keys under `payments-dr:`). */
export interface ApiConfig {
  /**
   * Reserved concurrency of the payment Lambda in each region: it bounds the writer
   * connections the region's containers open ({@link writerConnections}). @default 50
   */
  reservedConcurrency: number;
  /**
   * Reserved concurrency of the `/health` function in each region, apart from the payments' so
   * that they never throttle Route 53's checks; in the budget too. @default 5
   */
  healthReservedConcurrency: number;
  /**
   * What the Lambdas may open on this region's writer: `dbConnectionSharePercent` (@default 50)
   * of its `max_connections`.
   */
  writerConnectionBudget: number;
  /** @default 512 */
  memoryMb: number;
  /** Below API Gateway's 29 s integration limit. @default 10 */
  timeoutSeconds: number;
  /** Stage throttling, requests per second and burst. @default 100 / 200 */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /**
   * How long API Gateway caches an authorizer's answer per API key. A revoked key keeps
   * working for up to this long (plus the keys table's replication lag). @default 60
   */
  authorizerCacheTtlSeconds: number;
  /** `/health` is unauthenticated (Route 53 calls it), so it gets its own small throttle. @default 50 / 100 */
  healthThrottle: { rateLimit: number; burstLimit: number };
  /** Per-merchant limits of the usage plan, in requests per second, burst and requests per day. @default 50 / 100 / 100000 */
  merchantLimits: { rateLimit: number; burstLimit: number; dailyQuota: number };
  /**
   * The WAF web ACL: requests per source IP per 5 minutes (all routes, at least
   * what one merchant's usage plan lets through in the window; and `/health` alone), and the
   * largest request body; whether Route 53's checkers need the health check token on `/health`.
   * @default 20000 / 100 / 8192 / true
   */
  waf: { rateLimitPer5Min: number; healthRateLimitPer5Min: number; maxBodyBytes: number; requireHealthCheckToken: boolean };
}

/** Bytes of memory per Aurora PostgreSQL connection in its default `max_connections` formula. */
const BYTES_PER_CONNECTION = 9_531_392;
/** Memory of an r-class instance by size (GiB); Aurora's default `max_connections` follows it. */
const R_CLASS_MEMORY_GIB: Record<string, number> = {
  large: 16, xlarge: 32, "2xlarge": 64, "4xlarge": 128, "8xlarge": 256, "12xlarge": 384, "16xlarge": 512, "24xlarge": 768,
};

const instanceSize = (instanceClass: string): string => instanceClass.split(".").pop() ?? "";

/** An r-class instance's memory in GiB, by its size (`db.r6g.xlarge`: 32); undefined for a size this table does not know. */
export function instanceClassMemoryGib(instanceClass: string): number | undefined {
  return R_CLASS_MEMORY_GIB[instanceSize(instanceClass)];
}

/**
 * Aurora PostgreSQL's default `max_connections` where AWS lists it (Aurora User Guide, "Maximum
 * connections to an Aurora PostgreSQL DB instance"). The formula's DBInstanceClassMemory is what
 * the instance leaves the database, less than its nominal memory: db.r6g.large has 1,722, not the
 * 1,802 its 16 GiB would give.
 */
const LISTED_MAX_CONNECTIONS: Record<string, number> = { "db.r6g.large": 1722, "db.r6g.xlarge": 3479, "db.r5.large": 1600, "db.r5.xlarge": 3300 };
/** For a class AWS does not list: the least it lists for that size in any family (from 2xlarge, every family has 5,000). */
const LEAST_LISTED_BY_SIZE: Record<string, number> = { large: 1600, xlarge: 3300 };

/**
 * Aurora PostgreSQL's default `max_connections` for an instance class, LEAST(DBInstanceClassMemory
 * / 9531392, 5000): AWS's listed value, or for a class it does not list the least it lists for
 * that size, or (2xlarge and up) the formula on the nominal memory, which reaches 5,000.
 */
export function defaultMaxConnections(instanceClass: string): number {
  const gib = instanceClassMemoryGib(instanceClass);
  if (gib === undefined) throw new ConfigError("dbInstanceClass", `unknown size "${instanceSize(instanceClass)}" in ${instanceClass}: set payments-dr:dbMaxConnections.`);
  return LISTED_MAX_CONNECTIONS[instanceClass] ?? LEAST_LISTED_BY_SIZE[instanceSize(instanceClass)] ?? Math.min(Math.floor((gib * 1024 ** 3) / BYTES_PER_CONNECTION), 5000);
}

/**
 * The writer's `max_connections`: `payments-dr:dbMaxConnections` when set (how a stack states it
 * for a size Aurora's formula does not know, or a changed parameter group), else Aurora's
 * default for the configured `dbInstanceClass`.
 */
export function writerMaxConnections(regional: RegionalConfig, reader: ConfigReader = new ConfigReader()): number {
  return reader.integer("dbMaxConnections", { min: 10 }) ?? defaultMaxConnections(regional.database.instanceClass);
}

/**
 * Connections on the writer per payment container: of the region that holds the writer (its
 * writes go to the global writer endpoint, its reads to the region's cluster endpoint, both the
 * writer there), and of the other region (its writes).
 */
const CONTAINER_CONNECTIONS = { writerRegion: 2, otherRegion: 1 } as const;
/**
 * Per `/health` container of each region, by the region that holds the writer: the primary's
 * asks both its cluster endpoint and the global writer; the DR region's asks its reader endpoint
 * (the writer only after a move, if it has no reader instance), and the primary's then reach the
 * moved writer through the global writer endpoint.
 */
const HEALTH_CONNECTIONS = { primary: { primary: 2, dr: 0 }, dr: { primary: 1, dr: 1 } } as const;
/** Two per primary container and one per DR container: three per reserved container of the pair. */
const WRITER_CONNECTIONS_PER_CONTAINER = CONTAINER_CONNECTIONS.writerRegion + CONTAINER_CONNECTIONS.otherRegion;
/** A primary `/health` container asks both its cluster endpoint and the global writer: two on the writer. */
const WRITER_CONNECTIONS_PER_HEALTH_CONTAINER = HEALTH_CONNECTIONS.primary.primary;
/** The migration function's one and the hourly idempotency-key cleanup's one (reserved concurrency 1 each). */
const MAINTENANCE_CONNECTIONS = 2;

/** The functions of one region that open connections on the writer. */
type Fleet = Pick<WriterConnectionShare, "apiReservedConcurrency" | "healthReservedConcurrency">;

/**
 * Connections both regions' full fleets open on the writer of `holder`'s region: each container
 * of that region two (writes through the global writer endpoint, reads through its cluster
 * endpoint, both the writer there), each of the other region one (its writes), the `/health`
 * containers as {@link HEALTH_CONNECTIONS} says, plus the maintenance functions' (migrations,
 * and the key cleanup of the region that holds the writer).
 */
function connectionsOnWriter(primary: Fleet, dr: Fleet, holder: "primary" | "dr"): number {
  const [holds, other] = holder === "primary" ? [primary, dr] : [dr, primary];
  const health = HEALTH_CONNECTIONS[holder];
  return (
    CONTAINER_CONNECTIONS.writerRegion * holds.apiReservedConcurrency +
    CONTAINER_CONNECTIONS.otherRegion * other.apiReservedConcurrency +
    health.primary * primary.healthReservedConcurrency +
    health.dr * dr.healthReservedConcurrency +
    MAINTENANCE_CONNECTIONS
  );
}

/** The same with both regions alike, as each stack checks alone: 3 per reserved container, 2 per /health container, + 2. */
function writerConnections(reservedConcurrency: number, healthReservedConcurrency: number): number {
  const fleet = { apiReservedConcurrency: reservedConcurrency, healthReservedConcurrency };
  return connectionsOnWriter(fleet, fleet, "primary");
}

/**
 * A checker on Route 53's fastest schedule calls every 10 s: 30 times in 5 minutes, twice over.
 * Our own Route 53 checks are exempt from the limit (their token); the DR region's probe of the
 * primary's `/health` keeps that schedule and is not.
 */
export const MIN_HEALTH_RATE_LIMIT_PER_5_MIN = 60;

/** The evaluation window of the web ACL's rate-based rules. */
export const WAF_RATE_WINDOW_SECONDS = 300;

/**
 * The lowest per-IP WAF limit that never stops a merchant within its usage plan: all its plan lets
 * through in the window, its rate for the whole window plus a full burst (merchants usually send
 * from one egress IP, and the plan's 429 is theirs to see).
 */
export function minWafRateLimitPer5Min(merchant: { rateLimit: number; burstLimit: number }): number {
  return merchant.rateLimit * WAF_RATE_WINDOW_SECONDS + merchant.burstLimit;
}

/**
 * Reads the API config and checks the connection budget: at full reserved concurrency in both
 * regions the Lambdas may use at most `dbConnectionSharePercent` of the writer's
 * `max_connections` (the rest stays for operators, replication and failover headroom).
 */
export function loadApiConfig(regional: RegionalConfig, reader: ConfigReader = new ConfigReader()): ApiConfig {
  const reservedConcurrency = reader.integer("apiReservedConcurrency", { default: 50, min: 1 });
  const healthReservedConcurrency = reader.integer("healthReservedConcurrency", HEALTH_RESERVED_CONCURRENCY);
  const maxConnections = writerMaxConnections(regional, reader);
  const share = reader.integer("dbConnectionSharePercent", { default: 50, min: 1, max: 90 });
  const budget = Math.floor((maxConnections * share) / 100);
  // Each stack alone assumes the other region alike; the DR stack checks the pair as it is (checkWriterConnectionsOfPair).
  const needed = writerConnections(reservedConcurrency, healthReservedConcurrency);
  if (needed > budget) {
    throw new ConfigError(
      "apiReservedConcurrency",
      `${reservedConcurrency} per region needs up to ${needed} connections to the writer (${WRITER_CONNECTIONS_PER_CONTAINER} per reserved container + ${WRITER_CONNECTIONS_PER_HEALTH_CONTAINER} per /health container of payments-dr:healthReservedConcurrency + migrations and key cleanup), ` +
        `over the budget of ${budget} (${share}% of max_connections ${maxConnections} on ${regional.database.instanceClass}). ` +
        `Lower it to at most ${Math.floor((budget - writerConnections(0, healthReservedConcurrency)) / WRITER_CONNECTIONS_PER_CONTAINER)}, or use a larger instance or RDS Proxy.`,
    );
  }
  const merchantLimits = {
    rateLimit: reader.integer("merchantRateLimit", { default: API_DEFAULTS.merchantLimits.rateLimit, min: 1 }),
    burstLimit: reader.integer("merchantBurstLimit", { default: API_DEFAULTS.merchantLimits.burstLimit, min: 1 }),
    dailyQuota: reader.integer("merchantDailyQuota", { default: API_DEFAULTS.merchantLimits.dailyQuota, min: 1 }),
  };
  const wafRateLimitPer5Min = reader.integer("wafRateLimitPer5Min", { default: API_DEFAULTS.waf.rateLimitPer5Min, min: 10, max: 2_000_000_000 });
  const wafMinimum = minWafRateLimitPer5Min(merchantLimits);
  if (wafRateLimitPer5Min < wafMinimum) {
    throw new ConfigError(
      "wafRateLimitPer5Min",
      `${wafRateLimitPer5Min} is below ${wafMinimum}, what one merchant's usage plan lets through in ${WAF_RATE_WINDOW_SECONDS} s ` +
        `(payments-dr:merchantRateLimit ${merchantLimits.rateLimit}/s for the window + payments-dr:merchantBurstLimit ${merchantLimits.burstLimit}): ` +
        `WAF would block a merchant within its plan that sends from one IP. Raise it, or lower the merchant limits.`,
    );
  }
  return {
    reservedConcurrency,
    healthReservedConcurrency,
    writerConnectionBudget: budget,
    memoryMb: reader.integer("apiMemoryMb", { default: API_DEFAULTS.memoryMb, min: 128, max: 10240 }),
    timeoutSeconds: reader.integer("apiTimeoutSeconds", API_TIMEOUT_SECONDS),
    throttleRateLimit: reader.integer("apiThrottleRateLimit", { default: API_DEFAULTS.throttling.rateLimit, min: 1 }),
    throttleBurstLimit: reader.integer("apiThrottleBurstLimit", { default: API_DEFAULTS.throttling.burstLimit, min: 1 }),
    authorizerCacheTtlSeconds: reader.integer("authorizerCacheTtlSeconds", { default: API_DEFAULTS.authorizerCacheTtlSeconds, min: 0, max: 3600 }),
    healthThrottle: {
      rateLimit: reader.integer("healthThrottleRateLimit", { default: API_DEFAULTS.healthThrottling.rateLimit, min: 1 }),
      burstLimit: reader.integer("healthThrottleBurstLimit", { default: API_DEFAULTS.healthThrottling.burstLimit, min: 1 }),
    },
    merchantLimits,
    waf: {
      // AWS WAF's rate-based rules accept 10 to 2,000,000,000 requests per evaluation window.
      rateLimitPer5Min: wafRateLimitPer5Min,
      healthRateLimitPer5Min: reader.integer("wafHealthRateLimitPer5Min", { default: API_DEFAULTS.waf.healthRateLimitPer5Min, min: MIN_HEALTH_RATE_LIMIT_PER_5_MIN, max: 2_000_000_000 }),
      // WAF inspects at most the first 16 KB of an API Gateway request body by default.
      maxBodyBytes: reader.integer("wafMaxBodyBytes", { default: API_DEFAULTS.waf.maxBodyBytes, min: 256, max: 16_384 }),
      requireHealthCheckToken: reader.boolean("wafRequireHealthCheckToken", API_DEFAULTS.waf.requireHealthCheckToken),
    },
  };
}

/** What one region brings to the pair's writer connections: the primary stack exports it for the DR stack's check. */
export interface WriterConnectionShare {
  /** The region's `payments-dr:apiReservedConcurrency`. */
  apiReservedConcurrency: number;
  /** The region's `payments-dr:healthReservedConcurrency`. */
  healthReservedConcurrency: number;
  /** What its writer may give the Lambdas: `dbConnectionSharePercent` of its `max_connections`. */
  writerConnectionBudget: number;
}

/** A region's share, from its API config. */
export function writerConnectionShare(api: ApiConfig): WriterConnectionShare {
  return { apiReservedConcurrency: api.reservedConcurrency, healthReservedConcurrency: api.healthReservedConcurrency, writerConnectionBudget: api.writerConnectionBudget };
}

/**
 * The pair as it is, checked by the DR stack (it deploys after the primary and reads its share):
 * each region's writer must hold every connection the two regions' functions open on it, the
 * primary's today and the DR region's after a move. Each stack alone ({@link loadApiConfig})
 * assumes the other region alike; this catches two regions sized differently, e.g. a smaller DR
 * instance class that the primary's fleet would flood the moment it became the writer. A primary
 * deployed by code older than its `writerConnections` output (`undefined`) is not checked, with
 * a warning: refusing would keep the DR stack from deploying until the primary is redeployed,
 * which may be during an outage of the primary's region.
 */
export function checkWriterConnectionsOfPair(primary: WriterConnectionShare | undefined, dr: WriterConnectionShare): void {
  if (primary === undefined) {
    pulumi.log.warn(
      "primary-region exports no writerConnections (it was deployed before that output existed): the two regions' writer connections are not checked together. Deploy primary-region, then this stack again.",
    );
    return;
  }
  const writers = [
    { holder: "primary", name: "the primary region's writer", budget: primary.writerConnectionBudget, when: "today" },
    { holder: "dr", name: "the DR region's writer", budget: dr.writerConnectionBudget, when: "after a move" },
  ] as const;
  for (const { holder, name, budget, when } of writers) {
    const needed = connectionsOnWriter(primary, dr, holder);
    if (needed > budget) {
      throw new ConfigError(
        "apiReservedConcurrency",
        `the two regions' functions need up to ${needed} connections to ${name} ${when} (apiReservedConcurrency ${primary.apiReservedConcurrency} in primary-region and ${dr.apiReservedConcurrency} here, ` +
          `healthReservedConcurrency ${primary.healthReservedConcurrency} and ${dr.healthReservedConcurrency}, + migrations and key cleanup), over its budget of ${budget} ` +
          `(dbConnectionSharePercent of max_connections of that region's dbInstanceClass or dbMaxConnections). Lower apiReservedConcurrency in either stack, or give that writer a larger instance class.`,
      );
    }
  }
}
