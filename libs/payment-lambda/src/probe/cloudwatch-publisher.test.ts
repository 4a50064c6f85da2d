import { startSilentServer } from "../test-support/database";
import { cloudWatchPublisher } from "./cloudwatch-publisher";
import type { ProbeSample } from "./health-probe";

const SAMPLE: ProbeSample = { target: "primary", at: Date.parse("2026-01-01T00:00:00Z"), healthy: false, error: "timeout", latencyMs: 4000 };

describe("the probe's CloudWatch publication", () => {
  let cloudWatch: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    cloudWatch = await startSilentServer();
  });
  afterAll(() => cloudWatch?.close());

  // The run keeps PROBE_PUBLISH_BUDGET_MS for its last publication: a CloudWatch that accepts and
  // never answers must not hold it past the 2.5 s cut, whatever the SDK's own retries would take.
  it("gives up on a CloudWatch that never answers at 2.5 s, its own two attempts included", async () => {
    const publish = cloudWatchPublisher({
      clientConfig: { endpoint: cloudWatch.url, region: "us-east-2", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
    });
    const started = Date.now();
    await expect(publish(SAMPLE)).rejects.toThrow();
    const took = Date.now() - started;
    expect(cloudWatch.connections).toBeGreaterThanOrEqual(1);
    expect(took).toBeGreaterThanOrEqual(2400);
    expect(took).toBeLessThan(3500); // slack for a busy machine; the SDK alone would retry for far longer
  });
});
