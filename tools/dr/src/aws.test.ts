import { AWS_CALL_LIMITS } from "@payments-dr/cli-support";
import { defaultClientFactory } from "./aws";

// Not with test-support's mocked clients: these check the real SDK clients' settings and behaviour.
const DR = "us-east-2";

describe("AWS clients", () => {
  it("bound every call (3 s to connect, 10 s to answer, and a late answer is an error, two attempts), in every service, credentials included", async () => {
    const factory = defaultClientFactory();
    for (const client of [factory.rds(DR), factory.cloudwatch(DR), factory.dynamodb(DR), factory.dynamodbBulk(DR), factory.s3(DR), factory.lambda(DR), factory.route53()]) {
      const handler = await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
      expect(handler).toMatchObject({ connectionTimeout: 3000, requestTimeout: 10_000, throwOnRequestTimeout: true });
      expect(client.config.credentialDefaultProvider).toBe(AWS_CALL_LIMITS.credentialDefaultProvider);
    }
    expect(await factory.rds(DR).config.maxAttempts()).toBe(AWS_CALL_LIMITS.maxAttempts);
  });
});
