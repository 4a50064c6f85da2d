import { createMetrics } from "./metrics";

/** The EMF documents written to stdout while `act` runs. */
function emfDocuments(act: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((chunk) => chunk.split("\n")).filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
}

describe("the functions' metrics (CloudWatch embedded metric format)", () => {
  const settings = { serviceName: "payments-cleanup", metricsNamespace: "PaymentsDr", logLevel: "SILENT" as const };

  it("publishes a reading at once, under the given dimensions alone: the alarm on it names the function and nothing else", () => {
    const [document, ...others] = emfDocuments(() => createMetrics(settings).gaugeSeconds("IdempotencyKeyBacklogAge", 7200, { FunctionName: "payments-dr-prod-use1-idem-cleanup" }));
    expect(others).toEqual([]);
    expect(document!._aws.CloudWatchMetrics).toEqual([
      { Namespace: "PaymentsDr", Dimensions: [["FunctionName"]], Metrics: [{ Name: "IdempotencyKeyBacklogAge", Unit: "Seconds" }] },
    ]);
    expect(document).toMatchObject({ FunctionName: "payments-dr-prod-use1-idem-cleanup", IdempotencyKeyBacklogAge: 7200 });
    expect(document).not.toHaveProperty("service");
  });

  it("keeps counting under the service's dimension beside a reading, published on flush", () => {
    const documents = emfDocuments(() => {
      const metrics = createMetrics(settings);
      metrics.count("IdempotencyKeysDeleted", 3);
      metrics.gaugeSeconds("IdempotencyKeyBacklogAge", 0, { FunctionName: "f" });
      metrics.flush();
    });
    expect(documents).toHaveLength(2);
    const counters = documents.find((document) => "IdempotencyKeysDeleted" in document)!;
    expect(counters._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [["service"]], Metrics: [{ Name: "IdempotencyKeysDeleted", Unit: "Count" }] });
    expect(counters).toMatchObject({ service: "payments-cleanup", IdempotencyKeysDeleted: 3 });
  });

  // Most requests (a healthy /health) count nothing: each must not log Powertools' "no metrics" warning.
  it("writes nothing on a flush with nothing counted", () => {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
    const spies = [jest.spyOn(process.stdout, "write").mockImplementation(capture), jest.spyOn(process.stderr, "write").mockImplementation(capture)];
    try {
      createMetrics(settings).flush();
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(written).toEqual([]);
  });
});
