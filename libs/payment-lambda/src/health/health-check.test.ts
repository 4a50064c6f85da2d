import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import type { RegionRole } from "../config/environment";
import { createDatabase } from "../db/database";
import { migrate, startEndpoint, startPostgres, startSilentServer, holdUnreachableEndpoint, urlOnPort, withClient, type PostgresServer } from "../test-support/database";
import { getHealth } from "../test-support/events";
import { testApi, testSettings, type TestApi } from "../test-support/runtime";
import { HEALTH_CACHE_TTL_MS, HEALTH_CHECK_BUDGET_MS, ROUTE53_CHECK_TIMEOUTS_MS } from "./contract";
import { createLogger } from "../observability/logger";
import { HealthCheck, probeDatabase, type DatabaseProbe, type HealthCheckOptions, type ProbeOptions } from "./health-check";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
  await migrate(server.url);
});
afterAll(() => server?.stop());

/** Out of reach: another region's writer, or a secondary's inactive cluster endpoint. */
const unreachableUrl = holdUnreachableEndpoint(() => server);

/** A fresh container: its first health check opens a fresh connection. */
async function healthOf(role: RegionRole, health: HealthCheckOptions = {}, url = server.url): Promise<{ status: number; body: unknown; headers: Record<string, unknown>; api: TestApi }> {
  const api = testApi(testSettings(url, { role }), { health });
  const response = await api.handler(getHealth());
  return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers ?? {}, api };
}

/** The 503 of a region that cannot serve its role: a problem like every error, naming the role and nothing more. */
function expectRegionUnavailable({ status, body, headers }: { status: number; body: unknown; headers: Record<string, unknown> }, role: RegionRole): void {
  expect(status).toBe(503);
  expect(headers["Content-Type"]).toBe("application/problem+json");
  expect(headers["Retry-After"]).toBe("2");
  expect(body).toEqual({
    type: "tag:payments-dr,2025:problems/region-unavailable",
    title: "This region cannot serve its role now",
    status: 503,
    detail: `This region cannot serve its role (${role}) now.`,
    requestId: expect.any(String),
    role,
  });
}

async function withReadOnlyDatabase(work: () => Promise<void>): Promise<void> {
  await withClient(server.url, (client) => client.query("ALTER DATABASE postgres SET default_transaction_read_only = on"));
  try {
    await work();
  } finally {
    await withClient(server.url, (client) => client.query("BEGIN READ WRITE; ALTER DATABASE postgres RESET default_transaction_read_only; COMMIT"));
  }
}

/** Waits until new sessions see `name` set to `value`: pg_reload_conf() only signals the server. */
async function untilSetting(name: string, value: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const { rows } = await withClient(server.url, (client) => client.query<{ value: string }>("SELECT current_setting($1) AS value", [name]));
    if (rows[0]!.value === value || tries >= 50) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `work` while every commit that wrote WAL waits forever, as on Aurora's writer under
 * rds.global_db_rpo while the secondaries lag, or with its storage full: here for a synchronous
 * standby that never comes. Reads, and the recovery and read-only flags, answer as before.
 */
async function withCommitsHanging(work: () => Promise<void>): Promise<void> {
  await withClient(server.url, async (client) => {
    // One statement each: ALTER SYSTEM refuses to run in the implicit transaction of several.
    await client.query("ALTER SYSTEM SET synchronous_commit = on");
    await client.query("ALTER SYSTEM SET synchronous_standby_names = 'phantom'");
    await client.query("SELECT pg_reload_conf()");
  });
  await untilSetting("synchronous_standby_names", "phantom");
  try {
    await work();
  } finally {
    await withClient(server.url, async (client) => {
      await client.query("ALTER SYSTEM RESET synchronous_commit");
      await client.query("ALTER SYSTEM RESET synchronous_standby_names");
      await client.query("SELECT pg_reload_conf()");
      // The reload releases the waiting sessions; any still waiting is ended, so none outlives the test.
      await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
    });
    await untilSetting("synchronous_standby_names", "");
  }
}

/** Probes `url` on a connection of its own, closed after. */
async function probeOnce(url: string, options: ProbeOptions = {}): Promise<DatabaseProbe> {
  const db = createDatabase(testSettings(url).database, { logger: createLogger({ serviceName: "payments-health-test", metricsNamespace: "Test", logLevel: "SILENT" }) });
  try {
    return await probeDatabase(db.writer, options);
  } finally {
    await db.close();
  }
}

/** A TCP proxy in front of the server, whose connections can go silent, as through a network that drops their packets; new ones still go through. */
interface SilencingProxy {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** The connections open now stop forwarding, both ways, without closing. */
  silence(): void;
  close(): Promise<void>;
}

async function startSilencingProxy(): Promise<SilencingProxy> {
  const sockets = new Set<Socket>();
  const silenced = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(server.port, server.host);
    sockets.add(client).add(upstream);
    client.on("data", (data: Buffer) => void (silenced.has(client) || upstream.write(data)));
    upstream.on("data", (data: Buffer) => void (silenced.has(client) || client.write(data)));
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  let connections = 0;
  proxy.on("connection", () => connections++);
  return {
    url: urlOnPort(server, (proxy.address() as AddressInfo).port),
    get connections() {
      return connections;
    },
    silence: () => sockets.forEach((socket) => silenced.add(socket)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

describe("/health (Route 53 failover reads it)", () => {
  it("primary, writable → 200 with a minimal body", async () => {
    const { status, body, api } = await healthOf("primary");
    await api.close();
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok", role: "primary" });
  });

  it("primary, read-only → 503: a demoted primary must not keep the traffic", async () => {
    await withReadOnlyDatabase(async () => {
      const health = await healthOf("primary");
      await health.api.close();
      expectRegionUnavailable(health, "primary");
      expect(health.api.metrics.counts.HealthCheckFailed).toBe(1);
    });
  });

  it("in recovery (a secondary's endpoint, or a writer demoted by a switchover) → 503 for primary, 200 for dr", async () => {
    await server.setInRecovery(true);
    try {
      const primary = await healthOf("primary");
      await primary.api.close();
      expectRegionUnavailable(primary, "primary");
      const dr = await healthOf("dr");
      await dr.api.close();
      expect(dr.status).toBe(200);
    } finally {
      await server.setInRecovery(false);
    }
  });

  it("dr, read-only → 200 (pitfall: DR /health failing because its DB is read-only → DNS never fails over)", async () => {
    await withReadOnlyDatabase(async () => {
      const { status, body, api } = await healthOf("dr");
      await api.close();
      expect(status).toBe(200);
      expect(body).toEqual({ status: "ok", role: "dr" });
    });
  });

  it("dr asks its own region's endpoint, never the global writer's (pitfall: DR /health tied to the primary's database → DNS never fails over)", async () => {
    // The writer's endpoint is out of reach, as the global writer in the failed region is; this region's answers read-only.
    await withReadOnlyDatabase(async () => {
      const settings = testSettings(server.url, { role: "dr" });
      const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: unreachableUrl(), readerUrl: server.url } } });
      const response = await api.handler(getHealth());
      await api.close();
      expect(response.statusCode).toBe(200);
    });
  });

  it("dr asks its own region's endpoint only, writable too (promoted by a failover): never the global writer's, wherever it points (pitfall: DR /health tied to the primary's database)", async () => {
    // The test above has a read-only endpoint, where asking no further is also the primary's rule; here it is writable.
    const silent = await startSilentServer();
    try {
      const settings = testSettings(server.url, { role: "dr" });
      const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: urlOnPort(server, silent.port), readerUrl: server.url } } });
      const response = await api.handler(getHealth());
      await api.close();
      expect(response.statusCode).toBe(200);
      expect(silent.connections).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it("primary asks its own region's endpoint too: reachable writer, unreachable regional endpoint → 503", async () => {
    const settings = testSettings(server.url, { role: "primary" });
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: server.url, readerUrl: unreachableUrl() } } });
    const response = await api.handler(getHealth());
    await api.close();
    expect(response.statusCode).toBe(503);
  });

  it("primary asks the writer its writes go through as well: its own cluster writable but the global writer out of reach (an old primary back before Aurora demoted it, after a failover) → 503", async () => {
    const settings = testSettings(server.url, { role: "primary" });
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: unreachableUrl(), readerUrl: server.url } } });
    const response = await api.handler(getHealth());
    await api.close();
    expect(response.statusCode).toBe(503);
  });

  it("primary whose own cluster is read-only (a secondary now) answers 503 without asking the global writer, out of reach in the other region", async () => {
    // The other region's writer as seen from here: connections are taken and never answered.
    const silent = await startSilentServer();
    const silentUrl = urlOnPort(server, silent.port);
    try {
      await withReadOnlyDatabase(async () => {
        const settings = testSettings(server.url, { role: "primary" });
        const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: silentUrl, readerUrl: server.url } } });
        const response = await api.handler(getHealth());
        await api.close();
        expect(response.statusCode).toBe(503);
        // Asked anyway, it would wait out the connect timeout and log a failure every few seconds.
        expect(silent.connections).toBe(0);
      });
    } finally {
      await silent.close();
    }
  });

  it("primary asks the global writer on a new connection each time: once the endpoint names the other region's cluster, a connection kept to the old writer, still up and writable, must not keep it healthy", async () => {
    const endpoint = await startEndpoint(server, "forward");
    let now = 1_000_000;
    const settings = testSettings(server.url, { role: "primary" });
    const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: endpoint.url, readerUrl: server.url } } }, { health: { ttlMs: 5000, now: () => now } });
    try {
      expect((await api.handler(getHealth())).statusCode).toBe(200);
      expect(api.runtime.db.writer.isOpen).toBe(false);
      // A writer connection kept by other work of the container (payments, where /health shares
      // the api function's containers, as in the local adapter) is not the one asked either.
      await api.runtime.db.writer.use((client) => client.query("SELECT 1"));
      endpoint.set("refuse");
      now += 5001;
      expect((await api.handler(getHealth())).statusCode).toBe(503);
    } finally {
      await api.close();
      await endpoint.close();
    }
  });

  it("keeps its connection to its own region's endpoint from one check to the next (a new one would spend the 1 s budget on a connect): only the global writer is asked afresh", async () => {
    // The writer on a URL of its own: the two connections apart, as the two endpoints are in AWS.
    const settings = testSettings(server.url, { role: "primary" });
    const primary = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: `${server.url}?application_name=global-writer`, readerUrl: server.url } } });
    const dr = testApi(testSettings(server.url, { role: "dr" }));
    try {
      expect((await primary.handler(getHealth())).statusCode).toBe(200);
      expect(primary.runtime.db.reader.isOpen).toBe(true);
      expect(primary.runtime.db.writer.isOpen).toBe(false);
      expect((await dr.handler(getHealth())).statusCode).toBe(200);
      expect(dr.runtime.db.reader.isOpen).toBe(true);
    } finally {
      await primary.close();
      await dr.close();
    }
  });

  it("database down → 503 for either role", async () => {
    await server.pause();
    try {
      for (const role of ["primary", "dr"] as const) {
        const health = await healthOf(role);
        await health.api.close();
        expectRegionUnavailable(health, role);
      }
    } finally {
      await server.resume();
    }
  });

  it("logs why a probe failed, since the 503 says only that the region is unavailable", async () => {
    const logger = createLogger({ serviceName: "payments-health-test", metricsNamespace: "Test", logLevel: "SILENT" });
    const warn = jest.spyOn(logger, "warn");
    await server.pause();
    try {
      const api = testApi(testSettings(server.url, { role: "primary" }), { logger });
      expectRegionUnavailable(await api.handler(getHealth()).then((r) => ({ status: r.statusCode, body: JSON.parse(r.body), headers: r.headers ?? {} })), "primary");
      await api.close();
    } finally {
      await server.resume();
    }
    expect(warn).toHaveBeenCalledWith("Health probe failed", { error: expect.objectContaining({ name: expect.any(String), message: expect.any(String) }) });
  });

  it("primary whose commits hang while its flags say writable (pitfall: Aurora's rds.global_db_rpo, a writer hung on commit) → 503 within its budget", async () => {
    await withCommitsHanging(async () => {
      // What the flags alone would say: writable.
      expect(await probeOnce(server.url)).toEqual({ writable: true });
      const started = Date.now();
      const health = await healthOf("primary");
      const elapsed = Date.now() - started;
      await health.api.close();
      expectRegionUnavailable(health, "primary");
      expect(elapsed).toBeLessThan(HEALTH_CHECK_BUDGET_MS + 500);
    });
  });

  it("primary with a writer of its own (the global writer) whose commits hang → 503: the writer's probe commits", async () => {
    await withCommitsHanging(async () => {
      const settings = testSettings(server.url, { role: "primary" });
      const api = testApi({ ...settings, database: { ...settings.database, endpoints: { kind: "url", url: `${server.url}?application_name=global-writer`, readerUrl: server.url } } });
      const response = await api.handler(getHealth());
      await api.close();
      expect(response.statusCode).toBe(503);
    });
  });

  it("dr never writes: commits hanging leave it healthy (pitfall: DR /health failing on what only a writer needs)", async () => {
    await withCommitsHanging(async () => {
      const { status, api } = await healthOf("dr");
      await api.close();
      expect(status).toBe(200);
    });
  });

  it("a kept connection gone silent does not hold the next check: the probe past its budget is cut off, and the next check reconnects", async () => {
    const proxy = await startSilencingProxy();
    let now = 1_000_000;
    const api = testApi(testSettings(proxy.url, { role: "primary" }), { health: { ttlMs: 5000, now: () => now } });
    try {
      expect((await api.handler(getHealth())).statusCode).toBe(200);
      proxy.silence();
      now += 5001;
      expect((await api.handler(getHealth())).statusCode).toBe(503);
      now += 5001;
      // Without the cut, this check would queue behind the hung one until its statement timeout.
      const started = Date.now();
      expect((await api.handler(getHealth())).statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(HEALTH_CHECK_BUDGET_MS);
      expect(proxy.connections).toBe(2);
    } finally {
      await api.close();
      await proxy.close();
    }
  });

  it("reuses a result within its TTL, then checks again", async () => {
    let now = 1_000_000;
    const api = testApi(testSettings(server.url), { health: { ttlMs: 5000, now: () => now } });
    try {
      expect((await api.handler(getHealth())).statusCode).toBe(200);
      await server.pause();
      now += 4000;
      expect((await api.handler(getHealth())).statusCode).toBe(200);
      now += 1001;
      expect((await api.handler(getHealth())).statusCode).toBe(503);
    } finally {
      await server.resume();
      await api.close();
    }
  });
});

describe("probeDatabase with commit", () => {
  it("commits on a writable database: the heartbeat row is written", async () => {
    const beatAt = () => withClient(server.url, async (client) => (await client.query<{ at: string }>("SELECT beat_at::text AS at FROM health_heartbeat")).rows.map((r) => r.at));
    const [before] = await beatAt();
    expect(await probeOnce(server.url, { commit: true })).toEqual({ writable: true });
    const after = await beatAt();
    expect(after).toHaveLength(1);
    expect(after[0]! > before!).toBe(true);
  });

  it("is not writable where the heartbeat row is missing: nothing was committed, and the log says why (pitfall: a silent 503)", async () => {
    const url = await withClient(server.url, async (client) => {
      await client.query("DROP DATABASE IF EXISTS health_no_heartbeat");
      await client.query("CREATE DATABASE health_no_heartbeat");
      return server.urlFor("health_no_heartbeat");
    });
    await withClient(url, (client) => client.query("CREATE TABLE health_heartbeat (only_row boolean PRIMARY KEY, beat_at timestamptz NOT NULL)"));
    const why = "health_heartbeat has no row: migrations/004 not applied, or its row deleted";
    await expect(probeOnce(url, { commit: true })).rejects.toThrow(why);
    const onProbeFailure = jest.fn();
    const health = await healthOf("primary", { onProbeFailure }, url);
    await health.api.close();
    expectRegionUnavailable(health, "primary");
    expect(onProbeFailure).toHaveBeenCalledTimes(1);
    expect(onProbeFailure).toHaveBeenCalledWith(expect.objectContaining({ message: why }));
  });

  it("answers not writable, without an error, where a commit must not be tried: read-only or in recovery", async () => {
    await withReadOnlyDatabase(async () => {
      expect(await probeOnce(server.url, { commit: true })).toEqual({ writable: false });
    });
    await server.setInRecovery(true);
    try {
      expect(await probeOnce(server.url, { commit: true })).toEqual({ writable: false });
    } finally {
      await server.setInRecovery(false);
    }
  });
});

describe("HealthCheck", () => {
  it("shares one probe between concurrent callers", async () => {
    let probes = 0;
    const check = new HealthCheck("primary", async () => {
      probes++;
      return { writable: true };
    });
    const results = await Promise.all([check.status(), check.status(), check.status()]);
    expect(results).toEqual(Array(3).fill({ healthy: true, role: "primary" }));
    expect(probes).toBe(1);
  });

  it("records a probe that succeeds after its budget, so a cold container answers 200 once connected, not after the TTL", async () => {
    let probes = 0;
    const check = new HealthCheck("primary", async () => {
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { writable: true };
    }, { timeoutMs: 50, ttlMs: 5000 });
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await check.status()).toEqual({ healthy: true, role: "primary" });
    expect(probes).toBe(1);
  });

  it("a late healthy probe does not overwrite the answer of a newer check (the database demoted meanwhile)", async () => {
    let now = 1_000_000;
    const answers = [
      new Promise<{ writable: boolean }>((resolve) => setTimeout(() => resolve({ writable: true }), 150)),
      Promise.resolve({ writable: false }),
    ];
    let probes = 0;
    const check = new HealthCheck("primary", () => answers[probes++]!, { timeoutMs: 50, ttlMs: 5000, now: () => now });
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    now += 5001;
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    // The first probe answers, healthy, after the second check.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    expect(probes).toBe(2);
  });

  /**
   * A primary's check (20 ms budget, 5 s TTL) whose first probe misses its budget and answers
   * healthy when `lateBy` ms have passed; later probes answer `then`. Returns it with its probe count.
   */
  async function lateFirstAnswer(lateBy: number, then: DatabaseProbe): Promise<{ check: HealthCheck; probes: () => number; advance: (ms: number) => void }> {
    let now = 1_000_000;
    let answer: (probe: DatabaseProbe) => void = () => undefined;
    let probes = 0;
    const check = new HealthCheck("primary", () => (++probes === 1 ? new Promise<DatabaseProbe>((resolve) => (answer = resolve)) : Promise.resolve(then)), {
      timeoutMs: 20,
      ttlMs: 5000,
      now: () => now,
    });
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    now += lateBy;
    answer({ writable: true });
    await new Promise((resolve) => setImmediate(resolve));
    return { check, probes: () => probes, advance: (ms) => (now += ms) };
  }

  it("a late healthy answer counts from when its probe began (pitfall: one that lands as Lambda thaws the container, minutes on, trusted for a whole TTL)", async () => {
    const { check, probes } = await lateFirstAnswer(60_000, { writable: false });
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    expect(probes()).toBe(2);
  });

  it("a late healthy answer counts for what is left of its TTL", async () => {
    const { check, probes, advance } = await lateFirstAnswer(3000, { writable: true });
    expect(await check.status()).toEqual({ healthy: true, role: "primary" });
    expect(probes()).toBe(1);
    advance(2000);
    await check.status();
    expect(probes()).toBe(2);
  });

  it("tells a probe past its budget to stop, and one in time not", async () => {
    const signals: AbortSignal[] = [];
    let now = 1_000_000;
    const check = new HealthCheck("dr", (signal) => {
      signals.push(signal);
      return signals.length === 1 ? new Promise(() => undefined) : Promise.resolve({ writable: false });
    }, { timeoutMs: 20, ttlMs: 5000, now: () => now });
    await check.status();
    expect(signals[0]!.aborted).toBe(true);
    now += 5000;
    expect(await check.status()).toEqual({ healthy: true, role: "dr" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signals[1]!.aborted).toBe(false);
  });

  it("a late probe that finds the database read-only does not make the primary healthy", async () => {
    const check = new HealthCheck("primary", async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { writable: false };
    }, { timeoutMs: 20, ttlMs: 5000 });
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await check.status()).toEqual({ healthy: false, role: "primary" });
  });

  it("by default reuses an answer for HEALTH_CACHE_TTL_MS and no longer: the DNS failover's worst case counts that time", async () => {
    let now = 1_000_000;
    let probes = 0;
    const check = new HealthCheck("primary", async () => {
      probes++;
      return { writable: true };
    }, { now: () => now });
    await check.status();
    now += HEALTH_CACHE_TTL_MS - 1;
    await check.status();
    expect(probes).toBe(1);
    now += 1;
    await check.status();
    expect(probes).toBe(2);
  });

  it("by default gives the database HEALTH_CHECK_BUDGET_MS, within Route 53's window for an answer", async () => {
    expect(HEALTH_CHECK_BUDGET_MS).toBeLessThan(ROUTE53_CHECK_TIMEOUTS_MS.answer);
    const check = new HealthCheck("dr", () => new Promise(() => undefined));
    const started = Date.now();
    expect(await check.status()).toEqual({ healthy: false, role: "dr" });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(HEALTH_CHECK_BUDGET_MS - 5);
    expect(elapsed).toBeLessThan(HEALTH_CHECK_BUDGET_MS + 500);
  });

  it("reports unavailable when the probe outlives its budget", async () => {
    const check = new HealthCheck("dr", () => new Promise(() => undefined), { timeoutMs: 50 });
    const started = Date.now();
    expect(await check.status()).toEqual({ healthy: false, role: "dr" });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
