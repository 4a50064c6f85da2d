import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { FAKE_AWS_CREDENTIALS, startDynalite } from "./index";

describe("startDynalite", () => {
  it("serves the tables it was given, keyed as asked, and stops (twice without harm)", async () => {
    const dynamo = await startDynalite([
      { name: "sessions", hashKey: "sessionId" },
      { name: "keys", hashKey: "keyId" },
    ]);
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: FAKE_AWS_CREDENTIALS });
    try {
      expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: "keys" }));
      expect(Table).toMatchObject({ TableStatus: "ACTIVE", KeySchema: [{ AttributeName: "keyId", KeyType: "HASH" }] });
      await client.send(new PutItemCommand({ TableName: "sessions", Item: { sessionId: { S: "s1" }, status: { S: "created" } } }));
      const { Item } = await client.send(new GetItemCommand({ TableName: "sessions", Key: { sessionId: { S: "s1" } }, ConsistentRead: true }));
      expect(Item?.status).toEqual({ S: "created" });
    } finally {
      client.destroy();
      await dynamo.stop();
      await dynamo.stop();
    }
    await expect(fetch(dynamo.endpoint)).rejects.toThrow();
  });

  it("fails when a table cannot be created", async () => {
    // Two tables of one name: the second CreateTable is refused.
    await expect(startDynalite([{ name: "twice", hashKey: "id" }, { name: "twice", hashKey: "id" }])).rejects.toThrow();
  });
});
