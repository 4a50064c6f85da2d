import type { PlanValue } from "@payments-dr/synth";
import type { CheckedResource } from "../model";
import { list } from "../values";

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

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

function openRanges(v4: PlanValue[], v6: PlanValue[]): string[] {
  return [...v4.filter((c) => c === ANYWHERE_V4), ...v6.filter((c) => c === ANYWHERE_V6)];
}

/** Aurora instances are reachable only inside the VPC. */
export function databaseNotPublic(resource: CheckedResource): string[] {
  if (resource.type !== "aws:rds/clusterInstance:ClusterInstance" && resource.type !== "aws:rds/instance:Instance") return [];
  return resource.inputs.publiclyAccessible === true ? ["publiclyAccessible is true"] : [];
}
