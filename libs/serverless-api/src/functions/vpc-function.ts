import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { functionAccessPolicy, type FunctionAccess } from "./access-policy";
import type { LambdaEnvironment, LogLevel } from "./environment";
import { serviceTrustPolicy } from "./trust-policy";
import { vpcFunctionOptions } from "../options";
import { invalid, requireInteger } from "../validation";

/** Lambda's longest timeout, seconds. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** What every function in the VPC needs: memory within Lambda's bounds, and a key to read its database secret with. */
export function checkFunctionArgs(where: string, args: { memoryMb: number; kmsKeyArns: readonly unknown[] }): void {
  requireInteger(where, "memoryMb", args.memoryMb, 128, 10240);
  if (args.kmsKeyArns.length === 0) invalid(where, "kmsKeyArns is empty: the function needs at least the key of the database secret.");
}

/** Where a function runs: the region's private subnets and the Lambda security group. */
export interface FunctionNetworkArgs {
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  securityGroupId: pulumi.Input<string>;
}

/** Where the API's functions run: {@link FunctionNetworkArgs}, and the authorizer's own security group. */
export interface ApiNetworkArgs extends FunctionNetworkArgs {
  /** The authorizer's: egress to DynamoDB only (it parses untrusted headers; no path to the database). */
  authorizerSecurityGroupId: pulumi.Input<string>;
}

/** The outputs of a region's private network (a RegionalNetwork) that place the functions. */
export interface PrivateNetwork {
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  lambdaSecurityGroupId: pulumi.Input<string>;
  authorizerSecurityGroupId: pulumi.Input<string>;
}

/** Where a function that uses the database runs: the private subnets and the Lambda security group. */
export function functionNetwork(network: PrivateNetwork): FunctionNetworkArgs {
  return { subnetIds: network.privateSubnetIds, securityGroupId: network.lambdaSecurityGroupId };
}

/** Where the API's functions run: as {@link functionNetwork}, the authorizer in its own security group. */
export function apiNetwork(network: PrivateNetwork): ApiNetworkArgs {
  return { ...functionNetwork(network), authorizerSecurityGroupId: network.authorizerSecurityGroupId };
}

/** The function's log group (and, for the API, the stage's). */
export interface LogArgs {
  /**
   * The region's customer-managed key. It encrypts the log groups (its key policy must let
   * `logs.<region>.amazonaws.com` use it) and the functions' environment variables.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** A CloudWatch Logs retention period, in days. */
  retentionDays: number;
}

/** A function's code: an archive, or the path of a directory to zip (e.g. `dist/libs/payment-lambda/api`). */
export type FunctionCode = pulumi.asset.Archive | string;

/** The shared building block of the components' functions: one Lambda function, in the VPC unless created with {@link createFunctionOutsideVpc}. */
export interface VpcFunctionArgs {
  namer: ResourceNamer;
  /** Role in the physical names, e.g. `api` → function `payments-dr-api-use1-dev`. */
  role: string;
  code: FunctionCode;
  network: FunctionNetworkArgs;
  logs: LogArgs;
  memoryMb: number;
  timeoutSeconds: number;
  reservedConcurrency: number;
  environment: LambdaEnvironment;
  /** What the role may touch, besides its logs, the VPC and X-Ray: see {@link FunctionAccess}. */
  access: FunctionAccessArgs;
}

/** {@link FunctionAccess} as a component receives it: names and ARNs that may still be outputs. */
type FunctionAccessArgs = { [K in keyof Omit<FunctionAccess, "logGroupArn" | "kmsKeyArns" | "inVpc">]: pulumi.Input<FunctionAccess[K]> } & {
  kmsKeyArns: pulumi.Input<string>[];
};

/** Powertools' level, and so Lambda's, when the environment names none. */
const DEFAULT_LOG_LEVEL: LogLevel = "INFO";

/**
 * The function's logging: JSON lines into its own log group, and Lambda's application log level
 * set to the function's log level (its environment's POWERTOOLS_LOG_LEVEL). With the JSON
 * format Lambda filters application logs at that level, INFO unless set, and hands it to the
 * function as AWS_LAMBDA_LOG_LEVEL, which Powertools' Logger obeys instead of
 * POWERTOOLS_LOG_LEVEL: left unset, a function told DEBUG would log at INFO (Lambda Developer
 * Guide, "Log-level filtering"; Powertools Logger, "AWS Lambda Advanced Logging Controls").
 */
export function functionLoggingConfig(logGroup: pulumi.Input<string>, logLevel: pulumi.Input<string> | undefined): aws.types.input.lambda.FunctionLoggingConfig {
  return { logFormat: "JSON", applicationLogLevel: logLevel ?? DEFAULT_LOG_LEVEL, logGroup };
}

/** The Node.js runtime and the handler every function of this product uses. */
const LAMBDA_RUNTIME = "nodejs22.x";
const LAMBDA_HANDLER = "index.handler";

/** A Lambda function in the VPC, with its own encrypted log group and a least-privilege role. */
export function createVpcFunction(name: string, args: VpcFunctionArgs, parent: pulumi.Resource): aws.lambda.Function {
  return createFunction(name, args, parent);
}

/**
 * A Lambda function outside the VPC, for a function that must reach the internet and touches no
 * data (the DR region's probe of the primary's public `/health`; the VPCs have no NAT): the
 * same log group and role as a VPC function's, without the network-interface permissions.
 * The policy pack allows it for the health probe only.
 */
export function createFunctionOutsideVpc(name: string, args: Omit<VpcFunctionArgs, "network">, parent: pulumi.Resource): aws.lambda.Function {
  return createFunction(name, args, parent);
}

function createFunction(name: string, args: Omit<VpcFunctionArgs, "network"> & { network?: FunctionNetworkArgs }, parent: pulumi.Resource): aws.lambda.Function {
  const { namer, role } = args;
  const opts = { parent };
  const functionName = namer.regional("lambdaFunction", role);
  const account = aws.getCallerIdentityOutput({}, opts).accountId;
  const partition = aws.getPartitionOutput({}, opts);
  const region = aws.getRegionOutput({}, opts).region;

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/aws/lambda/${functionName}`, kmsKeyId: args.logs.kmsKeyArn, retentionInDays: args.logs.retentionDays },
    opts,
  );
  const executionRole = new aws.iam.Role(
    `${name}-role`,
    { name: namer.regional("iamRole", role), assumeRolePolicy: account.apply((accountId) => JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com", accountId))) },
    opts,
  );
  const accessPolicy = new aws.iam.RolePolicy(
    `${name}-access`,
    {
      role: executionRole.id,
      name: namer.regional("iamPolicy", `${role}-access`),
      policy: pulumi
        .all([account, partition.partition, partition.dnsSuffix, region, logGroup.arn, pulumi.output(args.access)])
        .apply(([accountId, partitionName, dnsSuffix, regionName, logGroupArn, access]) =>
          JSON.stringify(functionAccessPolicy({ accountId, partition: partitionName, dnsSuffix, region: regionName }, { ...access, logGroupArn, inVpc: args.network !== undefined })),
        ),
    },
    opts,
  );

  return new aws.lambda.Function(
    `${name}-function`,
    {
      name: functionName,
      role: executionRole.arn,
      code: typeof args.code === "string" ? new pulumi.asset.FileArchive(args.code) : args.code,
      runtime: LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: LAMBDA_HANDLER,
      memorySize: args.memoryMb,
      timeout: args.timeoutSeconds,
      reservedConcurrentExecutions: args.reservedConcurrency,
      ...(args.network && { vpcConfig: { subnetIds: args.network.subnetIds, securityGroupIds: [args.network.securityGroupId] } }),
      tracingConfig: { mode: "Active" },
      environment: { variables: args.environment },
      // Lambda decrypts them through a grant it creates with the deployer's permissions on the
      // key: the execution role needs no kms:Decrypt for them (Lambda developer guide,
      // "Securing environment variables").
      kmsKeyArn: args.logs.kmsKeyArn,
      loggingConfig: functionLoggingConfig(logGroup.name, args.environment.POWERTOOLS_LOG_LEVEL),
    },
    vpcFunctionOptions(parent, { logGroup, accessPolicy }),
  );
}
