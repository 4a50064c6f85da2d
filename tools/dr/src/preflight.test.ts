import { EXIT_CODES } from "@payments-dr/cli-support";
import { auroraRpoLagQuery } from "@payments-dr/monitoring/aurora-lag";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { Aws } from "./aws";
import type { Context } from "./context";
import { preflight } from "./preflight";
import { bothApisUp, DR, FakeClock, fakeFetch, FakeWorld, healthy, HOME, outputs, runDr, type DrOptions } from "./test-support";
import { Topology } from "./topology";

let clock: FakeClock;
let world: FakeWorld;

beforeEach(() => {
  clock = new FakeClock();
  world = new FakeWorld(outputs, clock);
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);

describe("preflight", () => {
  it("passes when the DR region is healthy, in step and lagging under 15 s", async () => {
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(JSON.parse(stdout).checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(code).toBe(EXIT_CODES.ok);
  });

  it("counts no lag reading from before the target became a secondary (lagSince), and one whose minute ends after it", async () => {
    const target = new Topology(outputs).dr;
    const ctx = { topology: new Topology(outputs), aws: new Aws(world.clients(), clock), fetch: bothApisUp(world), clock, healthTimeoutMs: 50 } as unknown as Context;
    const global = await new Aws(world.clients(), clock).globalCluster(DR, outputs.primary.globalClusterId);
    const lagCheck = async (since: Date) => (await preflight(ctx, target, global, { lagSince: since })).checks.find((c) => c.name.startsWith("replication lag"));
    // The newest datapoint is stamped a minute ago and covers the minute up to now.
    expect(await lagCheck(clock.now())).toMatchObject({ ok: false, detail: expect.stringMatching(/no AuroraGlobalDBRPOLag datapoint since .* \(when us-east-2 became a secondary\)/) });
    expect(await lagCheck(new Date(clock.now().getTime() - 30_000))).toMatchObject({ ok: true, detail: expect.stringMatching(/^0\.8 s at/) });
  });

  it("refuses a lag reading whose minute ended over 3 minutes ago: the metric stopped, as it may when replication stalls", async () => {
    // The newest datapoint in the 5-minute window starts 4 min 50 s ago: its minute ended 3 min 50 s ago.
    world.lagDatapointAgeMs = 290_000;
    const stale = await dr(["preflight", "--to", DR, "--json"]);
    expect(stale.code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stale.stdout).checks).toContainEqual({ name: "replication lag under 15 s", ok: false, detail: expect.stringMatching(/^0\.8 s at .*older than 180 s: the metric stopped/) });
    // A minute and a half late is CloudWatch's usual delay: accepted.
    world.lagDatapointAgeMs = 150_000;
    expect((await dr(["preflight", "--to", DR, "--json"])).code).toBe(EXIT_CODES.ok);
  });

  it("names a lag GetMetricData could not read (StatusCode InternalError, with HTTP 200), not a missing datapoint to wait for", async () => {
    world.metricDataStatus = "InternalError";
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "replication lag under 15 s", ok: false, detail: expect.stringMatching(/^GetMetricData of AuroraGlobalDBRPOLag in us-east-2 answered InternalError/) });
  });

  it("reads Aurora's AuroraGlobalDBRPOLag of the target's own cluster with the alarms' Metrics Insights query, Maximum per minute, whatever its dimensions (the fake answers nothing else)", async () => {
    const { code } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const lagQuery = world.calls.find((c) => c.command === "GetMetricData" && c.region === DR && JSON.stringify(c.input).includes("AuroraGlobalDBRPOLag"));
    expect((lagQuery?.input as { MetricDataQueries: unknown[] }).MetricDataQueries).toEqual([
      { Id: "lag", Label: "AuroraGlobalDBRPOLag", Expression: auroraRpoLagQuery(outputs.dr.clusterIdentifier), Period: 60 },
    ]);
  });

  it("fails while the home region's Route 53 check is disabled: Route 53 holds it healthy, so DNS would not follow the move", async () => {
    world.disabledHealthChecks.add(outputs.global.primaryHealthCheckId);
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({
      name: "Route 53 check of us-east-1 enabled, not inverted",
      ok: false,
      detail: `disabled: Route 53 treats it as healthy, so DNS would not follow the move (aws route53 update-health-check --health-check-id ${outputs.global.primaryHealthCheckId} --no-disabled --no-inverted)`,
    });
  });

  it("fails while the home region's Route 53 check is disabled and inverted: Route 53 holds it unhealthy, so DNS stays on the DR region", async () => {
    world.disabledHealthChecks.add(outputs.global.primaryHealthCheckId);
    world.invertedHealthChecks.add(outputs.global.primaryHealthCheckId);
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({
      name: "Route 53 check of us-east-1 enabled, not inverted",
      ok: false,
      detail: `disabled and inverted: Route 53 treats it as unhealthy whatever us-east-1's /health answers, so DNS answers with us-east-2 and would not come back to us-east-1 (aws route53 update-health-check --health-check-id ${outputs.global.primaryHealthCheckId} --no-disabled --no-inverted)`,
    });
  });

  it("does not refuse a move when Route 53's API cannot be read (it lives in us-east-1): the check says it was not checked", async () => {
    world.failing.set("route53/GetHealthCheck", () => Object.assign(new Error("connect ETIMEDOUT route53.amazonaws.com:443"), { name: "TimeoutError" }));
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "Route 53 check of us-east-1 enabled, not inverted", ok: true, detail: expect.stringMatching(/^not checked: Route 53's API \(in us-east-1\) answered .*ETIMEDOUT/) });
  });

  it("fails when the target region's /health does not answer", async () => {
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: healthy, [drRegionOutputs.healthUrl]: async () => Promise.reject(new TypeError("fetch failed")) });
    const { code, stdout } = await dr(["preflight", "--to", "dr", "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: false, detail: `${drRegionOutputs.healthUrl}: TypeError: fetch failed` });
  });

  it("fails when the target region has no replica of the API keys table (its authorizer could not authenticate anyone)", async () => {
    world.missingTables.add(`${DR}/${primaryRegionOutputs.apiKeysTableName}`);
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual(expect.objectContaining({ name: "API keys replica active in target", ok: false, detail: expect.stringMatching(/not found/) }));
  });

  it("back to the home region, accepts its API's 503 for role primary: that /health is 200 only on the writer", async () => {
    world.writer = DR;
    const { code, stdout } = await dr(["preflight", "--to", HOME, "--json"]);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: true, detail: expect.stringMatching(/^HTTP 503 for role primary .*expected while us-east-1 is a secondary/) });
    expect(code).toBe(EXIT_CODES.ok);
  });

  it("back to the home region, a 503 that is not its function's (a gateway error) still fails", async () => {
    world.writer = DR;
    const gatewayError = async () => ({ status: 503, body: JSON.stringify({ message: "Service Unavailable" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: gatewayError, [drRegionOutputs.healthUrl]: world.health(DR) });
    const { code, stdout } = await dr(["preflight", "--to", HOME, "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "target API answers /health", ok: false, detail: `${primaryRegionOutputs.healthUrl}: HTTP 503` });
  });

  it("a 503 for role primary from the DR region's API fails: only the primary-region API answers so while healthy", async () => {
    const primary503 = async () => ({ status: 503, body: JSON.stringify({ type: "tag:payments-dr,2025:problems/region-unavailable", status: 503, role: "primary" }) });
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: world.health(HOME), [drRegionOutputs.healthUrl]: primary503 });
    const { code } = await dr(["preflight", "--to", DR, "--json"], { fetch });
    expect(code).toBe(EXIT_CODES.refused);
  });

  it("fails while a move is under way, when the target already holds the writer, and while the target resynchronizes", async () => {
    const failed = async (args: string[]) => {
      const { code, stdout } = await dr([...args, "--json"]);
      expect(code).toBe(EXIT_CODES.refused);
      return JSON.parse(stdout).checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name);
    };
    world.startMove(DR);
    expect(await failed(["preflight", "--to", DR])).toContain("no global-cluster operation in progress");
    world.restore();
    world = new FakeWorld(outputs, clock);
    // The global cluster's own status says so too, without a FailoverState.
    for (const status of ["switching-over", "failing-over"]) {
      world.status = status;
      expect(await failed(["preflight", "--to", DR])).toContain("no global-cluster operation in progress");
    }
    world.status = "available";
    expect(await failed(["preflight", "--to", HOME])).toContain("target is a secondary member");
    world.writer = DR;
    world.syncStatus[HOME] = "pending-resync";
    expect(await failed(["preflight", "--to", HOME])).toContain("target member synchronized");
  });

  it("fails on different engine versions", async () => {
    world.engineVersions[DR] = "16.4";
    const { code, stdout } = await dr(["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({ name: "engine versions equal", ok: false, detail: "target 16.4, writer 16.6" });
  });

  it("refuses (exit 2) while the home region's Route 53 check is inverted alone: Route 53 reads its /health backwards", async () => {
    world.invertedHealthChecks.add(outputs.global.primaryHealthCheckId);
    const { code, stdout } = await runDr(world, ["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    expect(JSON.parse(stdout).checks).toContainEqual({
      name: "Route 53 check of us-east-1 enabled, not inverted",
      ok: false,
      detail: `inverted: Route 53 reads its /health backwards (aws route53 update-health-check --health-check-id ${outputs.global.primaryHealthCheckId} --no-disabled --no-inverted)`,
    });
  });

  it("fails (exit 2) the cluster checks when a cluster cannot be described, naming the region and AWS's error, not a status", async () => {
    world.failing.set("rds/DescribeDBClusters", () => Object.assign(new Error(`DBCluster ${drRegionOutputs.clusterIdentifier} not found.`), { name: "DBClusterNotFoundFault" }));
    const { code, stdout } = await runDr(world, ["preflight", "--to", DR, "--json"]);
    expect(code).toBe(EXIT_CODES.refused);
    const checks = JSON.parse(stdout).checks as { name: string; ok: boolean; detail: string }[];
    const detail = `us-east-2: DBClusterNotFoundFault: DBCluster ${drRegionOutputs.clusterIdentifier} not found.`;
    expect(checks).toContainEqual({ name: "target cluster available", ok: false, detail });
    expect(checks).toContainEqual({ name: "engine versions equal", ok: false, detail });
  });
});
