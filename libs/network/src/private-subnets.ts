import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** What the private subnets are built from. */
export interface PrivateSubnetsInputs {
  vpc: aws.ec2.Vpc;
  /** One CIDR per subnet, from `subnetCidrs`. */
  cidrs: string[];
  /** One availability zone per subnet, in the same order. */
  zones: pulumi.Output<string[]>;
  namer: ResourceNamer;
  parent: pulumi.Resource;
}

/**
 * The first `count` of the region's available zones, or a clear error when the region has
 * fewer (a stack would otherwise stop at the first subnet with an empty zone).
 */
export function pickZones(available: string[], count: number, region: string): string[] {
  if (available.length < count) {
    throw new pulumi.RunError(
      `RegionalNetwork: ${region} has ${available.length} available zones (${available.join(", ") || "none"}) ` +
        `but zoneCount is ${count}; lower zoneCount or pick another region.`,
    );
  }
  return available.slice(0, count);
}

/**
 * Options of each private subnet. The zone list comes from a lookup of *available* zones, so
 * a zone that AWS marks impaired (as during a regional event, exactly when this stack may be
 * updated) drops out and shifts the others: ignoring `availabilityZone` keeps every subnet
 * where it was instead of replacing the subnets under the database.
 */
function privateSubnetOptions(parent: pulumi.Resource): pulumi.CustomResourceOptions {
  return { parent, ignoreChanges: ["availabilityZone"] };
}

/** Private subnets, one per zone, sharing one route table with only the VPC's local route. */
export function privateSubnets(name: string, inputs: PrivateSubnetsInputs): { subnets: aws.ec2.Subnet[]; routeTable: aws.ec2.RouteTable } {
  const { vpc, cidrs, zones, namer, parent } = inputs;
  const routeTable = new aws.ec2.RouteTable(
    `${name}-private-rt`,
    { vpcId: vpc.id, tags: { Name: namer.regional("display", "private-rt") } },
    { parent },
  );
  const subnets = cidrs.map((cidrBlock, i) => {
    const role = `private-${i + 1}`;
    const subnet = new aws.ec2.Subnet(
      `${name}-${role}`,
      {
        vpcId: vpc.id,
        cidrBlock,
        availabilityZone: zones.apply((z) => z[i]),
        mapPublicIpOnLaunch: false,
        tags: { Name: namer.regional("display", role) },
      },
      privateSubnetOptions(parent),
    );
    new aws.ec2.RouteTableAssociation(`${name}-${role}-rt`, { subnetId: subnet.id, routeTableId: routeTable.id }, { parent });
    return subnet;
  });
  return { subnets, routeTable };
}
