import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { isRedacted, list, unverifiable } from "../values";

/** The private IPv4 ranges (RFC 1918): an ingress range must lie inside one of them. */
const PRIVATE_V4: readonly [number, number][] = [
  [0x0a000000, 8],
  [0xac100000, 12],
  [0xc0a80000, 16],
];

/**
 * No security group accepts traffic from the whole internet: every ingress names a security
 * group or a private range. The payments tier has no public listener (API Gateway is managed).
 */
export function noPublicIngress(resource: CheckedResource): string[] {
  const inputs = resource.inputs;
  switch (resource.type) {
    case "aws:ec2/securityGroup:SecurityGroup":
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
      return list(inputs.ingress).flatMap((rule, i) => openRanges(list(rule?.cidrBlocks), list(rule?.ipv6CidrBlocks)).map((range) => `inline ingress[${i}] allows ${range}`));
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return openRanges([inputs.cidrIpv4], [inputs.cidrIpv6]).map((range) => `ingress allows ${range}`);
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      if (inputs.type !== "ingress") return [];
      return openRanges(list(inputs.cidrBlocks), list(inputs.ipv6CidrBlocks)).map((range) => `ingress allows ${range}`);
    default:
      return [];
  }
}

/**
 * The ranges that reach beyond private addresses: an IPv4 range not inside RFC 1918, an IPv6 range
 * not inside the unique-local fc00::/7. Not only 0.0.0.0/0: 0.0.0.0/1 is half the internet.
 */
function openRanges(v4: PlanValue[], v6: PlanValue[]): string[] {
  return [...v4.filter((c) => typeof c === "string" && !privateV4(c)), ...v6.filter((c) => typeof c === "string" && !uniqueLocalV6(c))] as string[];
}

function privateV4(cidr: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return false;
  const [a, b, c, d, bits] = match.slice(1).map(Number) as [number, number, number, number, number];
  const address = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return PRIVATE_V4.some(([network, prefix]) => bits >= prefix && (address >>> (32 - prefix)) === network >>> (32 - prefix));
}

function uniqueLocalV6(cidr: string): boolean {
  const match = /^([0-9a-f]{1,4}):[0-9a-f:]*\/(\d{1,3})$/i.exec(cidr);
  return match !== null && Number(match[2]) >= 7 && (parseInt(match[1]!.padStart(4, "0").slice(0, 2), 16) & 0xfe) === 0xfc;
}

/** Aurora instances are reachable only inside the VPC (a redacted value could be true: it fails). */
export function databaseNotPublic(resource: CheckedResource): string[] {
  if (resource.type !== "aws:rds/clusterInstance:ClusterInstance" && resource.type !== "aws:rds/instance:Instance") return [];
  const publiclyAccessible = resource.inputs.publiclyAccessible;
  if (isRedacted(publiclyAccessible)) return [unverifiable("publiclyAccessible")];
  return publiclyAccessible === true ? ["publiclyAccessible is true"] : [];
}
