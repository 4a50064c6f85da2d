// The module behind aws.getAvailabilityZonesOutput (a lazy getter), so that a test can watch the lookup.
import * as availabilityZones from "@pulumi/aws/getAvailabilityZones";
import { ResourceNamer } from "@payments-dr/conventions";
import { FAKE_ACCOUNT_ID, type Plan, type PlannedResource, stackRegion, synthesize } from "@payments-dr/synth";
import { RegionalNetwork, type RegionalNetworkArgs } from "./index";
import { withDefaults } from "./regional-network";

const REGION = "us-east-2";
const SUFFIX = "qa";
const KEY_ARN = `arn:aws:kms:${REGION}:${FAKE_ACCOUNT_ID}:key/mrk-0123456789abcdef`;
const RULE_TYPES = ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"];

function synth(overrides: Partial<RegionalNetworkArgs> = {}, region = REGION): Promise<Plan> {
  return synthesize({
    project: "dr-region",
    config: { "payments-dr:environmentSuffix": SUFFIX },
    program: () => {
      const { namer, provider } = stackRegion(region, { project: "dr-region", environmentSuffix: SUFFIX }, "net-region");
      const network = new RegionalNetwork(
        "net",
        {
          namer,
          cidrBlock: "10.1.0.0/16",
          flowLogs: { kmsKeyArn: KEY_ARN, retentionDays: 30 },
          ...overrides,
        },
        { provider },
      );
      return {
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        lambdaSecurityGroupId: network.lambdaSecurityGroupId,
        authorizerSecurityGroupId: network.authorizerSecurityGroupId,
        databaseSecurityGroupId: network.databaseSecurityGroupId,
      };
    },
  });
}

/** First and last address of an IPv4 CIDR, as numbers. */
function addressRange(cidr: string): [number, number] {
  const [ip, prefix] = cidr.split("/");
  const start = ip.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

function rulesOf(plan: Plan, type: string, securityGroupId: string): PlannedResource[] {
  return plan.ofType(type).filter((r) => r.inputs.securityGroupId === securityGroupId);
}

describe("RegionalNetwork", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth();
  });

  const endpointsSecurityGroupId = () => plan.one("aws:ec2/vpcEndpoint:VpcEndpoint", "secretsmanager-endpoint").inputs.securityGroupIds[0];

  it("creates the VPC with its CIDR, DNS support and DNS hostnames", () => {
    expect(plan.one("aws:ec2/vpc:Vpc").inputs).toMatchObject({ cidrBlock: "10.1.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });
  });

  it("spreads three private subnets over three zones of the region, inside the VPC range, without overlap or public IPs", () => {
    const subnets = plan.ofType("aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(3);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone))).toEqual(new Set([`${REGION}a`, `${REGION}b`, `${REGION}c`]));
    const [vpcStart, vpcEnd] = addressRange("10.1.0.0/16");
    const ranges = subnets.map((s) => addressRange(s.inputs.cidrBlock)).sort(([a], [b]) => a - b);
    ranges.forEach(([start, end], i) => {
      expect(start).toBeGreaterThanOrEqual(vpcStart);
      expect(end).toBeLessThanOrEqual(vpcEnd);
      if (i > 0) expect(start).toBeGreaterThan(ranges[i - 1][1]);
    });
    subnets.forEach((s) => expect(s.inputs.mapPublicIpOnLaunch).toBe(false));
    expect(plan.outputs.privateSubnetIds).toHaveLength(3);
  });

  it("leaves out us-east-1's legacy zone use1-az3 by its ID, whatever its name in the account: Lambda refuses subnets there", async () => {
    // The synth's fake account maps use1-az3 to us-east-1c.
    const east1 = await synth({}, "us-east-1");
    expect(east1.ofType("aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1d"]);
  });

  it("pitfall: looks up the opt-in-free zones outside the legacy one whatever their state: an impaired zone stays in the list (us-east-2 has no zone to spare), a Local or Wavelength zone never gets a subnet", async () => {
    // The synth's fake cloud answers every zone lookup alike, so the lookup's own arguments are what can be checked.
    const lookup = jest.spyOn(availabilityZones, "getAvailabilityZonesOutput");
    try {
      await synth();
      expect(lookup).toHaveBeenCalledTimes(1);
      // No `state: "available"`: during a regional event AWS may mark a zone impaired, and a
      // three-zone region's list would fall below zoneCount exactly when the stack must be updated.
      expect(lookup.mock.calls[0][0]).toEqual({
        excludeZoneIds: ["use1-az3"],
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      });
    } finally {
      lookup.mockRestore();
    }
  });

  it("keeps each subnet in the zone it was created in, whatever the zone list says later", () => {
    const subnets = plan.ofType("aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(3);
    subnets.forEach((s) => expect(s.options.ignoreChanges).toEqual(["availabilityZone"]));
  });

  it("associates every subnet with the one private route table, which has no route out", () => {
    const routeTableId = plan.one("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-endpoint").inputs.routeTableIds[0];
    const associations = plan.ofType("aws:ec2/routeTableAssociation:RouteTableAssociation");
    expect(associations.map((a) => a.inputs.subnetId).sort()).toEqual([...plan.outputs.privateSubnetIds].sort());
    associations.forEach((a) => expect(a.inputs.routeTableId).toBe(routeTableId));
    expect(plan.one("aws:ec2/routeTable:RouteTable").inputs.routes).toBeUndefined();
    expect(plan.ofType("aws:ec2/route:Route")).toHaveLength(0);
  });

  it("has no internet gateway and no NAT gateway", () => {
    for (const type of ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/natGateway:NatGateway"]) {
      expect(plan.ofType(type)).toHaveLength(0);
    }
  });

  it("lets only the Lambda group reach the database, on 5432", () => {
    const { lambdaSecurityGroupId, databaseSecurityGroupId } = plan.outputs;
    const ingress = rulesOf(plan, RULE_TYPES[0], databaseSecurityGroupId);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].inputs).toMatchObject({ referencedSecurityGroupId: lambdaSecurityGroupId, ipProtocol: "tcp", fromPort: 5432, toPort: 5432 });
    expect(ingress[0].inputs.cidrIpv4).toBeUndefined();
    expect(rulesOf(plan, RULE_TYPES[1], databaseSecurityGroupId)).toHaveLength(0);
  });

  it("lets only the Lambda group reach the interface endpoints, on 443", () => {
    const ingress = rulesOf(plan, RULE_TYPES[0], endpointsSecurityGroupId());
    expect(ingress).toHaveLength(1);
    expect(ingress[0].inputs).toMatchObject({ referencedSecurityGroupId: plan.outputs.lambdaSecurityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443 });
    expect(rulesOf(plan, RULE_TYPES[1], endpointsSecurityGroupId())).toHaveLength(0);
  });

  it("lets the Lambda group out only to the database on 5432 and to AWS services on 443", () => {
    const { lambdaSecurityGroupId, databaseSecurityGroupId } = plan.outputs;
    expect(rulesOf(plan, RULE_TYPES[0], lambdaSecurityGroupId)).toHaveLength(0);
    const egress = rulesOf(plan, RULE_TYPES[1], lambdaSecurityGroupId).map(({ inputs }) => ({
      port: inputs.fromPort,
      to: inputs.referencedSecurityGroupId ?? inputs.prefixListId ?? inputs.cidrIpv4 ?? inputs.cidrIpv6,
    }));
    expect(egress).toEqual(
      expect.arrayContaining([
        { port: 5432, to: databaseSecurityGroupId },
        { port: 443, to: endpointsSecurityGroupId() },
        { port: 443, to: "pl-dynamodb" },
      ]),
    );
    // No function uses S3: no path to it, though its gateway endpoint serves the route table.
    expect(egress).toHaveLength(3);
  });

  it("gives the authorizer, which parses untrusted headers, a group of its own: out to DynamoDB on 443 only, and admitted by neither the database nor the interface endpoints", () => {
    const { authorizerSecurityGroupId, lambdaSecurityGroupId } = plan.outputs;
    expect(authorizerSecurityGroupId).not.toBe(lambdaSecurityGroupId);
    expect(rulesOf(plan, RULE_TYPES[0], authorizerSecurityGroupId)).toHaveLength(0);
    const egress = rulesOf(plan, RULE_TYPES[1], authorizerSecurityGroupId);
    expect(egress).toHaveLength(1);
    expect(egress[0].inputs).toMatchObject({ prefixListId: "pl-dynamodb", ipProtocol: "tcp", fromPort: 443, toPort: 443 });
    const admitting = RULE_TYPES.flatMap((type) => plan.ofType(type)).filter((r) => r.inputs.referencedSecurityGroupId === authorizerSecurityGroupId);
    expect(admitting).toHaveLength(0);
  });

  it("lets every endpoint reach this account's resources only, by this account's principals", () => {
    const endpoints = plan.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
    expect(endpoints.length).toBeGreaterThanOrEqual(3);
    for (const endpoint of endpoints) {
      expect(JSON.parse(endpoint.inputs.policy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ThisAccountOnly",
            Effect: "Allow",
            Principal: "*",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceAccount": FAKE_ACCOUNT_ID, "aws:PrincipalAccount": FAKE_ACCOUNT_ID } },
          },
        ],
      });
    }
  });

  it("keeps no allow-all egress: no inline rules on any group, and the VPC's default group adopted empty", () => {
    for (const group of plan.ofType("aws:ec2/securityGroup:SecurityGroup")) {
      expect(group.inputs.egress).toBeUndefined();
      expect(group.inputs.ingress).toBeUndefined();
    }
    const defaultGroup = plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(defaultGroup.inputs.vpcId).toBe(plan.outputs.vpcId);
    expect(defaultGroup.inputs.egress).toBeUndefined();
    expect(defaultGroup.inputs.ingress).toBeUndefined();
    expect(plan.ofType("aws:ec2/securityGroupRule:SecurityGroupRule")).toHaveLength(0);
  });

  it("opens nothing to the internet: no rule with 0.0.0.0/0 or ::/0", () => {
    const rules = RULE_TYPES.flatMap((type) => plan.ofType(type));
    expect(rules).toHaveLength(6);
    rules.forEach((r) => {
      expect(r.inputs.cidrIpv4).not.toBe("0.0.0.0/0");
      expect(r.inputs.cidrIpv6).not.toBe("::/0");
    });
    expect(plan.allStrings()).not.toEqual(expect.arrayContaining(["0.0.0.0/0", "::/0"]));
  });

  it("routes S3 and DynamoDB through gateway endpoints on the private route table", () => {
    const routeTableId = plan.one("aws:ec2/routeTableAssociation:RouteTableAssociation", "private-1-rt").inputs.routeTableId;
    for (const service of ["s3", "dynamodb"]) {
      expect(plan.one("aws:ec2/vpcEndpoint:VpcEndpoint", `${service}-endpoint`).inputs).toMatchObject({
        vpcId: plan.outputs.vpcId,
        vpcEndpointType: "Gateway",
        serviceName: `com.amazonaws.${REGION}.${service}`,
        routeTableIds: [routeTableId],
      });
    }
  });

  it("reaches Secrets Manager through an interface endpoint with private DNS in every private subnet", () => {
    const endpoint = plan.one("aws:ec2/vpcEndpoint:VpcEndpoint", "secretsmanager-endpoint");
    expect(endpoint.inputs).toMatchObject({ vpcEndpointType: "Interface", serviceName: `com.amazonaws.${REGION}.secretsmanager`, privateDnsEnabled: true });
    expect(endpoint.inputs.subnetIds).toEqual(plan.outputs.privateSubnetIds);
    expect(endpoint.inputs.securityGroupIds).toHaveLength(1);
    expect([plan.outputs.lambdaSecurityGroupId, plan.outputs.databaseSecurityGroupId]).not.toContain(endpoint.inputs.securityGroupIds[0]);
  });

  it("logs all traffic to a log group encrypted with the given key, kept for the given days", () => {
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.inputs).toMatchObject({ kmsKeyId: KEY_ARN, retentionInDays: 30 });
    const role = plan.one("aws:iam/role:Role");
    const logGroupArn = `arn:aws:logs:${REGION}:${FAKE_ACCOUNT_ID}:log-group:${logGroup.inputs.name}`;
    expect(plan.one("aws:ec2/flowLog:FlowLog").inputs).toMatchObject({
      vpcId: plan.outputs.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroupArn,
      iamRoleArn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${role.inputs.name}`,
    });
  });

  it("lets only the flow-logs service of this account assume the delivery role", () => {
    const [statement, ...others] = JSON.parse(plan.one("aws:iam/role:Role").inputs.assumeRolePolicy).Statement;
    expect(others).toHaveLength(0);
    expect(statement).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": FAKE_ACCOUNT_ID },
        ArnLike: { "aws:SourceArn": `arn:aws:ec2:${REGION}:${FAKE_ACCOUNT_ID}:vpc-flow-log/*` },
      },
    });
  });

  it("lets the delivery role write only to its log group and list the groups of its region, with no wildcard action, before the flow log starts", () => {
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup");
    const rolePolicy = plan.one("aws:iam/rolePolicy:RolePolicy");
    expect(rolePolicy.inputs.role).toBe(plan.one("aws:iam/role:Role").inputs.name);
    const statements = JSON.parse(rolePolicy.inputs.policy).Statement;
    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: `arn:aws:logs:${REGION}:${FAKE_ACCOUNT_ID}:log-group:${logGroup.inputs.name}:*`,
      },
      { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `arn:aws:logs:${REGION}:${FAKE_ACCOUNT_ID}:log-group:*` },
    ]);
    expect(plan.one("aws:ec2/flowLog:FlowLog").options.dependsOn).toEqual([rolePolicy.name]);
  });

  it("makes every resource a child of the component, on the explicit provider of the region", () => {
    const component = plan.one("payments-dr:network:RegionalNetwork");
    const children = plan.resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws");
    expect(plan.childrenOf(component.name)).toEqual(children);
    children.forEach((r) => {
      expect(r).toMatchObject({ provider: "net-region", region: REGION });
      expect(plan.defaultTagsOf(r)).toMatchObject({ Environment: "DR", CostCenter: "Operations", Criticality: "High", EnvironmentSuffix: SUFFIX });
    });
  });

  it("puts the environment suffix in every physical and Name tag name", () => {
    const unnamed = [...RULE_TYPES, "aws:ec2/routeTableAssociation:RouteTableAssociation"];
    const named = plan.childrenOf("net").filter((r) => !unnamed.includes(r.type));
    expect(named.length).toBeGreaterThan(10);
    named.forEach((r) => expect([r.name, r.inputs.name ?? r.inputs.tags?.Name]).toEqual([r.name, expect.stringMatching(/^payments-dr-.*-use2-qa$/)]));
    const names = plan.resources.flatMap((r) => [r.inputs.name, r.inputs.tags?.Name]).filter((n): n is string => n !== undefined);
    expect(names.length).toBeGreaterThanOrEqual(named.length);
    names.forEach((n) => expect(n).toMatch(/^payments-dr-.*-use2-qa$/));
    // These take their physical name from `name` (none from a Name tag): each one set, with the suffix.
    for (const type of ["aws:ec2/securityGroup:SecurityGroup", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]) {
      const resources = plan.ofType(type);
      expect(resources.length).toBeGreaterThan(0);
      resources.forEach((r) => expect(r.inputs.name).toMatch(/^(\/[a-z/-]+\/)?payments-dr-.*-use2-qa/));
    }
  });
});

describe("RegionalNetwork with two zones and more interface endpoints", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synth({ zoneCount: 2, interfaceEndpoints: ["secretsmanager", "kms", "ecr.api"] });
  });

  it("creates two subnets in two zones, each half of the VPC", () => {
    const subnets = plan.ofType("aws:ec2/subnet:Subnet");
    expect(subnets.map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone])).toEqual([
      ["10.1.0.0/17", `${REGION}a`],
      ["10.1.128.0/17", `${REGION}b`],
    ]);
    expect(plan.ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")).toHaveLength(2);
  });

  it("creates one interface endpoint per service, in both subnets", () => {
    const interfaces = plan.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(interfaces.map((e) => e.inputs.serviceName).sort()).toEqual(["ecr.api", "kms", "secretsmanager"].map((s) => `com.amazonaws.${REGION}.${s}`));
    interfaces.forEach((e) => expect(e.inputs.subnetIds).toEqual(plan.outputs.privateSubnetIds));
    expect(plan.one("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr-api-endpoint").inputs.tags.Name).toBe("payments-dr-ecr-api-endpoint-use2-qa");
  });
});

describe("RegionalNetwork arguments", () => {
  const base = { namer: new ResourceNamer({ environmentSuffix: SUFFIX, region: REGION }), cidrBlock: "10.0.0.0/16", flowLogs: { kmsKeyArn: KEY_ARN, retentionDays: 30 } };

  it("defaults to three zones and a Secrets Manager endpoint", () => {
    expect(withDefaults(base)).toMatchObject({ zoneCount: 3, interfaceEndpoints: ["secretsmanager"] });
  });

  it.each([1, 0, 2.5])("rejects zoneCount %p: Aurora needs two zones", (zoneCount) => {
    expect(() => withDefaults({ ...base, zoneCount })).toThrow(/zoneCount .* at least 2/);
  });

  it.each([[["secretsmanager", "secretsmanager"]], [["s3"]], [["Secrets Manager"]], [["kms."]]])("rejects interfaceEndpoints %j", (interfaceEndpoints) => {
    expect(() => withDefaults({ ...base, interfaceEndpoints })).toThrow(/interfaceEndpoints .* not valid/);
  });

  it("fails clearly when the region has fewer zones than zoneCount", async () => {
    await expect(synth({ zoneCount: 5 })).rejects.toThrow(/us-east-2 has 4 zones Aurora and Lambda can use \(us-east-2a, .*\) but zoneCount is 5/);
  });

  it("rejects a VPC range outside /16 to /22 before creating anything", async () => {
    await expect(synth({ cidrBlock: "10.1.0.0/24" })).rejects.toThrow(/cidrBlock "10.1.0.0\/24" is not valid/);
  });
});
