import type * as aws from "@pulumi/aws";

/** The account, partition and region a function's role is scoped to. */
export interface AccountScope {
  accountId: string;
  /** AWS partition, e.g. `aws`. */
  partition: string;
  /** DNS suffix of the partition's service endpoints, e.g. `amazonaws.com`. */
  dnsSuffix: string;
  /** The function's own region. */
  region: string;
}

/** What one function may touch, by name or ARN, in its own region. */
export interface FunctionAccess {
  /** The function's log group. */
  logGroupArn: string;
  /** Name of the database secret; the function reads this region's copy only. */
  secretName: string;
  /** Keys the function decrypts with: the secret's, and the sessions table's when it has one. */
  kmsKeyArns: string[];
  /** The sessions table, read and written in this region. */
  sessionsTableName?: string;
}

/** Lambda may assume the role, for functions of this account only. */
export function lambdaTrustPolicy(accountId: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * The function's permissions, each statement scoped to the exact resource. Two kinds of
 * statement need `Resource: "*"`, because their actions support no resource-level permission:
 * - `DescribeVpcNetwork`: `ec2:DescribeNetworkInterfaces` works only on `*`, and Lambda
 *   checks it (with the ENI actions) when it attaches the function to the VPC.
 * - `WriteTraces`: X-Ray's `PutTraceSegments` and `PutTelemetryRecords`.
 * The ENI actions themselves are written out instead of attaching AWSLambdaVPCAccessExecutionRole,
 * which also grants `logs:CreateLogGroup`/`PutLogEvents` on every log group of the account;
 * they are limited to this account and region in the form the Lambda guide gives
 * (`arn:<partition>:ec2:<region>:<account>:*\/*`).
 */
export function functionAccessPolicy(scope: AccountScope, access: FunctionAccess): aws.iam.PolicyDocument {
  const { accountId, partition, region, dnsSuffix } = scope;
  const tableArn = access.sessionsTableName && `arn:${partition}:dynamodb:${region}:${accountId}:table/${access.sessionsTableName}`;
  // Only Secrets Manager and DynamoDB use the keys, on the function's behalf.
  const keyUsers = [`secretsmanager.${region}.${dnsSuffix}`, ...(tableArn ? [`dynamodb.${region}.${dnsSuffix}`] : [])];
  const statements: aws.iam.PolicyStatement[] = [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${access.logGroupArn}:*`,
    },
    {
      Sid: "DescribeVpcNetwork",
      Effect: "Allow",
      Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
      Resource: "*",
    },
    {
      Sid: "ManageVpcNetworkInterfaces",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: `arn:${partition}:ec2:${region}:${accountId}:*/*`,
    },
    {
      Sid: "ReadDatabaseSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      // Secrets Manager appends a hyphen and six random characters to the name.
      Resource: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${access.secretName}-??????`,
    },
    {
      Sid: "DecryptWithDataKeys",
      Effect: "Allow",
      // Writing an item to a table encrypted with a customer-managed key needs a data key.
      Action: tableArn ? ["kms:Decrypt", "kms:GenerateDataKey"] : "kms:Decrypt",
      Resource: access.kmsKeyArns,
      Condition: { StringEquals: { "kms:ViaService": keyUsers } },
    },
    ...(tableArn
      ? [{ Sid: "UseSessionsTable", Effect: "Allow" as const, Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: tableArn }]
      : []),
    {
      Sid: "WriteTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    },
  ];
  return { Version: "2012-10-17", Statement: statements };
}
