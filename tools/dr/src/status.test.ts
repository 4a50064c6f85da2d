import { EXIT_CODES } from "@payments-dr/cli-support";
import { drRegionOutputs, primaryRegionOutputs } from "@payments-dr/synth";
import { validateStatusReport } from "./status-schema";
import { DR, FakeClock, fakeFetch, FakeWorld, hangs, healthy, HOME, outputs, runDr, type DrOptions } from "./test-support";

let world: FakeWorld;

beforeEach(() => {
  world = new FakeWorld(outputs, new FakeClock());
});
afterEach(() => world.restore());

const dr = (args: string[], options?: DrOptions) => runDr(world, args, options);
const calls = (command: string) => world.calls.filter((c) => c.command === command);

describe("status", () => {
  it("--json output matches the StatusReport schema and reports roles, lag, health, replicas and S3 rules", async () => {
    const { code, stdout } = await dr(["status", "--json"]);
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.writerRegion).toBe(HOME);
    const [home, drRegion] = report.regions;
    expect(home).toMatchObject({ region: HOME, role: "writer", replicationLagSeconds: null, api: { ok: true, httpStatus: 200 } });
    expect(drRegion).toMatchObject({ region: DR, role: "reader", replicationLagSeconds: 0.8, route53HealthCheck: { healthy: true, checkersHealthy: 4, checkersTotal: 4, disabled: false, inverted: false } });
    expect(report.sessions.replicas).toEqual([{ region: DR, status: "ACTIVE" }]);
    expect(report.apiKeys).toEqual({ table: primaryRegionOutputs.apiKeysTableName, tableStatus: "ACTIVE", replicas: [{ region: DR, status: "ACTIVE" }] });
    expect(report.s3Replication.rules).toEqual([{ id: "payments-dr-replicate-all", status: "Enabled", destinationBucket: drRegionOutputs.bucketArn }]);
    expect(report.primaryProbe).toEqual({ region: DR, target: "primary", healthy: true, at: expect.any(String), failedInARow: 0 });
  });

  it("shows what the DR region's probe sees of the primary: read in the DR region only, failures in a row counted from the newest", async () => {
    world.down.add(HOME);
    world.probeValues = [0, 0, 0, 1, 1];
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: hangs, [drRegionOutputs.healthUrl]: world.health(DR) });
    const { stdout } = await dr(["status", "--json"], { fetch });
    const report = JSON.parse(stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.primaryProbe).toMatchObject({ region: DR, healthy: false, failedInARow: 3 });
    expect(calls("GetMetricData").filter((c) => (c.input as { MetricDataQueries: { Id: string }[] }).MetricDataQueries[0]!.Id === "probe").map((c) => c.region)).toEqual([DR]);
    expect((await dr(["status"], { fetch })).stdout).toMatch(/primary \/health probed from us-east-2: UNHEALTHY at .*, 3 failed in a row/);
    // No datapoint: no probe deployed, or it stopped reporting; never read as healthy.
    world.probeValues = [];
    expect(JSON.parse((await dr(["status", "--json"], { fetch })).stdout).primaryProbe).toMatchObject({ healthy: null, at: null, failedInARow: 0 });
  });

  it("reports a metric GetMetricData could not read (StatusCode InternalError or Forbidden, with HTTP 200) as an error, not as no datapoint", async () => {
    world.metricDataStatus = "InternalError";
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.primaryProbe).toMatchObject({ healthy: null, error: expect.stringMatching(/GetMetricData of ApiHealthy in us-east-2 answered InternalError/) });
    expect(report.regions[1]).toMatchObject({ replicationLagSeconds: null, lagError: expect.stringMatching(/GetMetricData of AuroraGlobalDBRPOLag in us-east-2 answered InternalError/) });
    expect((await dr(["status"])).stdout).toMatch(/primary \/health probed from us-east-2: error: GetMetricData of ApiHealthy in us-east-2 answered InternalError/);
    world.metricDataStatus = "Forbidden";
    expect(JSON.parse((await dr(["status", "--json"])).stdout).primaryProbe.error).toMatch(/answered Forbidden \(Forbidden: /);
  });

  it("reads every page of the probe's datapoints (PartialData, then NextToken): the failures in a row are not cut at a page", async () => {
    world.metricDataPageSize = 2;
    world.probeValues = [0, 0, 0, 1, 1];
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(report.primaryProbe).toMatchObject({ healthy: false, failedInARow: 3 });
    const probeReads = calls("GetMetricData").filter((c) => (c.input as { MetricDataQueries: { Id: string }[] }).MetricDataQueries[0]!.Id === "probe");
    expect(probeReads.map((c) => (c.input as { NextToken?: string }).NextToken)).toEqual([undefined, "2", "4"]);
  });

  it("flags a Route 53 check an operator disabled: Route 53 holds it healthy whatever its checkers see, so the failover record would never fail over", async () => {
    world.disabledHealthChecks.add(outputs.global.primaryHealthCheckId);
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].route53HealthCheck).toMatchObject({ healthy: true, disabled: true, inverted: false });
    expect((await dr(["status"])).stdout).toMatch(/healthy 4\/4 DISABLED \(always healthy: no DNS failover\)/);
  });

  it("reads a Route 53 check disabled and inverted as unhealthy: Route 53 holds a disabled check healthy, then inverts that (the way to force DNS off a region)", async () => {
    world.disabledHealthChecks.add(outputs.global.primaryHealthCheckId);
    world.invertedHealthChecks.add(outputs.global.primaryHealthCheckId);
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].route53HealthCheck).toMatchObject({ healthy: false, disabled: true, inverted: true });
    expect((await dr(["status"])).stdout).toMatch(/UNHEALTHY 4\/4 DISABLED INVERTED \(always unhealthy: DNS never answers with its record\)/);
    // Inverted alone reverses what the checkers see.
    world.disabledHealthChecks.clear();
    expect(JSON.parse((await dr(["status", "--json"])).stdout).regions[0].route53HealthCheck).toMatchObject({ healthy: false, disabled: false, inverted: true });
  });

  it("shows who each region's alarms page, read in that region: a confirmed subscription only the topic's owner can remove is fine", async () => {
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    for (const [i, topicArn] of [primaryRegionOutputs.alertTopicArn, drRegionOutputs.alertTopicArn].entries()) {
      expect(report.regions[i].alerts).toEqual({ topicArn, subscriptions: [{ protocol: "email", endpoint: "oncall@example.com", state: "confirmed", authenticated: true }] });
    }
    expect(calls("ListSubscriptionsByTopic").map((c) => [c.region, (c.input as { TopicArn: string }).TopicArn]).sort()).toEqual([
      [HOME, primaryRegionOutputs.alertTopicArn],
      [DR, drRegionOutputs.alertTopicArn],
    ]);
    const { stdout } = await dr(["status"]);
    expect(stdout).toContain(`alerts from ${DR} (${drRegionOutputs.alertTopicArn}): email oncall@example.com confirmed\n`);
    expect(stdout).not.toMatch(/PAGE NOBODY|PENDING|UNSUBSCRIBE/);
  });

  it("flags what stops paging without a word: a subscription still pending (none confirmed: its alarms page nobody), one any alert's unsubscribe link removes, a topic with none", async () => {
    world.alertSubscriptions[drRegionOutputs.alertTopicArn] = [{ protocol: "email", endpoint: "oncall@example.com", state: "pending" }];
    world.alertSubscriptions[primaryRegionOutputs.alertTopicArn] = [
      { protocol: "email", endpoint: "oncall@example.com", state: "confirmed-unauthenticated" },
      { protocol: "https", endpoint: "https://events.example.com/sns" },
    ];
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[1].alerts.subscriptions).toEqual([{ protocol: "email", endpoint: "oncall@example.com", state: "pending", authenticated: null }]);
    expect(report.regions[0].alerts.subscriptions.map((s: { authenticated: boolean }) => s.authenticated)).toEqual([false, true]);
    // A pending subscription has no ARN to ask about.
    expect(calls("GetSubscriptionAttributes").map((c) => c.region)).toEqual([HOME, HOME]);

    const { stdout } = await dr(["status"]);
    expect(stdout).toContain(`alerts from ${DR} (${drRegionOutputs.alertTopicArn}): email oncall@example.com PENDING CONFIRMATION (SNS deletes it 48 h after it was made); its alarms PAGE NOBODY (README, Deploy: confirm with --authenticate-on-unsubscribe true)`);
    expect(stdout).toContain(
      `alerts from ${HOME} (${primaryRegionOutputs.alertTopicArn}): email oncall@example.com confirmed without --authenticate-on-unsubscribe: ANY ALERT'S UNSUBSCRIBE LINK REMOVES IT, https https://events.example.com/sns confirmed (README`,
    );
    world.alertSubscriptions[drRegionOutputs.alertTopicArn] = [];
    expect((await dr(["status"])).stdout).toContain(`alerts from ${DR} (${drRegionOutputs.alertTopicArn}): no subscription (alertEmail unset, or SNS deleted it unconfirmed: refresh, then up, makes it again); its alarms PAGE NOBODY\n`);
  });

  it("believes the attributes over the listing: a listed ARN whose attributes say pending is pending, and a confirmed one that does not say it was authenticated counts as removable", async () => {
    world.alertSubscriptions[primaryRegionOutputs.alertTopicArn] = [
      { protocol: "email", endpoint: "a@example.com", state: "pending-listed" },
      { protocol: "email", endpoint: "b@example.com", state: "confirmed-unstated" },
    ];
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].alerts.subscriptions).toEqual([
      { protocol: "email", endpoint: "a@example.com", state: "pending", authenticated: null },
      { protocol: "email", endpoint: "b@example.com", state: "confirmed", authenticated: false },
    ]);
    expect((await dr(["status"])).stdout).toContain("email b@example.com confirmed without --authenticate-on-unsubscribe: ANY ALERT'S UNSUBSCRIBE LINK REMOVES IT");
  });

  it("reads every page of a topic's subscriptions, and reports one it cannot read as an error, the rest of the report as read", async () => {
    world.subscriptionPageSize = 1;
    world.alertSubscriptions[primaryRegionOutputs.alertTopicArn] = [
      { protocol: "email", endpoint: "a@example.com", state: "pending" },
      { protocol: "email", endpoint: "b@example.com" },
    ];
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(report.regions[0].alerts.subscriptions.map((s: { endpoint: string; state: string }) => [s.endpoint, s.state])).toEqual([
      ["a@example.com", "pending"],
      ["b@example.com", "confirmed"],
    ]);
    world.failing.set("sns/ListSubscriptionsByTopic", () => Object.assign(new Error("User is not authorized to perform: SNS:ListSubscriptionsByTopic"), { name: "AuthorizationErrorException" }));
    const denied = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(denied)).toEqual([]);
    expect(denied.regions[0].alerts).toEqual({ topicArn: primaryRegionOutputs.alertTopicArn, subscriptions: [], error: expect.stringMatching(/not authorized to perform: SNS:ListSubscriptionsByTopic/) });
    expect(denied.regions[0].role).toBe("writer");
    expect((await dr(["status"])).stdout).toMatch(/alerts from us-east-1 \(\S+\): error: AuthorizationErrorException: User is not authorized/);
  });

  it("shows an unsubscribed subscription as deleted (SNS lists it `Deleted`), and one whose attributes it may not read as confirmed with that unknown, naming the refusal", async () => {
    world.alertSubscriptions[drRegionOutputs.alertTopicArn] = [{ protocol: "email", endpoint: "oncall@example.com", state: "deleted" }];
    const { stdout } = await dr(["status"]);
    expect(stdout).toContain(
      `alerts from ${DR} (${drRegionOutputs.alertTopicArn}): email oncall@example.com DELETED (unsubscribed); its alarms PAGE NOBODY (a deleted one: refresh, then up, makes it again)\n`,
    );
    // GetSubscriptionAttributes takes no topic ARN: a policy scoped to the topics refuses it.
    world.failing.set("sns/GetSubscriptionAttributes", () => Object.assign(new Error("User is not authorized to perform: SNS:GetSubscriptionAttributes"), { name: "AuthorizationErrorException" }));
    const report = JSON.parse((await dr(["status", "--json"])).stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[0].alerts).toEqual({
      topicArn: primaryRegionOutputs.alertTopicArn,
      subscriptions: [{ protocol: "email", endpoint: "oncall@example.com", state: "confirmed", authenticated: null }],
      error: "GetSubscriptionAttributes: AuthorizationErrorException: User is not authorized to perform: SNS:GetSubscriptionAttributes",
    });
    expect((await dr(["status"])).stdout).toContain(`email oncall@example.com confirmed (who may unsubscribe it: not read); error: GetSubscriptionAttributes: AuthorizationErrorException`);
  });

  it("the schema validator rejects a report of the wrong shape", () => {
    expect(validateStatusReport({ schemaVersion: 1, regions: "none" })).toEqual(
      expect.arrayContaining(["$.generatedAt: expected string", "$.regions: expected array"]),
    );
  });

  it("a region whose API does not answer is reported as failing, and the report is still schema-valid", async () => {
    world.down.add(DR);
    const fetch = fakeFetch({ [primaryRegionOutputs.healthUrl]: healthy, [drRegionOutputs.healthUrl]: hangs });
    const { code, stdout } = await dr(["status", "--json"], { fetch });
    const report = JSON.parse(stdout);
    expect(code).toBe(EXIT_CODES.ok);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.regions[1].api).toMatchObject({ ok: false, httpStatus: null, error: "no answer within 50 ms" });
    expect(report.regions[1].cluster.error).toMatch(/ETIMEDOUT/);
  });

  it("reads the global cluster from the DR region first: the one that answers during a primary outage", async () => {
    await dr(["status", "--json"]);
    expect(calls("DescribeGlobalClusters")[0]).toMatchObject({ region: DR });
  });

  it("prints a human table by default", async () => {
    const { stdout } = await dr(["status"]);
    expect(stdout).toMatch(/writer: us-east-1/);
    expect(stdout).toMatch(/us-east-2\s+dr-region\s+reader\s+available/);
  });

  it("still reports (exit 0) when neither region's RDS answers: the global cluster shows the last error, roles unknown, the rest as read", async () => {
    world.failing.set("rds/DescribeGlobalClusters", () => Object.assign(new Error("connect ETIMEDOUT rds.us-east-1.amazonaws.com:443"), { name: "TimeoutError" }));
    const json = await runDr(world, ["status", "--json"]);
    expect(json.code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(json.stdout);
    expect(validateStatusReport(report)).toEqual([]);
    expect(report.globalCluster.error).toBe("TimeoutError: connect ETIMEDOUT rds.us-east-1.amazonaws.com:443");
    expect(report.regions.map((r: { role: string }) => r.role)).toEqual(["unknown", "unknown"]);
    // Both regions were asked, the DR region first.
    expect(world.calls.filter((c) => c.command === "DescribeGlobalClusters").map((c) => c.region)).toEqual(["us-east-2", "us-east-1"]);

    const human = await runDr(world, ["status"]);
    expect(human.code).toBe(EXIT_CODES.ok);
    expect(human.stdout).toMatch(/global cluster payments-dr-aurora-\S+: error: TimeoutError: connect ETIMEDOUT/);
  });
});
