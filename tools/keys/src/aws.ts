import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Creates SDK clients, always for an explicit region (the default credential chain, never the
 * default region). Tests inject one that points DynamoDB at dynalite and records every region.
 */
export interface ClientFactory {
  dynamodb(region: string): DynamoDBClient;
  apiGateway(region: string): APIGatewayClient;
}

/** One client per service and region, created on first use. */
export function defaultClientFactory(): ClientFactory {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, create: () => T): T => {
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as T;
  };
  return {
    dynamodb: (region) => once(`dynamodb:${region}`, () => new DynamoDBClient({ region })),
    apiGateway: (region) => once(`apigateway:${region}`, () => new APIGatewayClient({ region })),
  };
}
