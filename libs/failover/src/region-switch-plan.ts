import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RECOVERY_TARGETS, type ResourceNamer } from "@payments-dr/conventions";

/** Arguments of {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanArgs {
  /** Names the children's physical resources (the stack's suffix, this component's region). */
  namer: ResourceNamer;
  /** The region the plan moves away from, and the one it moves to. */
  primaryRegion: string;
  drRegion: string;
  /** The Aurora global database and its two member clusters. */
  globalClusterId: pulumi.Input<string>;
  /** The member clusters, by the region each is in. */
  clusterArns: { primary: pulumi.Input<string>; dr: pulumi.Input<string> };
  /** The failover records to move with the plan; without a domain the plan moves only the database. */
  dns?: { hostedZoneId: string; recordName: string; primarySetIdentifier: string; drSetIdentifier: string };
  /** What the plan promises. @default the promised RTO (`RECOVERY_TARGETS.rtoSeconds`), 5 */
  recoveryTimeObjectiveMinutes?: number;
}

/** Where the plan's role acts: its own ARN and the plan's ({@link planArnPatterns}), the database, the zone. */
interface RegionSwitchPolicyTargets {
  roleArn: string;
  planArnPatterns: string[];
  globalClusterArn: string;
  clusterArns: string[];
  /** The zone of the failover records, when the plan moves them. */
  hostedZoneArn?: string;
}

/**
 * The plan's execution role policy, after AWS's "Complete plan execution role permissions" (what
 * ARC's plan evaluation needs: simulate this role's own policy, read this plan and its executions;
 * without it every evaluation warns) and its samples for the Aurora global database block and
 * the Route 53 health check block (which reads the failover records of `hostedZoneArn`).
 */
function regionSwitchPolicy({ roleArn, planArnPatterns, globalClusterArn, clusterArns, hostedZoneArn }: RegionSwitchPolicyTargets) {
  const statements: object[] = [
    { Sid: "EvaluatePlan", Effect: "Allow", Action: ["iam:SimulatePrincipalPolicy"], Resource: roleArn },
    { Sid: "ReadPlan", Effect: "Allow", Action: ["arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"], Resource: planArnPatterns },
    { Sid: "DescribeDatabases", Effect: "Allow", Action: ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], Resource: "*" },
    { Sid: "MoveGlobalDatabase", Effect: "Allow", Action: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"], Resource: [globalClusterArn, ...clusterArns] },
  ];
  if (hostedZoneArn) {
    statements.push(
      { Sid: "ReadFailoverRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: hostedZoneArn },
      { Sid: "ReadHealthChecks", Effect: "Allow", Action: ["route53:GetHealthCheck", "route53:GetHealthCheckStatus", "route53:ListHealthChecks"], Resource: "*" },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The ARNs the plan named `planName` can have: ARC appends an id it picks at creation, after the
 * role's policy exists. The API reference's pattern for a plan ARN, and ARC's own samples (the
 * manual approval policy, ListRoute53HealthChecksInRegion), put it after a colon:
 * `plan/<name>:<id>`; the nested-plan sample policy writes `plan/<name>/<id>`. Both, and no other plan's.
 */
export function planArnPatterns(partition: string, accountId: string, planName: string): string[] {
  const plan = `arn:${partition}:arc-region-switch::${accountId}:plan/${planName}`;
  return [`${plan}:*`, `${plan}/*`];
}

/** The health check ARC created for `region`, from the plan's list. */
export function regionHealthCheckId(checks: { healthCheckId: string; region: string }[], region: string, planArn: string): string {
  const check = checks.find((c) => c.region === region);
  if (!check) {
    throw new pulumi.RunError(`ARC has no Route 53 health check for ${region} in plan ${planArn} yet (it creates them with the plan's Route 53 step): run the update again in a minute`);
  }
  return check.healthCheckId;
}

/**
 * An ARC Region switch plan (opt-in, DESIGN §7) for teams that want AWS to orchestrate the move:
 * active-passive, one activate workflow whose steps switch the Aurora global database over
 * (graceful: SwitchoverGlobalCluster, RPO 0; ungraceful: FailoverGlobalCluster) and, with a
 * domain, the Route 53 health-check step for the failover records. That step flips health
 * checks ARC creates, one per Region: it moves traffic only through records that carry them
 * (the global stack's primary record carries the primary Region's, `primaryRegionHealthCheckId`,
 * in a CombinedHealthCheck).
 */
export class RegionSwitchPlan extends pulumi.ComponentResource {
  readonly planArn: pulumi.Output<string>;
  /** With a domain: the health check ARC flips for the primary Region when the plan runs. */
  readonly primaryRegionHealthCheckId?: pulumi.Output<string>;

  constructor(name: string, args: RegionSwitchPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("payments-dr:failover:RegionSwitchPlan", name, {}, opts);
    const rtoMinutes = args.recoveryTimeObjectiveMinutes ?? RECOVERY_TARGETS.rtoSeconds / 60;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const planName = args.namer.fitted("regionSwitchPlan", "region-switch", "global");

    // The trust policy AWS documents for this role ("Plan execution role trust policy", ARC
    // guide), without the aws:SourceAccount condition other roles carry: ARC is not documented to
    // send that key, and a denied assume would fail the plan's Aurora step in the very failover it is for.
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.namer.global("iamRole", "region-switch"),
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "arc-region-switch.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    const globalClusterArn = pulumi.interpolate`arn:${partition}:rds::${accountId}:global-cluster:${args.globalClusterId}`;
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        name: args.namer.global("iamPolicy", "region-switch"),
        role: role.id,
        policy: pulumi.all([role.arn, globalClusterArn, args.clusterArns.primary, args.clusterArns.dr, partition, accountId]).apply(([roleArn, global, primary, dr, part, account]) =>
          JSON.stringify(
            regionSwitchPolicy({
              roleArn,
              planArnPatterns: planArnPatterns(part, account, planName),
              globalClusterArn: global,
              clusterArns: [primary, dr],
              hostedZoneArn: args.dns && `arn:${part}:route53:::hostedzone/${args.dns.hostedZoneId}`,
            }),
          ),
        ),
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
        name: planName,
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
    if (args.dns) {
      const arc = aws.arcregionswitch.getRoute53HealthChecksOutput({ planArn: plan.arn }, { parent: this });
      this.primaryRegionHealthCheckId = arc.apply((r) => regionHealthCheckId(r.healthChecks, args.primaryRegion, r.planArn));
    }
    this.registerOutputs({ planArn: this.planArn, primaryRegionHealthCheckId: this.primaryRegionHealthCheckId });
  }
}
