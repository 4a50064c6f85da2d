import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AWS_CALL_LIMITS, perRegion } from "@payments-dr/cli-support";

/**
 * Creates SDK clients, always for an explicit region (the default credential chain, never the
 * default region). Tests inject one that points DynamoDB at dynalite and records every region.
 */
export interface ClientFactory {
  dynamodb(region: string): DynamoDBClient;
  apiGateway(region: string): APIGatewayClient;
}

/** One client per service and region, created on first use, every call bounded (AWS_CALL_LIMITS). */
export function defaultClientFactory(): ClientFactory {
  return {
    dynamodb: perRegion((region) => new DynamoDBClient({ region, ...AWS_CALL_LIMITS })),
    apiGateway: perRegion((region) => new APIGatewayClient({ region, ...AWS_CALL_LIMITS })),
  };
}
