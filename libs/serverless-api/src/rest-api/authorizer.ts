import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceNamer } from "@payments-dr/conventions";
import { AUTHORIZER_TIMEOUT_SECONDS } from "@payments-dr/api-keys";
import { definitionHash } from "./definition-hash";
import { authorizerEnvironment, type LogLevel } from "../functions/environment";
import { allowApiGatewayInvoke } from "./invoke-permission";
import { createVpcFunction, type FunctionCode, type FunctionNetworkArgs, type LogArgs } from "../functions/vpc-function";

/** The merchants' Lambda authorizer, as {@link ServerlessApi} takes it. */
export interface AuthorizerArgs {
  /** The authorizer's bundle: an archive or the directory `dist/libs/payment-lambda/authorizer`. */
  code: FunctionCode;
  /**
   * Seconds API Gateway caches an answer per `Authorization` header (0: no cache). A revoked key
   * keeps working for up to this long, plus the keys table's replication lag. @default 60
   */
  cacheTtlSeconds?: number;
}

/** API Gateway's limit on an authorizer's cache TTL. */
export const MAX_AUTHORIZER_CACHE_TTL_SECONDS = 3600;

/** The request header the key comes in (`Authorization: Bearer <key>`); also the cache key. */
export const AUTHORIZER_IDENTITY_SOURCE = "method.request.header.Authorization";

/**
 * Sizing of the authorizer function: one hash and one GetItem on the region's replica, so
 * little memory, and a timeout that ends a stuck call well before a client gives up.
 */
const AUTHORIZER_FUNCTION = { memoryMb: 256, timeoutSeconds: AUTHORIZER_TIMEOUT_SECONDS } as const;

/** What the authorizer is made of: the deployment is redeployed when any of it changes. */
export interface AuthorizerDefinition {
  type: "REQUEST";
  identitySource: string;
  authorizerResultTtlInSeconds: number;
  authorizerUri: string;
}

/**
 * A REQUEST authorizer rather than a TOKEN one: it receives the method ARN and the stage, so
 * its policy can cover exactly this API's payment routes; a request without the header is
 * answered 401 by API Gateway without invoking it.
 */
export function authorizerDefinition(functionInvokeArn: string, cacheTtlSeconds: number): AuthorizerDefinition {
  return { type: "REQUEST", identitySource: AUTHORIZER_IDENTITY_SOURCE, authorizerResultTtlInSeconds: cacheTtlSeconds, authorizerUri: functionInvokeArn };
}

/** The authorizer of an API, and the hash that redeploys the API when it changes. */
export interface CreatedAuthorizer {
  authorizer: aws.apigateway.Authorizer;
  /** API Gateway's permission to invoke the function: a stage must not serve before it exists. */
  invokePermission: aws.lambda.Permission;
  hash: pulumi.Output<string>;
}

/**
 * The Lambda authorizer of the merchant routes: a function in the VPC that verifies the API key
 * against this region's replica of the keys table (no cross-region call), with a role that can
 * only read that table, and the permission for this API's authorizers to invoke it.
 */
export function createMerchantAuthorizer(
  name: string,
  inputs: {
    namer: ResourceNamer;
    api: aws.apigateway.RestApi;
    code: FunctionCode;
    cacheTtlSeconds: number;
    apiKeysTableName: pulumi.Input<string>;
    /** Keys of this region's tables; used only through DynamoDB. */
    kmsKeyArns: pulumi.Input<string>[];
    network: FunctionNetworkArgs;
    logs: LogArgs;
    reservedConcurrency: number;
    logLevel: LogLevel;
    parent: pulumi.Resource;
  },
): CreatedAuthorizer {
  const { namer, api, parent } = inputs;
  const fn = createVpcFunction(
    `${name}-authorizer`,
    {
      namer,
      role: "authorizer",
      code: inputs.code,
      network: inputs.network,
      logs: inputs.logs,
      memoryMb: AUTHORIZER_FUNCTION.memoryMb,
      timeoutSeconds: AUTHORIZER_FUNCTION.timeoutSeconds,
      reservedConcurrency: inputs.reservedConcurrency,
      environment: authorizerEnvironment({ apiKeysTableName: inputs.apiKeysTableName, logLevel: inputs.logLevel }),
      access: { kmsKeyArns: inputs.kmsKeyArns, apiKeysReadTable: inputs.apiKeysTableName },
    },
    parent,
  );

  const definition = fn.invokeArn.apply((arn) => authorizerDefinition(arn, inputs.cacheTtlSeconds));
  const authorizer = new aws.apigateway.Authorizer(
    `${name}-authorizer`,
    {
      restApi: api.id,
      name: namer.regional("display", "authorizer"),
      type: definition.type,
      identitySource: definition.identitySource,
      authorizerResultTtlInSeconds: definition.authorizerResultTtlInSeconds,
      authorizerUri: definition.authorizerUri,
    },
    { parent },
  );
  // This API's authorizers only.
  const invokePermission = allowApiGatewayInvoke(`${name}-authorizer-permission`, fn, pulumi.interpolate`${api.executionArn}/authorizers/*`, parent);

  return { authorizer, invokePermission, hash: definition.apply(definitionHash) };
}
