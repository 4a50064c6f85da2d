import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { DR, HOME } from "./deployment";
import type { FakeWorld } from "./fake-world";

/** DynamoDB's global tables (sessions, API keys), replicated in both regions unless listed in `missingTables`. */
export function fakeDynamoDb(world: FakeWorld): AwsClientStub<DynamoDBClient> {
  const dynamodb = mockClient(DynamoDBClient);
  dynamodb.on(DescribeTableCommand).callsFake(
    world.serve("dynamodb", "DescribeTable", (input, region) => {
      if (world.missingTables.has(`${region}/${input.TableName}`)) {
        throw Object.assign(new Error(`Requested resource not found: Table: ${input.TableName} not found`), { name: "ResourceNotFoundException" });
      }
      return {
        Table: {
          TableName: input.TableName,
          TableStatus: "ACTIVE",
          TableArn: `arn:aws:dynamodb:${region}:123456789012:table/${input.TableName}`,
          Replicas: [HOME, DR].filter((r) => r !== region).map((r) => ({ RegionName: r, ReplicaStatus: "ACTIVE" })),
        },
      };
    }),
  );
  // A session delete (the drill clears its payments' sessions before reading them back).
  dynamodb.on(DeleteItemCommand).callsFake(world.serve("dynamodb", "DeleteItem", () => ({})));
  return dynamodb;
}
