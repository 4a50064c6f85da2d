import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer, Server as HttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { probeTimeoutMs, type ProbeSettings, type ProbeTimeouts } from "../config/settings";
import { createLogger } from "../observability/logger";
import { freePort } from "../test-support/database";
import { sampleDatum } from "./cloudwatch-publisher";
import { PROBE_METRIC, PROBE_PUBLISH_BUDGET_MS } from "./contract";
import { createProbeHandler, probeHealth, scheduledTimeOf, type ProbeSample } from "./health-probe";

const servers: (Server | HttpsServer)[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** A local HTTP server answering with `listener`; its /health URL. */
async function serve(listener: RequestListener, server: Server | HttpsServer = createServer(listener)): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const scheme = server instanceof HttpsServer ? "https" : "http";
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

/** An HTTPS server with a self-signed certificate (made by openssl), answering 200. */
function selfSignedServer(): HttpsServer {
  const dir = mkdtempSync(join(tmpdir(), "probe-tls-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", key, "-out", cert], { stdio: "ignore" });
    return createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_request, response) => response.end("ok"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A port where a new TCP connection is never established: its listener's thread is blocked, so
 * nobody accepts, and once its accept queue is full the kernel drops further SYNs, as a region
 * whose endpoint is gone (or a firewall) does.
 */
async function unconnectable(): Promise<{ url: string; close(): Promise<void> }> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const server = require("node:net").createServer();
     server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
     });`,
    { eval: true, workerData: release },
  );
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  // Fill the accept queue: these connect, the next ones hang.
  const fillers: Socket[] = [];
  for (;;) {
    const socket = connect(port, "127.0.0.1");
    fillers.push(socket);
    const connected = await Promise.race([
      new Promise<boolean>((resolve) => socket.once("connect", () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200)),
    ]);
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}/health`,
    close: async () => {
      fillers.forEach((socket) => socket.destroy());
      Atomics.notify(release, 0);
      await worker.terminate();
    },
  };
}

/** Patient enough that a local answer never times out on a loaded CI machine. */
const PATIENT: ProbeTimeouts = { connectMs: 1000, answerMs: 1000 };

const answering = (status: number, headers: Record<string, string> = {}) =>
  serve((_request, response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(status === 200 ? { status: "ok", role: "primary" } : { type: "tag:payments-dr,2025:problems/region-unavailable", status, role: "primary" }));
  });

const logger = createLogger({ serviceName: "probe-test", metricsNamespace: "Test", logLevel: "SILENT" });

describe("probeHealth: healthy as Route 53 judges an HTTPS check", () => {
  it("200 is healthy", async () => {
    expect(await probeHealth("primary", await answering(200), PATIENT)).toMatchObject({ target: "primary", healthy: true, status: 200 });
  });

  it("503 (a primary that cannot write) is unhealthy, with its status", async () => {
    expect(await probeHealth("primary", await answering(503), PATIENT)).toMatchObject({ healthy: false, status: 503 });
  });

  it.each([400, 403, 404, 429])("%i (a rejected, blocked, misrouted or throttled check) is unhealthy: only 2xx and 3xx count, as for Route 53", async (status) => {
    expect(await probeHealth("primary", await answering(status), PATIENT)).toMatchObject({ healthy: false, status });
  });

  it("a 3xx is an answer, not followed: healthy", async () => {
    const sample = await probeHealth("primary", await answering(302, { location: "http://127.0.0.1:9/elsewhere" }), PATIENT);
    expect(sample).toMatchObject({ healthy: true, status: 302 });
  });

  it("connected, no answer within the answer timeout is unhealthy (`timeout`), and the probe returns then, not at the connect timeout", async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const sample = await probeHealth("primary", url, { connectMs: 2000, answerMs: 200 });
    expect(sample).toMatchObject({ healthy: false, error: "timeout" });
    expect(sample.status).toBeUndefined();
    expect(sample.latencyMs).toBeGreaterThanOrEqual(190);
    expect(sample.latencyMs).toBeLessThan(1000);
  });

  it("once connected, the connect timeout no longer counts: an answer past it, within the answer timeout of connecting, is healthy", async () => {
    const url = await serve((_request, response) => void setTimeout(() => response.end("ok"), 600));
    expect(await probeHealth("primary", url, { connectMs: 200, answerMs: 3000 })).toMatchObject({ healthy: true, status: 200 });
  });

  it("asks as Route 53's checkers do, a GET (the route has no other method), and names itself: AWS's common rule set blocks requests without a User-Agent", async () => {
    const requests: { method?: string; userAgent?: string }[] = [];
    const url = await serve((request, response) => {
      requests.push({ method: request.method, userAgent: request.headers["user-agent"] });
      response.end("ok");
    });
    expect(await probeHealth("primary", url, PATIENT)).toMatchObject({ healthy: true });
    expect(requests).toEqual([{ method: "GET", userAgent: "payments-dr-health-probe" }]);
  });

  it("closes its connection when it gives up: a target that never answers is not left holding one per probe", async () => {
    const server = createServer(() => undefined); // accepts, never answers
    const closed = new Promise<string>((resolve) => server.on("connection", (socket: Socket) => socket.once("close", () => resolve("closed"))));
    await probeHealth("primary", await serve(() => undefined, server), { connectMs: 1000, answerMs: 100 });
    const stillOpen = new Promise<string>((resolve) => setTimeout(() => resolve("still open"), 1000));
    expect(await Promise.race([closed, stillOpen])).toBe("closed");
  });

  it("gives up at its own timeout, not a multiple of it: the function's timeout leaves room for one probe timeout only", async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const sample = await probeHealth("primary", url, { connectMs: 2000, answerMs: 300 });
    expect(sample).toMatchObject({ healthy: false, error: "timeout" });
    expect(sample.latencyMs).toBeLessThan(800); // three timeouts would be 900 ms
  });

  it("a connection not established within the connect timeout is unhealthy (`timeout`), however long the answer timeout", async () => {
    const target = await unconnectable();
    try {
      const sample = await probeHealth("primary", target.url, { connectMs: 300, answerMs: 5000 });
      expect(sample).toMatchObject({ healthy: false, error: "timeout" });
      expect(sample.latencyMs).toBeGreaterThanOrEqual(290);
      expect(sample.latencyMs).toBeLessThan(2000);
    } finally {
      await target.close();
    }
  });

  it("connects anew for each probe, as Route 53's checkers do: a kept connection would skip the connect", async () => {
    const connections: Socket[] = [];
    const server = createServer((_request, response) => response.end("ok"));
    server.on("connection", (socket: Socket) => connections.push(socket));
    const url = await serve(() => undefined, server);
    await probeHealth("primary", url, PATIENT);
    await probeHealth("primary", url, PATIENT);
    expect(connections).toHaveLength(2);
  });

  it("speaks TLS to an https URL and checks the certificate: a self-signed one is a failure, named by its code", async () => {
    const sample = await probeHealth("primary", await serve(() => undefined, selfSignedServer()), PATIENT);
    expect(sample).toMatchObject({ healthy: false, error: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(sample.status).toBeUndefined();
  });

  it("a URL it cannot send to is a failed probe, named by its code, not a failed run", async () => {
    expect(await probeHealth("primary", "not a url", PATIENT)).toMatchObject({ healthy: false, error: "ERR_INVALID_URL" });
  });

  it("a refused connection is unhealthy, named by its code and nothing from the URL", async () => {
    const sample = await probeHealth("primary", `http://127.0.0.1:${await freePort()}/health`, PATIENT);
    expect(sample).toMatchObject({ healthy: false, error: "ECONNREFUSED" });
  });
});

// The probe functions' settings in these tests: room for a local answer on a loaded CI machine
// (a healthy server must never time out here).
const INTERVAL_MS = 500;
const TIMEOUTS: ProbeTimeouts = { connectMs: 200, answerMs: 200 };
const settings = (url: string): ProbeSettings => ({
  url,
  target: "primary",
  intervalMs: INTERVAL_MS,
  timeouts: TIMEOUTS,
  observability: { serviceName: "probe-test", metricsNamespace: "Test", logLevel: "SILENT" },
});

describe("the probe function", () => {
  const TIMEOUT_MS = probeTimeoutMs(TIMEOUTS);
  /** Room for exactly `probes` probes: the last starts when a timeout and the publication budget still fit. */
  const contextFor = (probes: number) => {
    const remaining = (probes - 1) * INTERVAL_MS + TIMEOUT_MS + PROBE_PUBLISH_BUDGET_MS + INTERVAL_MS / 2;
    const started = Date.now();
    return { getRemainingTimeInMillis: () => remaining - (Date.now() - started) };
  };

  it("probes every interval while a probe and the last publication fit, and publishes each sample", async () => {
    const published: ProbeSample[] = [];
    // The handler's first reading of the clock is the start of its run.
    let start: number | undefined;
    const now = () => {
      const time = Date.now();
      start ??= time;
      return time;
    };
    const handler = createProbeHandler({ settings: settings(await answering(200)), logger, publish: async (sample) => void published.push(sample), now });
    const run = await handler({}, contextFor(4));
    expect(run).toEqual({ probes: 4, healthy: 4, published: 4 });
    expect(published.map((sample) => sample.healthy)).toEqual([true, true, true, true]);
    // Each probe starts on its own schedule, counted from the run's start (not from the probe before it,
    // nor from the first probe, which a busy machine may start late).
    published.forEach((sample, i) => {
      const lateness = sample.at - (start! + i * INTERVAL_MS);
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

  it("starts a probe only while both its timeouts, connect and answer, and the publication budget still fit", async () => {
    const handler = createProbeHandler({ settings: settings(await answering(200)), logger, publish: async () => undefined });
    const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
    expect(await handler({}, remaining(TIMEOUT_MS + PROBE_PUBLISH_BUDGET_MS - 1))).toMatchObject({ probes: 0 });
    expect(await handler({}, remaining(TIMEOUT_MS + PROBE_PUBLISH_BUDGET_MS))).toMatchObject({ probes: 1 });
  });

  it("no room for a probe and its publication: no probe", async () => {
    const handler = createProbeHandler({ settings: settings(await answering(200)), logger, publish: async () => undefined });
    expect(await handler({}, { getRemainingTimeInMillis: () => PROBE_PUBLISH_BUDGET_MS })).toEqual({ probes: 0, healthy: 0, published: 0 });
  });
});

describe("the probe function on a schedule: Scheduler's 60-second precision", () => {
  // A period of PERIOD_MS stands in for the minute: four intervals of it.
  const PERIOD_MS = 4 * INTERVAL_MS;
  /** The function's timeout, as the stack sets it: a wait of up to a period, a period of probes, a probe's timeout and the publication. */
  const context = () => {
    const remaining = 2 * PERIOD_MS + probeTimeoutMs(TIMEOUTS) + PROBE_PUBLISH_BUDGET_MS;
    const started = Date.now();
    return { getRemainingTimeInMillis: () => remaining - (Date.now() - started) };
  };
  const event = (scheduledAt: number) => ({ scheduledTime: new Date(scheduledAt).toISOString() });
  /** Starts the run of the invocation due at `scheduledAt` once `arrival` is reached (Scheduler invokes anywhere in the minute after it). */
  async function runArriving(url: string, scheduledAt: number, arrival: number, published: ProbeSample[]) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, arrival - Date.now())));
    const handler = createProbeHandler({ settings: settings(url), logger, publish: async (sample) => void published.push(sample), schedulePeriodMs: PERIOD_MS });
    return handler(event(scheduledAt), context());
  }
  const offsets = (samples: ProbeSample[], origin: number) => samples.map((sample) => Math.round((sample.at - origin) / INTERVAL_MS));

  it("probes the period after the one it was due in, at the interval, wherever in its period it arrived: consecutive runs leave no gap and no double", async () => {
    const url = await answering(200);
    // Whole seconds, as Scheduler's scheduled times are.
    const scheduled = Math.ceil((Date.now() + 100) / 1000) * 1000;
    const published: ProbeSample[] = [];
    // The first arrives at once, the next at the end of its period: two periods apart; then one almost on the heels of the other.
    const runs = await Promise.all([
      runArriving(url, scheduled, scheduled, published),
      runArriving(url, scheduled + PERIOD_MS, scheduled + 2 * PERIOD_MS - INTERVAL_MS / 2, published),
      runArriving(url, scheduled + 2 * PERIOD_MS, scheduled + 2 * PERIOD_MS, published),
    ]);
    expect(runs.map((run) => run.probes)).toEqual([4, 4, 4]);
    published.sort((a, b) => a.at - b.at);
    // One probe per interval from S + period on, each on its slot.
    expect(offsets(published, scheduled + PERIOD_MS)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    published.forEach((sample, i) => {
      const lateness = sample.at - (scheduled + PERIOD_MS + i * INTERVAL_MS);
      expect(lateness).toBeGreaterThanOrEqual(-2);
      expect(lateness).toBeLessThan(300);
    });
  }, 20_000);

  it("arrived after its window began (Lambda's queue, a cold start): probes the slot it is in at once and skips the past ones", async () => {
    const published: ProbeSample[] = [];
    const scheduled = Date.now() - PERIOD_MS - INTERVAL_MS - INTERVAL_MS / 2;
    const run = await runArriving(await answering(200), scheduled, Date.now(), published);
    expect(run.probes).toBe(3);
    // Slot 0 is past; slot 1 is probed on arrival, within its own interval; then slots 2 and 3.
    expect(published[0]!.at - (scheduled + PERIOD_MS + INTERVAL_MS)).toBeLessThan(INTERVAL_MS);
    expect(offsets(published.slice(1), scheduled + PERIOD_MS)).toEqual([2, 3]);
  }, 20_000);

  it("reads Scheduler's scheduled time from the event, and none from an invocation by hand", () => {
    expect(scheduledTimeOf({ scheduledTime: "2022-03-22T18:59:43Z" })).toBe(Date.UTC(2022, 2, 22, 18, 59, 43));
    expect(scheduledTimeOf({})).toBeUndefined();
    expect(scheduledTimeOf(undefined)).toBeUndefined();
    expect(scheduledTimeOf({ scheduledTime: "<aws.scheduler.scheduled-time>" })).toBeUndefined();
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
