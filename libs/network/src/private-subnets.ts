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
 * The first `count` of the region's zones, or a clear error when the region has fewer (a stack
 * would otherwise stop at the first subnet with an empty zone).
 */
export function pickZones(zones: string[], count: number, region: string): string[] {
  if (zones.length < count) {
    throw new pulumi.RunError(
      `RegionalNetwork: ${region} has ${zones.length} zones Aurora and Lambda can use (${zones.join(", ") || "none"}) ` +
        `but zoneCount is ${count}; lower zoneCount or pick another region.`,
    );
  }
  return zones.slice(0, count);
}

/**
 * Options of each private subnet. A subnet's zone is fixed when it is created: a zone list that
 * ever came back otherwise (a zone AWS adds, or retires) must not replace the subnets under the
 * database, so `availabilityZone` is ignored after creation.
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
