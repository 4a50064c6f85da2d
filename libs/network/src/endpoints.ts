import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** Services reached through free gateway endpoints on the private route table. */
export type GatewayService = "s3" | "dynamodb";

/** `com.amazonaws.<region>.<service>`: the name of a regional AWS service's endpoint. */
function endpointServiceName(region: pulumi.Input<string>, service: string): pulumi.Output<string> {
  return pulumi.interpolate`com.amazonaws.${region}.${service}`;
}

/** The name role of a service's endpoint (`ecr.api` → `ecr-api-endpoint`). */
function endpointRole(service: string): string {
  return `${service.replace(/\./g, "-")}-endpoint`;
}

/**
 * Every endpoint's policy: this account's resources, by this account's principals only. Without
 * one an endpoint allows any account's buckets, tables and secrets, so a compromised function
 * could copy data out to an attacker's resource in the same region.
 */
export function accountOnlyEndpointPolicy(accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(accountId).apply((account) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ThisAccountOnly",
          Effect: "Allow",
          Principal: "*",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceAccount": account, "aws:PrincipalAccount": account } },
        },
      ],
    }),
  );
}

/** Gateway endpoints for S3 and DynamoDB, routed from the private route table. */
export function gatewayEndpoints(
  name: string,
  inputs: { vpc: aws.ec2.Vpc; routeTable: aws.ec2.RouteTable; region: pulumi.Input<string>; policy: pulumi.Input<string>; namer: ResourceNamer; parent: pulumi.Resource },
): Record<GatewayService, aws.ec2.VpcEndpoint> {
  const { vpc, routeTable, region, policy, namer, parent } = inputs;
  const endpoint = (service: GatewayService) =>
    new aws.ec2.VpcEndpoint(
      `${name}-${endpointRole(service)}`,
      {
        vpcId: vpc.id,
        vpcEndpointType: "Gateway",
        serviceName: endpointServiceName(region, service),
        routeTableIds: [routeTable.id],
        policy,
        tags: { Name: namer.regional("display", endpointRole(service)) },
      },
      { parent },
    );
  return { s3: endpoint("s3"), dynamodb: endpoint("dynamodb") };
}

/**
 * Interface endpoints in every private subnet, behind the endpoints security group, with
 * private DNS so that SDKs reach them through the services' usual hostnames.
 */
export function interfaceEndpoints(
  name: string,
  inputs: {
    vpc: aws.ec2.Vpc;
    services: string[];
    subnets: aws.ec2.Subnet[];
    securityGroup: aws.ec2.SecurityGroup;
    region: pulumi.Input<string>;
    policy: pulumi.Input<string>;
    namer: ResourceNamer;
    parent: pulumi.Resource;
  },
): void {
  const { vpc, services, subnets, securityGroup, region, policy, namer, parent } = inputs;
  for (const service of services) {
    new aws.ec2.VpcEndpoint(
      `${name}-${endpointRole(service)}`,
      {
        vpcId: vpc.id,
        vpcEndpointType: "Interface",
        serviceName: endpointServiceName(region, service),
        subnetIds: subnets.map((s) => s.id),
        securityGroupIds: [securityGroup.id],
        privateDnsEnabled: true,
        policy,
        tags: { Name: namer.regional("display", endpointRole(service)) },
      },
      { parent },
    );
  }
}
