import { DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { AWS_CALL_LIMITS, defaultClientFactory } from "./aws";

// Not with test-support's mocked clients: these check the real SDK clients' settings and behaviour.
const DR = "us-east-2";

describe("AWS clients", () => {
  it("bound every call (3 s to connect, 10 s to answer, and a late answer is an error, two attempts), in every service", async () => {
    const factory = defaultClientFactory();
    for (const client of [factory.rds(DR), factory.cloudwatch(DR), factory.dynamodb(DR), factory.dynamodbBulk(DR), factory.s3(DR), factory.route53()]) {
      const handler = await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
      expect(handler).toMatchObject({ connectionTimeout: 3000, requestTimeout: 10_000, throwOnRequestTimeout: true });
    }
    expect(await factory.rds(DR).config.maxAttempts()).toBe(AWS_CALL_LIMITS.maxAttempts);
  });

  it("give up on an endpoint that accepts the connection and never answers (the SDK only warns without throwOnRequestTimeout)", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    // The CLI's handler settings, with a shorter answer time so the test need not wait 2 × 10 s.
    const rds = new RDSClient({
      ...AWS_CALL_LIMITS,
      requestHandler: { ...AWS_CALL_LIMITS.requestHandler, requestTimeout: 300 },
      region: DR,
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const started = Date.now();
      await expect(rds.send(new DescribeGlobalClustersCommand({}))).rejects.toThrow(/requestTimeout|timed out|timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      rds.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);
});
