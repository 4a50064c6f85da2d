import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";

/** Where and how long the VPC's flow logs are kept. */
export interface FlowLogsArgs {
  /** KMS key that encrypts the log group. Its key policy must let `logs.<region>.amazonaws.com` use it. */
  kmsKeyArn: pulumi.Input<string>;
  /** Retention of the log group, in days (a CloudWatch Logs retention period). */
  retentionDays: number;
}

/** Who may deliver the flow logs: the flow-logs service, for flow logs of this account and region only. */
function flowLogsTrustPolicy(account: { accountId: string; partition: string; region: string }): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": account.accountId },
          ArnLike: { "aws:SourceArn": `arn:${account.partition}:ec2:${account.region}:${account.accountId}:vpc-flow-log/*` },
        },
      },
    ],
  };
}

/**
 * What the delivery role may do: write streams of its own log group, and list the log groups of
 * its account and region (the VPC user guide's delivery role has DescribeLogGroups; a list
 * action, it takes no narrower resource). It may not create a log group.
 */
function flowLogsWritePolicy(logGroupArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: `${logGroupArn}:*`,
      },
      {
        Effect: "Allow",
        Action: "logs:DescribeLogGroups",
        Resource: logGroupArn.replace(/:log-group:.*$/, ":log-group:*"),
      },
    ],
  };
}

/** All of the VPC's traffic, accepted and rejected, to a KMS-encrypted log group. */
export function vpcFlowLogs(
  name: string,
  inputs: { vpc: aws.ec2.Vpc; flowLogs: FlowLogsArgs; region: pulumi.Input<string>; namer: ResourceNamer; parent: pulumi.Resource },
): void {
  const { vpc, flowLogs, region, namer, parent } = inputs;
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const partition = aws.getPartitionOutput({}, { parent }).partition;

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { name: namer.regional("logGroup", "vpc-flow-logs"), kmsKeyId: flowLogs.kmsKeyArn, retentionInDays: flowLogs.retentionDays },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-flow-logs-role`,
    {
      name: namer.regional("iamRole", "vpc-flow-logs"),
      assumeRolePolicy: pulumi.all([accountId, partition, region]).apply(([a, p, r]) => JSON.stringify(flowLogsTrustPolicy({ accountId: a, partition: p, region: r }))),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-flow-logs-write`,
    { role: role.id, name: namer.regional("iamPolicy", "vpc-flow-logs-write"), policy: logGroup.arn.apply((arn) => JSON.stringify(flowLogsWritePolicy(arn))) },
    { parent },
  );
  new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: { Name: namer.regional("display", "vpc-flow-log") },
    },
    // Without the write policy in place, delivery starts with access errors.
    { parent, dependsOn: [policy] },
  );
}
