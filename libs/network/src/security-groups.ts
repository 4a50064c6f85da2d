import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import type { GatewayService } from "./endpoints";

/** Aurora PostgreSQL's port. */
const POSTGRES_PORT = 5432;
const HTTPS_PORT = 443;

/** The four security groups of the payments network. */
export interface PaymentSecurityGroups {
  /** The in-VPC Lambda functions that use the database. */
  lambda: aws.ec2.SecurityGroup;
  /** The API's Lambda authorizer: it reads its keys table and needs no path to the database. */
  authorizer: aws.ec2.SecurityGroup;
  /** The Aurora cluster. */
  database: aws.ec2.SecurityGroup;
  /** The interface endpoints. */
  endpoints: aws.ec2.SecurityGroup;
}

/**
 * Security groups with no inline rules: every rule is its own `aws.vpc.SecurityGroup*Rule`.
 * When the provider creates a security group in a VPC it deletes the allow-all egress rule
 * that AWS adds, and since `egress` is left unset it never manages (or fights) the separate
 * rules, so each group allows exactly the rules below and nothing else.
 */
export function securityGroups(name: string, inputs: { vpc: aws.ec2.Vpc; namer: ResourceNamer; parent: pulumi.Resource }): PaymentSecurityGroups {
  const { vpc, namer, parent } = inputs;
  const group = (role: string, description: string) => {
    const physical = namer.regional("display", `${role}-sg`);
    return new aws.ec2.SecurityGroup(`${name}-${role}-sg`, { vpcId: vpc.id, name: physical, description, tags: { Name: physical } }, { parent });
  };
  return {
    lambda: group("lambda", "Payments API Lambda functions: egress to the database and AWS endpoints only"),
    authorizer: group("authorizer", "Payments API Lambda authorizer: egress to DynamoDB only"),
    database: group("database", "Payments Aurora cluster: PostgreSQL from the Lambda functions only"),
    endpoints: group("endpoints", "Interface VPC endpoints: HTTPS from the Lambda functions only"),
  };
}

/**
 * The only paths through the network: Lambda → database on 5432, Lambda → AWS services on 443,
 * authorizer → DynamoDB on 443. The HTTPS egress names its destinations (the endpoints' group
 * and the gateway endpoints' prefix lists) rather than the VPC range: traffic through a gateway
 * endpoint goes to the service's public addresses, which a VPC-range rule would not allow
 * anyway, and a range rule would open 443 to every host in the VPC. The authorizer parses
 * untrusted Authorization headers: it gets no path to the database.
 */
export function securityGroupRules(
  name: string,
  inputs: {
    groups: PaymentSecurityGroups;
    gatewayPrefixListIds: Partial<Record<GatewayService, pulumi.Input<string>>> & { dynamodb: pulumi.Input<string> };
    parent: pulumi.Resource;
  },
): void {
  const { groups, gatewayPrefixListIds, parent } = inputs;
  const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });

  new aws.vpc.SecurityGroupIngressRule(
    `${name}-database-from-lambda`,
    { securityGroupId: groups.database.id, referencedSecurityGroupId: groups.lambda.id, ...tcp(POSTGRES_PORT), description: "PostgreSQL from the Lambda functions" },
    { parent },
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-endpoints-from-lambda`,
    { securityGroupId: groups.endpoints.id, referencedSecurityGroupId: groups.lambda.id, ...tcp(HTTPS_PORT), description: "HTTPS from the Lambda functions" },
    { parent },
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-lambda-to-database`,
    { securityGroupId: groups.lambda.id, referencedSecurityGroupId: groups.database.id, ...tcp(POSTGRES_PORT), description: "PostgreSQL to the Aurora cluster" },
    { parent },
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-lambda-to-endpoints`,
    { securityGroupId: groups.lambda.id, referencedSecurityGroupId: groups.endpoints.id, ...tcp(HTTPS_PORT), description: "HTTPS to the interface endpoints" },
    { parent },
  );
  for (const service of Object.keys(gatewayPrefixListIds) as GatewayService[]) {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-lambda-to-${service}`,
      { securityGroupId: groups.lambda.id, prefixListId: gatewayPrefixListIds[service]!, ...tcp(HTTPS_PORT), description: `HTTPS to ${service} through its gateway endpoint` },
      { parent },
    );
  }
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-authorizer-to-dynamodb`,
    { securityGroupId: groups.authorizer.id, prefixListId: gatewayPrefixListIds.dynamodb, ...tcp(HTTPS_PORT), description: "HTTPS to dynamodb through its gateway endpoint" },
    { parent },
  );
}

/**
 * Adopts the VPC's default security group and strips its rules (AWS gives it allow-all
 * egress and allow-all from itself), so a resource launched without a group gets no access.
 */
export function emptyDefaultSecurityGroup(name: string, inputs: { vpc: aws.ec2.Vpc; namer: ResourceNamer; parent: pulumi.Resource }): void {
  const { vpc, namer, parent } = inputs;
  new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: namer.regional("display", "default-sg") } }, { parent });
}
