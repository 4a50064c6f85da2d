import { AWS_CALL_LIMITS } from "@payments-dr/cli-support";
import { defaultClientFactory } from "./aws";

describe("AWS clients", () => {
  it("bound every call as the DR CLI's are (3 s to connect, 10 s to answer, and a late answer is an error, two attempts), credentials included", async () => {
    const factory = defaultClientFactory();
    for (const client of [factory.dynamodb("us-east-2"), factory.apiGateway("us-east-1")]) {
      const handler = await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
      expect(handler).toMatchObject(AWS_CALL_LIMITS.requestHandler);
      expect(await client.config.maxAttempts()).toBe(AWS_CALL_LIMITS.maxAttempts);
      expect(client.config.credentialDefaultProvider).toBe(AWS_CALL_LIMITS.credentialDefaultProvider);
    }
  });
});
