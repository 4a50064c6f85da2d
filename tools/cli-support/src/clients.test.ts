import { DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { startSilentServer } from "@payments-dr/testing";
import { AWS_CALL_LIMITS, perRegion } from "./clients";

describe("perRegion", () => {
  it("creates one client per region, on first use, and hands it out again after", () => {
    const created: string[] = [];
    const client = perRegion((region) => {
      created.push(region);
      return { region };
    });
    expect(created).toEqual([]);
    const first = client("us-east-1");
    expect(client("us-east-1")).toBe(first);
    expect(client("us-east-2")).toEqual({ region: "us-east-2" });
    expect(created).toEqual(["us-east-1", "us-east-2"]);
  });
});

describe("AWS_CALL_LIMITS", () => {
  it("gives up on an endpoint that accepts the connection and never answers (the SDK only warns without throwOnRequestTimeout)", async () => {
    const silent = await startSilentServer();
    // The CLI's handler settings, with a shorter answer time so the test need not wait 2 × 10 s.
    const rds = new RDSClient({
      ...AWS_CALL_LIMITS,
      requestHandler: { ...AWS_CALL_LIMITS.requestHandler, requestTimeout: 300 },
      region: "us-east-2",
      endpoint: silent.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const started = Date.now();
      await expect(rds.send(new DescribeGlobalClustersCommand({}))).rejects.toThrow(/requestTimeout|timed out|timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      rds.destroy();
      await silent.close();
    }
  }, 15_000);
});
