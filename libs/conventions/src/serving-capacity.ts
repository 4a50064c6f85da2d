import * as pulumi from "@pulumi/pulumi";
import { instanceClassMemoryGib, type ApiConfig } from "./api-config";
import { ConfigError } from "./errors";
import type { RegionalConfig } from "./regional-config";

/** The config key that lets a DR region be deliberately smaller than the primary (a pilot light). */
export const DR_BELOW_PRIMARY_KEY = "drBelowPrimary";

/**
 * What a region can serve: the primary stack exports it, and the DR stack checks that it can
 * carry the same load once a failover sends it all of the primary's traffic.
 */
export interface ServingCapacity {
  /** `apiReservedConcurrency`: the payment function's containers (beyond them, API Gateway answers 500). */
  apiReservedConcurrency: number;
  /** `apiThrottleRateLimit`: the stage's requests per second (beyond it, 429). */
  throttleRateLimit: number;
  /** `apiThrottleBurstLimit`. */
  throttleBurstLimit: number;
  /** `merchantRateLimit`: each merchant's requests per second in the usage plan. */
  merchantRateLimit: number;
  /** `merchantBurstLimit`. */
  merchantBurstLimit: number;
  /** `dbInstanceClass`: the writer's, after a failover the DR region's first instance. */
  dbInstanceClass: string;
}

/** A region's capacity, from its config. */
export function servingCapacity(regional: RegionalConfig, api: ApiConfig): ServingCapacity {
  return {
    apiReservedConcurrency: api.reservedConcurrency,
    throttleRateLimit: api.throttleRateLimit,
    throttleBurstLimit: api.throttleBurstLimit,
    merchantRateLimit: api.merchantLimits.rateLimit,
    merchantBurstLimit: api.merchantLimits.burstLimit,
    dbInstanceClass: regional.database.instanceClass,
  };
}

/** Each number of {@link ServingCapacity} by the config key that sets it. */
const NUMBERS = {
  apiReservedConcurrency: "apiReservedConcurrency",
  throttleRateLimit: "apiThrottleRateLimit",
  throttleBurstLimit: "apiThrottleBurstLimit",
  merchantRateLimit: "merchantRateLimit",
  merchantBurstLimit: "merchantBurstLimit",
} as const satisfies Partial<Record<keyof ServingCapacity, string>>;

/** Where the DR region's capacity is below the primary's: the config key and what to say. */
function shortfalls(primary: ServingCapacity, dr: ServingCapacity): { key: string; problem: string }[] {
  const found: { key: string; problem: string }[] = Object.entries(NUMBERS)
    .filter(([field]) => dr[field as keyof typeof NUMBERS] < primary[field as keyof typeof NUMBERS])
    .map(([field, key]) => ({ key, problem: `${dr[field as keyof typeof NUMBERS]} here is below primary-region's ${primary[field as keyof typeof NUMBERS]}` }));
  // Compared by memory (what max_connections and the buffer cache follow); a size the table does not know is not compared.
  const [primaryGib, drGib] = [instanceClassMemoryGib(primary.dbInstanceClass), instanceClassMemoryGib(dr.dbInstanceClass)];
  if (primaryGib !== undefined && drGib !== undefined && drGib < primaryGib) {
    found.push({ key: "dbInstanceClass", problem: `${dr.dbInstanceClass} (${drGib} GiB) here is smaller than primary-region's ${primary.dbInstanceClass} (${primaryGib} GiB)` });
  }
  return found;
}

/**
 * Refuses a DR region that could not carry the primary's load after a failover: a setting of
 * {@link ServingCapacity} below the primary's. Changing it then is too late: a larger instance
 * class restarts the DR region's one writer in the middle of the outage. With
 * `drBelowPrimary: true` (a deliberately smaller DR region), it only warns. A primary deployed by
 * code older than its `servingCapacity` output (`undefined`) is not checked, with a warning:
 * refusing would keep the DR stack from deploying until the primary is redeployed, which may be
 * during an outage of the primary's region.
 */
export function checkDrServingCapacity(primary: ServingCapacity | undefined, dr: ServingCapacity, drBelowPrimary: boolean): void {
  if (primary === undefined) {
    pulumi.log.warn("primary-region exports no servingCapacity (it was deployed before that output existed): this region's capacity is not checked against it. Deploy primary-region, then this stack again.");
    return;
  }
  const below = shortfalls(primary, dr);
  if (below.length === 0) return;
  const why = "after a failover this region serves all of the primary's traffic";
  if (drBelowPrimary) {
    pulumi.log.warn(`${DR_BELOW_PRIMARY_KEY} is set: this region is smaller than primary-region (${below.map((b) => `${b.key} ${b.problem}`).join("; ")}), and ${why}.`);
    return;
  }
  const [first] = below;
  const others = below.slice(1).map((b) => `; also ${b.key} ${b.problem}`).join("");
  throw new ConfigError(
    first!.key,
    `${first!.problem}${others}: ${why}, and raising a setting then is too late (a larger instance class restarts this region's writer mid-outage). ` +
      `Raise it here (to scale up, deploy this stack first, then primary-region; to scale down, primary-region first, then this stack), or set payments-dr:${DR_BELOW_PRIMARY_KEY} to true for a deliberately smaller DR region.`,
  );
}
