/** Where the payments API normally runs. */
export const DEFAULT_PRIMARY_REGION = "us-east-1";
/** Where it runs when the primary region is lost. */
export const DEFAULT_DR_REGION = "us-east-2";

/**
 * Route 53 publishes health-check metrics only in us-east-1, whatever region the checked
 * endpoint is in: alarms and widgets on them must live in (or point at) this region.
 */
export const ROUTE53_METRICS_REGION = "us-east-1";

const REGION_PATTERN = /^([a-z]{2}(-gov)?)-([a-z]+)-(\d)$/;

/** True for names shaped like an AWS region (`us-east-1`, `eu-central-2`, `us-gov-west-1`). */
export function isRegionName(value: string): boolean {
  return REGION_PATTERN.test(value);
}

/**
 * A short, stable code for a region, used inside physical names so that the two regions'
 * account-global resources (IAM roles, S3 buckets) never collide: `us-east-1` → `use1`.
 */
export function regionCode(region: string): string {
  const match = REGION_PATTERN.exec(region);
  if (!match) throw new Error(`not an AWS region name: "${region}"`);
  const [, area, , direction, index] = match;
  return `${area.replace("-gov", "g")}${direction[0]}${index}`;
}
