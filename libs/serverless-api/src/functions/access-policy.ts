import type * as aws from "@pulumi/aws";
import { API_KEYS_TABLE_KEY, LAST_USED_AT_ATTRIBUTE, USAGE_ITEM_PREFIX } from "@payments-dr/api-keys";

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

/**
 * What one function may touch, by name or ARN, in its own region, besides its logs, the VPC
 * and X-Ray. Each field is one grant: a function states only what it uses.
 */
export interface FunctionAccess {
  /** The function's log group. */
  logGroupArn: string;
  /** Whether the function runs in the VPC, and so manages its network interfaces. @default true */
  inVpc?: boolean;
  /** A CloudWatch namespace the function publishes metrics to with PutMetricData (the health probe). */
  metricsNamespace?: string;
  /** Keys the function decrypts with, only through the services of its other grants (Secrets Manager, DynamoDB). */
  kmsKeyArns: string[];
  /** Name of the database secret; the function reads this region's copy only. */
  secretName?: string;
  /** The sessions table: GetItem and PutItem, what the session store calls (a session is written whole, never updated). */
  sessionsTableName?: string;
  /** The API keys table, read to verify a key: GetItem only (the authorizer). */
  apiKeysReadTable?: string;
  /** The API keys table, where the function records when a key was last used: UpdateItem of `lastUsedAt` on usage items only (the API function). */
  apiKeysUsageTable?: string;
}

/**
 * The function's permissions, each statement scoped to the exact resource. Three kinds of
 * statement need `Resource: "*"`, because their actions support no resource-level permission:
 * - `DescribeVpcNetwork`: `ec2:DescribeNetworkInterfaces` works only on `*`, and Lambda
 *   checks it (with the ENI actions) when it attaches the function to the VPC.
 * - `PublishMetrics`: `cloudwatch:PutMetricData`, limited to one namespace by condition.
 * - `WriteTraces`: X-Ray's `PutTraceSegments` and `PutTelemetryRecords`.
 * The ENI actions themselves are written out instead of attaching AWSLambdaVPCAccessExecutionRole,
 * which also grants `logs:CreateLogGroup`/`PutLogEvents` on every log group of the account;
 * they are limited to this account and region in the form the Lambda guide gives
 * (`arn:<partition>:ec2:<region>:<account>:*\/*`).
 */
export function functionAccessPolicy(scope: AccountScope, access: FunctionAccess): aws.iam.PolicyDocument {
  const { accountId, partition, region, dnsSuffix } = scope;
  const tableArn = (name: string) => `arn:${partition}:dynamodb:${region}:${accountId}:table/${name}`;
  const usesTables = [access.sessionsTableName, access.apiKeysReadTable, access.apiKeysUsageTable].some((t) => t !== undefined);
  const writesTables = access.sessionsTableName !== undefined || access.apiKeysUsageTable !== undefined;

  const statements: aws.iam.PolicyStatement[] = [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${access.logGroupArn}:*`,
    },
  ];
  if (access.inVpc ?? true) {
    statements.push(
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
    );
  }
  if (access.metricsNamespace !== undefined) {
    // PutMetricData has no resource-level permission: the namespace condition is what limits it.
    statements.push({
      Sid: "PublishMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": access.metricsNamespace } },
    });
  }
  if (access.secretName !== undefined) {
    // Secrets Manager appends a hyphen and six random characters to the name.
    const secretArn = (name: string) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-??????`;
    statements.push(
      {
        Sid: "ReadDatabaseSecret",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: secretArn(access.secretName),
      },
      {
        Sid: "DecryptDatabaseSecret",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: access.kmsKeyArns,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.${dnsSuffix}` } },
      },
    );
  }
  if (usesTables) {
    statements.push({
      Sid: "UseTableKeys",
      Effect: "Allow",
      // Writing an item to a table encrypted with a customer-managed key needs a data key.
      Action: ["kms:Decrypt", "kms:DescribeKey", ...(writesTables ? ["kms:GenerateDataKey"] : [])],
      Resource: access.kmsKeyArns,
      Condition: { StringEquals: { "kms:ViaService": `dynamodb.${region}.${dnsSuffix}` } },
    });
  }
  if (access.sessionsTableName !== undefined) {
    statements.push({
      Sid: "UseSessionsTable",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: tableArn(access.sessionsTableName),
    });
  }
  if (access.apiKeysReadTable !== undefined) {
    statements.push({ Sid: "ReadApiKeys", Effect: "Allow", Action: "dynamodb:GetItem", Resource: tableArn(access.apiKeysReadTable) });
  }
  if (access.apiKeysUsageTable !== undefined) {
    statements.push({
      Sid: "RecordApiKeyUse",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: tableArn(access.apiKeysUsageTable),
      // Only `SET lastUsedAt` (the key attribute is part of every request), only on usage items
      // (their ids start with USAGE_ITEM_PREFIX; never a key's item, where a write could undo a
      // revocation made in the other region), and nothing read back: the API function can
      // neither revoke, revive nor mint a key, nor read its hash.
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:Attributes": [API_KEYS_TABLE_KEY, LAST_USED_AT_ATTRIBUTE] },
        "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${USAGE_ITEM_PREFIX}*`] },
        StringEqualsIfExists: { "dynamodb:ReturnValues": "NONE" },
      },
    });
  }
  statements.push({
    Sid: "WriteTraces",
    Effect: "Allow",
    Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    Resource: "*",
  });
  return { Version: "2012-10-17", Statement: statements };
}
