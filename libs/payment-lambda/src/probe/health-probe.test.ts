import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProbeSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { freePort } from "../test-support/database";
import { sampleDatum } from "./cloudwatch-publisher";
import { PROBE_METRIC, PROBE_PUBLISH_BUDGET_MS } from "./contract";
import { createProbeHandler, probeHealth, type ProbeSample } from "./health-probe";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** A local HTTP server answering with `listener`; its /health URL. */
async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

const answering = (status: number, headers: Record<string, string> = {}) =>
  serve((_request, response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(status === 200 ? { status: "ok", role: "primary" } : { type: "tag:payments-dr,2025:problems/region-unavailable", status, role: "primary" }));
  });

const logger = createLogger({ serviceName: "probe-test", metricsNamespace: "Test", logLevel: "SILENT" });

describe("probeHealth: healthy as Route 53 judges an HTTPS check", () => {
  it("200 is healthy", async () => {
    expect(await probeHealth("primary", await answering(200), 1000)).toMatchObject({ target: "primary", healthy: true, status: 200 });
  });

  it("503 (a primary that cannot write) is unhealthy, with its status", async () => {
    expect(await probeHealth("primary", await answering(503), 1000)).toMatchObject({ healthy: false, status: 503 });
  });

  it.each([403, 404, 429])("%i (a blocked, misrouted or throttled check) is unhealthy: only 2xx and 3xx count, as for Route 53", async (status) => {
    expect(await probeHealth("primary", await answering(status), 1000)).toMatchObject({ healthy: false, status });
  });

  it("a 3xx is an answer, not followed: healthy", async () => {
    const sample = await probeHealth("primary", await answering(302, { location: "http://127.0.0.1:9/elsewhere" }), 1000);
    expect(sample).toMatchObject({ healthy: true, status: 302 });
  });

  it("no answer within the timeout is unhealthy (`timeout`), and the probe returns at the timeout", async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const sample = await probeHealth("primary", url, 200);
    expect(sample).toMatchObject({ healthy: false, error: "timeout" });
    expect(sample.status).toBeUndefined();
    expect(sample.latencyMs).toBeGreaterThanOrEqual(190);
    expect(sample.latencyMs).toBeLessThan(1000);
  });

  it("gives up at its own timeout, not a multiple of it: the function's timeout leaves room for one probe timeout only", async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const sample = await probeHealth("primary", url, 300);
    expect(sample).toMatchObject({ healthy: false, error: "timeout" });
    expect(sample.latencyMs).toBeLessThan(800); // three timeouts would be 900 ms
  });

  it("a refused connection is unhealthy, named by its code and nothing from the URL", async () => {
    const sample = await probeHealth("primary", `http://127.0.0.1:${await freePort()}/health`, 1000);
    expect(sample).toMatchObject({ healthy: false, error: "ECONNREFUSED" });
  });
});

describe("the probe function", () => {
  // Room for a local answer on a loaded CI machine: a healthy server must never time out here.
  const INTERVAL_MS = 500;
  const TIMEOUT_MS = 400;
  const settings = (url: string): ProbeSettings => ({
    url,
    target: "primary",
    intervalMs: INTERVAL_MS,
    timeoutMs: TIMEOUT_MS,
    observability: { serviceName: "probe-test", metricsNamespace: "Test", logLevel: "SILENT" },
  });
  /** Room for exactly `probes` probes: the last starts when a timeout and the publication budget still fit. */
  const contextFor = (probes: number) => {
    const remaining = (probes - 1) * INTERVAL_MS + TIMEOUT_MS + PROBE_PUBLISH_BUDGET_MS + INTERVAL_MS / 2;
    const started = Date.now();
    return { getRemainingTimeInMillis: () => remaining - (Date.now() - started) };
  };

  it("probes every interval while a probe and the last publication fit, and publishes each sample", async () => {
    const published: ProbeSample[] = [];
    const handler = createProbeHandler({ settings: settings(await answering(200)), logger, publish: async (sample) => void published.push(sample) });
    const run = await handler({}, contextFor(4));
    expect(run).toEqual({ probes: 4, healthy: 4, published: 4 });
    expect(published.map((sample) => sample.healthy)).toEqual([true, true, true, true]);
    // Each probe starts on its own schedule, counted from the first (not from the probe before it).
    published.forEach((sample, i) => {
      const lateness = sample.at - (published[0]!.at + i * INTERVAL_MS);
      expect(lateness).toBeGreaterThanOrEqual(-2);
      expect(lateness).toBeLessThan(300);
    });
  });

  it("a slow publication does not hold up the next probe; a failed one is logged and the run goes on", async () => {
    const published: ProbeSample[] = [];
    let calls = 0;
    const publish = async (sample: ProbeSample) => {
      calls++;
      if (calls === 1) throw new Error("ThrottlingException");
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 2));
      published.push(sample);
    };
    const error = jest.spyOn(logger, "error");
    const handler = createProbeHandler({ settings: settings(await answering(503)), logger, publish });
    const run = await handler({}, contextFor(3));
    expect(run).toEqual({ probes: 3, healthy: 0, published: 2 });
    expect(error).toHaveBeenCalledWith("Probe sample not published", expect.objectContaining({ target: "primary" }));
    // The probes kept their schedule although each publication took two intervals.
    expect(published[1]!.at - published[0]!.at).toBeLessThan(2 * INTERVAL_MS);
    error.mockRestore();
  });

  it("an unreachable target is a 0 each interval, never a missing datapoint", async () => {
    const published: ProbeSample[] = [];
    const warn = jest.spyOn(logger, "warn");
    const handler = createProbeHandler({ settings: settings(await serve(() => undefined)), logger, publish: async (sample) => void published.push(sample) });
    expect(await handler({}, contextFor(2))).toEqual({ probes: 2, healthy: 0, published: 2 });
    expect(published.map((sample) => sampleDatum(sample).Value)).toEqual([0, 0]);
    expect(warn).toHaveBeenCalledWith("Target unhealthy", expect.objectContaining({ target: "primary", failure: "timeout" }));
    warn.mockRestore();
  });

  it("no room for a probe and its publication: no probe", async () => {
    const handler = createProbeHandler({ settings: settings(await answering(200)), logger, publish: async () => undefined });
    expect(await handler({}, { getRemainingTimeInMillis: () => PROBE_PUBLISH_BUDGET_MS })).toEqual({ probes: 0, healthy: 0, published: 0 });
  });
});

describe("the datapoint", () => {
  it("is the alarm's metric: 1 or 0 at the probe's start, one-second resolution, the target as dimension", () => {
    const at = Date.UTC(2026, 10, 26, 3, 0, 10);
    expect(sampleDatum({ target: "primary", at, healthy: false, error: "timeout", latencyMs: 4000 })).toEqual({
      MetricName: PROBE_METRIC.name,
      Dimensions: [{ Name: PROBE_METRIC.targetDimension, Value: "primary" }],
      Timestamp: new Date(at),
      Value: 0,
      Unit: "None",
      StorageResolution: 1,
    });
    expect(sampleDatum({ target: "primary", at, healthy: true, status: 200, latencyMs: 12 }).Value).toBe(1);
  });
});
