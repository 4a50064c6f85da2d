import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** Arguments of {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanArgs {
  namer: ResourceNamer;
  primaryRegion: string;
  drRegion: string;
  /** The Aurora global database and its two member clusters. */
  globalClusterId: pulumi.Input<string>;
  clusterArns: { primary: pulumi.Input<string>; dr: pulumi.Input<string> };
  /** The failover records to move with the plan; without a domain the plan moves only the database. */
  dns?: { hostedZoneId: string; recordName: string; primarySetIdentifier: string; drSetIdentifier: string };
  /** What the plan promises. @default 5 (the RTO target) */
  recoveryTimeObjectiveMinutes?: number;
}

/** The plan's execution role policy, after AWS's sample for the Aurora global database block. */
export function regionSwitchPolicy(globalClusterArn: string, clusterArns: string[], withDns: boolean) {
  const statements: object[] = [
    { Sid: "DescribeDatabases", Effect: "Allow", Action: ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], Resource: "*" },
    { Sid: "MoveGlobalDatabase", Effect: "Allow", Action: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"], Resource: [globalClusterArn, ...clusterArns] },
  ];
  if (withDns) {
    statements.push({ Sid: "ReadHealthChecks", Effect: "Allow", Action: ["route53:GetHealthCheck", "route53:GetHealthCheckStatus", "route53:ListHealthChecks"], Resource: "*" });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * An ARC Region switch plan (opt-in, DESIGN §7) for teams that want AWS to orchestrate the move:
 * active-passive, one activate workflow whose steps switch the Aurora global database over
 * (graceful: SwitchoverGlobalCluster, RPO 0; ungraceful: FailoverGlobalCluster) and, with a
 * domain, the Route 53 health-check step for the failover records.
 */
export class RegionSwitchPlan extends pulumi.ComponentResource {
  readonly planArn: pulumi.Output<string>;

  constructor(name: string, args: RegionSwitchPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:failover:RegionSwitchPlan", name, {}, opts);
    const rtoMinutes = args.recoveryTimeObjectiveMinutes ?? 5;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.namer.global("iamRole", "region-switch"),
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "arc-region-switch.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } },
          ],
        }),
      },
      { parent: this },
    );
    const globalClusterArn = pulumi.interpolate`arn:${partition}:rds::${accountId}:global-cluster:${args.globalClusterId}`;
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        name: args.namer.global("iamRole", "region-switch"),
        role: role.id,
        policy: pulumi
          .all([globalClusterArn, args.clusterArns.primary, args.clusterArns.dr])
          .apply(([global, primary, dr]) => JSON.stringify(regionSwitchPolicy(global, [primary, dr], args.dns !== undefined))),
      },
      { parent: this },
    );

    const steps: aws.types.input.arcregionswitch.PlanWorkflowStep[] = [
      {
        name: "aurora-global-database",
        executionBlockType: "AuroraGlobalDatabase",
        globalAuroraConfigs: [
          {
            behavior: "switchoverOnly",
            ungracefuls: [{ ungraceful: "failover" }],
            globalClusterIdentifier: args.globalClusterId,
            databaseClusterArns: [args.clusterArns.primary, args.clusterArns.dr],
          },
        ],
      },
    ];
    if (args.dns) {
      steps.push({
        name: "route53-failover-records",
        executionBlockType: "Route53HealthCheck",
        route53HealthCheckConfigs: [
          {
            hostedZoneId: args.dns.hostedZoneId,
            recordName: args.dns.recordName,
            recordSets: [
              { recordSetIdentifier: args.dns.primarySetIdentifier, region: args.primaryRegion },
              { recordSetIdentifier: args.dns.drSetIdentifier, region: args.drRegion },
            ],
          },
        ],
      });
    }

    const plan = new aws.arcregionswitch.Plan(
      `${name}-plan`,
      {
        name: args.namer.global("display", "region-switch"),
        executionRole: role.arn,
        recoveryApproach: "activePassive",
        regions: [args.primaryRegion, args.drRegion],
        primaryRegion: args.primaryRegion,
        recoveryTimeObjectiveMinutes: rtoMinutes,
        workflows: [{ workflowTargetAction: "activate", workflowDescription: "Move the payments API to the target region", steps }],
      },
      { parent: this, dependsOn: [policy] },
    );

    this.planArn = plan.arn;
    this.registerOutputs({ planArn: this.planArn });
  }
}
