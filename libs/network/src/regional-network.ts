import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { subnetCidrs } from "./cidr";
import { accountOnlyEndpointPolicy, gatewayEndpoints, interfaceEndpoints } from "./endpoints";
import { type FlowLogsArgs, vpcFlowLogs } from "./flow-logs";
import { pickZones, privateSubnets } from "./private-subnets";
import { emptyDefaultSecurityGroup, securityGroupRules, securityGroups } from "./security-groups";

/** Arguments of {@link RegionalNetwork}. */
export interface RegionalNetworkArgs {
  /** Builds every physical and `Name` tag name. */
  namer: ResourceNamer;
  /**
   * IPv4 range of the VPC, /16 to /22 (10.0.0.0/16 primary, 10.1.0.0/16 DR). Keep it apart from
   * the other region's, so the two VPCs can be peered later (nothing checks it: none are peered).
   */
  cidrBlock: string;
  /**
   * Private subnets, one per availability zone. At least 2: Aurora's subnet group needs two
   * zones.
   * @default 3
   */
  zoneCount?: number;
  /**
   * AWS services reached through interface endpoints with private DNS (`secretsmanager`,
   * `kms`, `ecr.api`, …). S3 and DynamoDB always have gateway endpoints.
   * @default ["secretsmanager"]
   */
  interfaceEndpoints?: string[];
  /** The VPC flow logs' log group. */
  flowLogs: FlowLogsArgs;
}

const DEFAULTS = { zoneCount: 3, interfaceEndpoints: ["secretsmanager"] };
const MIN_ZONES = 2;
const SERVICE_PATTERN = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

/** The arguments with their defaults applied and checked. */
export function withDefaults(args: RegionalNetworkArgs): Required<RegionalNetworkArgs> {
  const resolved = { ...args, zoneCount: args.zoneCount ?? DEFAULTS.zoneCount, interfaceEndpoints: args.interfaceEndpoints ?? DEFAULTS.interfaceEndpoints };
  if (!Number.isInteger(resolved.zoneCount) || resolved.zoneCount < MIN_ZONES) {
    throw new pulumi.RunError(`RegionalNetwork: zoneCount ${resolved.zoneCount} is not valid: use an integer of at least ${MIN_ZONES} (Aurora needs subnets in two zones).`);
  }
  const bad = resolved.interfaceEndpoints.filter((s) => !SERVICE_PATTERN.test(s) || s === "s3" || s === "dynamodb");
  const duplicates = resolved.interfaceEndpoints.filter((s, i, all) => all.indexOf(s) !== i);
  if (bad.length > 0 || duplicates.length > 0) {
    throw new pulumi.RunError(
      `RegionalNetwork: interfaceEndpoints ${JSON.stringify(resolved.interfaceEndpoints)} is not valid: list each service once, ` +
        `by its endpoint name (e.g. "secretsmanager", "ecr.api"); s3 and dynamodb already have gateway endpoints.`,
    );
  }
  return resolved;
}

/**
 * Zones left out, by zone ID (a zone's name maps to a different zone in each account, its ID
 * does not): use1-az3, us-east-1's legacy zone, where Lambda refuses subnets ("The provided
 * subnets contain availability zone Lambda doesn't support") and current instance classes are
 * missing; services that list their zones (EFS One Zone, WorkSpaces Secure Browser) leave it out too.
 */
const UNSUPPORTED_ZONE_IDS: readonly string[] = ["use1-az3"];

/**
 * The private network of one region for the in-VPC Lambda and Aurora: a VPC with private
 * subnets only (no internet or NAT gateway), S3 and DynamoDB gateway endpoints, interface
 * endpoints for the other AWS services, four security groups that allow only Lambda →
 * database, Lambda → AWS services and authorizer → DynamoDB, and flow logs of all traffic.
 */
export class RegionalNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** One per zone, in zone order. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** For the Lambda functions that use the database. */
  readonly lambdaSecurityGroupId: pulumi.Output<string>;
  /** For the API's Lambda authorizer: DynamoDB only. */
  readonly authorizerSecurityGroupId: pulumi.Output<string>;
  /** For the Aurora cluster. */
  readonly databaseSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: RegionalNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:network:RegionalNetwork", name, {}, opts);
    const { namer, cidrBlock, zoneCount, flowLogs, interfaceEndpoints: services } = withDefaults(args);
    const cidrs = subnetCidrs(cidrBlock, zoneCount);

    const region = aws.getRegionOutput({}, { parent: this }).region;
    // Local and Wavelength zones are opt-in; Aurora and Lambda do not run there. Nor in the legacy
    // zones. Every state, not only "available": a zone AWS marks impaired during a regional event
    // (when this stack may well be updated) would drop out of the list, and a region with no zone
    // to spare (us-east-2 has three) could then not be updated at all.
    const regionZones = aws.getAvailabilityZonesOutput(
      { excludeZoneIds: [...UNSUPPORTED_ZONE_IDS], filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { parent: this },
    );
    const zones = pulumi.all([regionZones.names, region]).apply(([names, r]) => pickZones(names, zoneCount, r));

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: namer.regional("display", "vpc") } },
      { parent: this },
    );
    emptyDefaultSecurityGroup(name, { vpc, namer, parent: this });
    const { subnets, routeTable } = privateSubnets(name, { vpc, cidrs, zones, namer, parent: this });
    const policy = accountOnlyEndpointPolicy(aws.getCallerIdentityOutput({}, { parent: this }).accountId);
    const gateways = gatewayEndpoints(name, { vpc, routeTable, region, policy, namer, parent: this });
    const groups = securityGroups(name, { vpc, namer, parent: this });
    // No function uses S3: its gateway endpoint serves the route table, but the functions may not reach it.
    securityGroupRules(name, { groups, gatewayPrefixListIds: { dynamodb: gateways.dynamodb.prefixListId }, parent: this });
    interfaceEndpoints(name, { vpc, services, subnets, securityGroup: groups.endpoints, region, policy, namer, parent: this });
    vpcFlowLogs(name, { vpc, flowLogs, region, namer, parent: this });

    this.vpcId = vpc.id;
    this.privateSubnetIds = pulumi.output(subnets.map((s) => s.id));
    this.lambdaSecurityGroupId = groups.lambda.id;
    this.authorizerSecurityGroupId = groups.authorizer.id;
    this.databaseSecurityGroupId = groups.database.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      lambdaSecurityGroupId: this.lambdaSecurityGroupId,
      authorizerSecurityGroupId: this.authorizerSecurityGroupId,
      databaseSecurityGroupId: this.databaseSecurityGroupId,
    });
  }
}
