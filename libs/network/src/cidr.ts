import * as pulumi from "@pulumi/pulumi";

/** The VPC sizes this network accepts: large enough for three AZs, small enough to plan. */
const VPC_PREFIX_RANGE = { min: 16, max: 22 } as const;
/** AWS's smallest subnet. */
const SMALLEST_SUBNET_PREFIX = 28;
const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Splits a VPC range into `count` equal, non-overlapping subnets: the range is cut into the
 * smallest power of two of parts that is at least `count`, and the first `count` are returned
 * (10.0.0.0/16 into 3 → three /18s, the fourth /18 left free for later).
 */
export function subnetCidrs(cidr: string, count: number): string[] {
  const { base, prefix } = parseVpcCidr(cidr);
  if (!Number.isInteger(count) || count < 1) {
    throw new pulumi.RunError(`cannot split ${cidr} into ${count} subnets: the count must be a positive integer.`);
  }
  const subnetPrefix = prefix + Math.ceil(Math.log2(count));
  if (subnetPrefix > SMALLEST_SUBNET_PREFIX) {
    throw new pulumi.RunError(`cannot split ${cidr} into ${count} subnets: each would be smaller than AWS's smallest subnet, a /${SMALLEST_SUBNET_PREFIX}.`);
  }
  const size = 2 ** (32 - subnetPrefix);
  return Array.from({ length: count }, (_, i) => `${formatIpv4(base + i * size)}/${subnetPrefix}`);
}

function parseVpcCidr(cidr: string): { base: number; prefix: number } {
  const match = CIDR_PATTERN.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || prefix < VPC_PREFIX_RANGE.min || prefix > VPC_PREFIX_RANGE.max) {
    throw new pulumi.RunError(
      `cidrBlock "${cidr}" is not valid: use an IPv4 CIDR between /${VPC_PREFIX_RANGE.min} and /${VPC_PREFIX_RANGE.max}, e.g. 10.0.0.0/16.`,
    );
  }
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const hostSize = 2 ** (32 - prefix);
  const base = address - (address % hostSize);
  if (base !== address) {
    throw new pulumi.RunError(`cidrBlock "${cidr}" has host bits set: did you mean ${formatIpv4(base)}/${prefix}?`);
  }
  return { base, prefix };
}

function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}
