import type * as aws from "@pulumi/aws";
import { COMPLIANCE_TAGS, RECOVERY_TARGETS, ResourceNamer, defaultMaxConnections, loadRegionalConfig, loadStackConfig } from "@payments-dr/conventions";
import { FAILOVER_TIMING } from "@payments-dr/failover/timing";
import { Plan, PlannedResource, stackRegion, synthesize } from "@payments-dr/synth";
import { auroraRpoLagQuery } from "../aurora-lag";
import { RegionalAlarms, RegionalAlarmTargets, regionalAlarmSpecs } from "./regional-alarms";
import { ALARM_DESCRIPTION_MAX_LENGTH, metricAlarmArgs } from "./alarm-spec";
import { BucketReplicationAlarms } from "./bucket-replication-alarms";
import { ReplicationAlarms, ReplicationAlarmsArgs, replicationAlarmSpecs } from "./replication-alarms";
import {
  AlarmThresholds,
  REPLICATION_WARNING_SHARE,
  alarmThresholds,
  defaultAlarmThresholds,
  loadAlarmThresholdOverrides,
  loadAlarmThresholds,
} from "./thresholds";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c";
const TOPIC = { "us-east-1": "arn:aws:sns:us-east-1:123456789012:payments-dr-alerts-use1-qa", "us-east-2": "arn:aws:sns:us-east-2:123456789012:payments-dr-alerts-use2-qa" };

function regionTargets(code: "use1" | "use2", role: "primary" | "dr"): RegionalAlarmTargets {
  return {
    lambda: { functionName: `payments-dr-payments-${code}-qa`, timeoutSeconds: 10 },
    health: { functionName: `payments-dr-health-${code}-qa` },
    api: { apiName: `payments-dr-api-${code}-qa`, stageName: "v1", healthPath: "/health" },
    aurora: { clusterIdentifier: `payments-dr-aurora-${code}-qa`, role },
  };
}

const REPLICATION: Omit<ReplicationAlarmsArgs, "namer" | "topicArn"> = {
  sessionsTable: { tableName: "payments-dr-sessions-qa", receivingRegion: "us-east-2" },
  apiKeysTable: { tableName: "payments-dr-api-keys-qa", receivingRegion: "us-east-2" },
  healthChecks: [
    { name: "primary", healthCheckId: "hc-primary-0001" },
    { name: "dr", healthCheckId: "hc-dr-0002" },
  ],
};

function provider(region: "us-east-1" | "us-east-2", project: string): aws.Provider {
  return stackRegion(region, { project, environmentSuffix: "qa" }).provider;
}

function namer(region: string): ResourceNamer {
  return new ResourceNamer({ environmentSuffix: "qa", region });
}

function alarmsOf(plan: Plan, component: string): Map<string, PlannedResource> {
  return new Map(plan.childrenOf(component).filter((r) => r.type === ALARM).map((r) => [r.name.slice(component.length + 1), r]));
}

describe("every alarm's description", () => {
  it("says what to do, within CloudWatch's 1024 characters, and a longer one stops the preview naming the alarm", () => {
    const t = defaultAlarmThresholds;
    const specs = [...regionalAlarmSpecs({ ...regionTargets("use1", "primary"), certificate: { certificateArn: CERTIFICATE } }, t), ...regionalAlarmSpecs(regionTargets("use2", "dr"), t), ...replicationAlarmSpecs(REPLICATION, t)];
    for (const spec of specs) expect([spec.role, spec.description.length <= ALARM_DESCRIPTION_MAX_LENGTH]).toEqual([spec.role, true]);
    // A fenced region throttles and answers 5xx by design: those alarms say not to undo the fence.
    for (const role of ["lambda-throttles", "health-throttles", "api-5xx"]) expect(specs.find((s) => s.role === role)!.description).toMatch(/FENCED.*do not raise the reserved concurrency or run `up`/);
    // What a failing /health does depends on the region and on a custom domain: only the primary's, with one, moves DNS.
    const healthThrottles = (targets: RegionalAlarmTargets) => regionalAlarmSpecs(targets, t).find((s) => s.role === "health-throttles")!.description;
    expect(healthThrottles({ ...regionTargets("use1", "primary"), certificate: { certificateArn: CERTIFICATE } })).toContain("Route 53 moves DNS to the DR region after 3 failed checks of /health");
    expect(healthThrottles(regionTargets("use1", "primary"))).toContain("no custom domain: DNS does not move");
    expect(healthThrottles(regionTargets("use2", "dr"))).toContain("Route 53 sees this (DR) region fail after 3 failed checks of /health: nothing moves");
    expect(metricAlarmArgs({ ...specs[0]!, description: "x".repeat(ALARM_DESCRIPTION_MAX_LENGTH) }, namer("us-east-1"), TOPIC["us-east-1"]).alarmDescription).toHaveLength(1024);
    const long = { ...specs[0]!, description: "x".repeat(ALARM_DESCRIPTION_MAX_LENGTH + 1) };
    expect(() => metricAlarmArgs(long, namer("us-east-1"), TOPIC["us-east-1"])).toThrow(`alarm ${long.role}: its description has 1025 characters; CloudWatch takes at most 1024`);
  });
});

describe("RegionalAlarms", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({
      project: "regional",
      program: () => {
        const east1 = provider("us-east-1", "primary-region");
        const east2 = provider("us-east-2", "dr-region");
        new RegionalAlarms(
          "primary",
          { namer: namer("us-east-1"), topicArn: TOPIC["us-east-1"], ...regionTargets("use1", "primary"), certificate: { certificateArn: CERTIFICATE }, thresholds: { apiLatencyP99Ms: 1500 } },
          { provider: east1 },
        );
        new RegionalAlarms("dr", { namer: namer("us-east-2"), topicArn: TOPIC["us-east-2"], ...regionTargets("use2", "dr") }, { provider: east2 });
      },
    });
  });

  const fn = { FunctionName: "payments-dr-payments-use1-qa" };
  const api = { ApiName: "payments-dr-api-use1-qa", Stage: "v1" };
  // Aurora's instance metrics are the writer's: under DBClusterIdentifier alone they are aggregated over every instance.
  const writer = { DBClusterIdentifier: "payments-dr-aurora-use1-qa", Role: "WRITER" };
  it.each([
    ["lambda-errors", "AWS/Lambda", "Errors", fn, { statistic: "Sum" }],
    ["lambda-throttles", "AWS/Lambda", "Throttles", fn, { statistic: "Sum" }],
    ["health-throttles", "AWS/Lambda", "Throttles", { FunctionName: "payments-dr-health-use1-qa" }, { statistic: "Sum" }],
    ["lambda-duration-p99", "AWS/Lambda", "Duration", fn, { extendedStatistic: "p99" }],
    ["api-latency-p99", "AWS/ApiGateway", "Latency", api, { extendedStatistic: "p99" }],
    ["aurora-cpu", "AWS/RDS", "CPUUtilization", writer, { statistic: "Average" }],
    ["aurora-connections", "AWS/RDS", "DatabaseConnections", writer, { statistic: "Maximum" }],
  ])("alarms on %s (%s %s) with its dimensions and statistic", (role, namespace, metricName, dimensions, stat) => {
    const alarm = alarmsOf(plan, "primary").get(role)!;
    expect(alarm.inputs).toMatchObject({ namespace, metricName, dimensions, period: 60, ...stat });
    expect(alarm.inputs.dimensions).toEqual(dimensions);
    expect(alarm.inputs).not.toHaveProperty("statistic" in stat ? "extendedStatistic" : "statistic");
  });

  it("counts the payment routes' 5XX responses, not /health's: its 503 while the region does not hold the writer (a switchover, until failback) must not page", () => {
    for (const [component, code] of [["primary", "use1"], ["dr", "use2"]] as const) {
      const alarm = alarmsOf(plan, component).get("api-5xx")!;
      expect(alarm.inputs.metricQueries).toEqual([
        {
          id: "q1",
          expression: `SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName, Method, Resource, Stage) WHERE ApiName = 'payments-dr-api-${code}-qa' AND Stage = 'v1' AND Resource != '/health'`,
          period: 60,
          returnData: true,
        },
      ]);
      expect(alarm.inputs).not.toHaveProperty("metricName");
      expect(alarm.inputs).toMatchObject({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 5 });
      expect(alarm.inputs.alarmDescription).toMatch(/on the payment routes .*\(not \/health, whose 503 while this region does not hold the writer is expected\)/);
    }
  });

  it("watches the Aurora writer's CPU and connections (Role=WRITER), not the cluster's: an idle reader would average a saturated writer below 80 %, and the alarm would never fire", () => {
    for (const [component, code] of [["primary", "use1"], ["dr", "use2"]] as const) {
      for (const role of ["aurora-cpu", "aurora-connections"]) {
        const alarm = alarmsOf(plan, component).get(role)!;
        expect(alarm.inputs.dimensions).toEqual({ DBClusterIdentifier: `payments-dr-aurora-${code}-qa`, Role: "WRITER" });
        expect(alarm.inputs.alarmDescription).toMatch(/^Aurora writer: /);
      }
    }
    // The DR cluster's replication lag is a cluster-level metric: selected by DBClusterIdentifier alone, with no Role.
    expect(alarmsOf(plan, "dr").get("aurora-replication-lag")!.inputs.metricQueries[0].expression).toBe(`SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'payments-dr-aurora-use2-qa'`);
  });

  it.each([
    // How long each condition must last before it pages, and what a silent metric means.
    ["lambda-errors", 3, 2, "notBreaching"],
    ["lambda-throttles", 1, 1, "notBreaching"],
    // A throttled /health is a failover in the making: the first throttle pages.
    ["health-throttles", 1, 1, "notBreaching"],
    ["lambda-duration-p99", 3, 3, "notBreaching"],
    ["api-5xx", 3, 2, "notBreaching"],
    ["api-latency-p99", 3, 3, "notBreaching"],
    ["aurora-cpu", 5, 5, "missing"],
    ["aurora-connections", 3, 3, "missing"],
  ])("%s pages after %i minutes with %i breaching, missing data %s", (role, evaluationPeriods, datapointsToAlarm, treatMissingData) => {
    for (const component of ["primary", "dr"]) {
      const alarm = alarmsOf(plan, component).get(role)!.inputs;
      expect(alarm).toMatchObject({ evaluationPeriods, datapointsToAlarm, treatMissingData });
      // A metric's period, or its query's.
      expect(alarm.period ?? alarm.metricQueries[0].period).toBe(60);
    }
  });

  it("pages when the custom domain's certificate has under 30 days left, judged on ACM's daily datapoint, and only where there is a domain", () => {
    expect(alarmsOf(plan, "primary").get("certificate-expiry")!.inputs).toMatchObject({
      namespace: "AWS/CertificateManager",
      metricName: "DaysToExpiry",
      dimensions: { CertificateArn: CERTIFICATE },
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 30,
      period: 86_400,
      evaluationPeriods: 1,
      // A new certificate has no datapoint for up to a day (must not page); an expired one has none any more (must stay in ALARM).
      treatMissingData: "ignore",
    });
    expect(alarmsOf(plan, "dr").has("certificate-expiry")).toBe(false);
    expect(alarmsOf(plan, "primary").get("health-throttles")!.inputs).toMatchObject({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1 });
    // The page says how many failed checks fail DNS over: the health checks' own threshold.
    expect(alarmsOf(plan, "primary").get("health-throttles")!.inputs.alarmDescription).toContain(`after ${FAILOVER_TIMING.failureThreshold} failed checks of /health`);
  });

  it("wires every alarm to its region's topic on ALARM and on OK, with a chosen missing-data treatment", () => {
    for (const [component, region, count] of [["primary", "us-east-1", 10], ["dr", "us-east-2", 9]] as const) {
      const alarms = [...alarmsOf(plan, component).values()];
      expect(alarms).toHaveLength(count);
      for (const alarm of alarms) {
        expect(alarm).toMatchObject({ provider: region, region });
        expect(alarm.inputs.alarmActions).toEqual([TOPIC[region]]);
        expect(alarm.inputs.okActions).toEqual([TOPIC[region]]);
        expect(["missing", "ignore", "breaching", "notBreaching"]).toContain(alarm.inputs.treatMissingData);
        expect(alarm.inputs.alarmDescription).toEqual(expect.any(String));
      }
    }
  });

  it("names every alarm with its region code and the environment suffix, and tags it only through the provider", () => {
    const names = plan.ofType(ALARM).map((a) => a.inputs.name);
    expect(new Set(names).size).toBe(names.length);
    expect(alarmsOf(plan, "primary").get("api-5xx")!.inputs.name).toBe("payments-dr-api-5xx-alarm-use1-qa");
    for (const alarm of plan.ofType(ALARM)) {
      expect(alarm.inputs.name).toMatch(/-use[12]-qa$/);
      expect(alarm.inputs.tags).toBeUndefined();
      expect(plan.defaultTagsOf(alarm)).toMatchObject(COMPLIANCE_TAGS);
    }
  });

  it("watches the primary cluster's replication lag too, for while the roles are swapped (it is then the secondary); silent while it holds the writer", () => {
    const lag = alarmsOf(plan, "primary").get("aurora-replication-lag")!;
    expect(lag.inputs).toMatchObject({
      metricQueries: [{ expression: auroraRpoLagQuery("payments-dr-aurora-use1-qa"), period: 60, returnData: true }],
      threshold: alarmsOf(plan, "dr").get("aurora-replication-lag")!.inputs.threshold,
      evaluationPeriods: 1,
      // AWS publishes the lag in secondary regions only: no datapoint while this cluster holds the writer.
      treatMissingData: "notBreaching",
    });
    expect(lag.inputs.alarmDescription).toMatch(/now the secondary \(the roles are swapped\)/);
  });

  it("watches the replication lag on the DR cluster, at a threshold derived from the RPO promise", () => {
    const lag = alarmsOf(plan, "dr").get("aurora-replication-lag")!;
    const threshold = RECOVERY_TARGETS.rpoSeconds * 1000 * REPLICATION_WARNING_SHARE;
    expect(lag.inputs).toMatchObject({
      // The highest lag of the cluster, whatever dimensions Aurora publishes it with (auroraRpoLagQuery).
      metricQueries: [{ id: "q1", expression: auroraRpoLagQuery("payments-dr-aurora-use2-qa"), period: 60, returnData: true }],
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold,
      // One minute: a stalled replication crosses 15 s within it; each minute more is 60 s more at risk.
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // A DR cluster that stops reporting its lag is no longer replicating.
      treatMissingData: "breaching",
    });
    // A query alarm names no metric of its own: CloudWatch refuses a Period or statistic beside Metrics.
    for (const field of ["namespace", "metricName", "dimensions", "statistic", "extendedStatistic", "period"]) expect(lag.inputs).not.toHaveProperty(field);
    // Above what a healthy global database shows, below the promise and Aurora's 20 s minimum managed RPO.
    expect(threshold).toBeGreaterThan(RECOVERY_TARGETS.aimRpoSeconds * 1000);
    expect(threshold).toBeLessThan(Math.min(RECOVERY_TARGETS.rpoSeconds * 1000, 20_000));
  });

  it.each([
    // The first throttle pages: the payment function is at its reserved concurrency, the region's database connection budget.
    ["lambda-throttles", 1],
    ["lambda-errors", 5],
    ["api-5xx", 5],
    ["api-latency-p99", 3000],
    ["aurora-cpu", 80],
  ])("pages on %s at its documented default threshold, %i", (role, threshold) => {
    expect(alarmsOf(plan, "dr").get(role)!.inputs).toMatchObject({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold });
  });

  it("sets the p99 duration threshold from the Lambda's timeout", () => {
    expect(alarmsOf(plan, "dr").get("lambda-duration-p99")!.inputs).toMatchObject({ threshold: 8000 });
  });

  it("pitfall: judges a p99 in minutes of fewer than 1000 requests, which a slow database brings: `ignore` would skip them and the alarm would never fire", () => {
    // CloudWatch skips, under `ignore`, each period with fewer than 10/(1 - 0.99) = 1000 samples.
    const minSamplesP99 = 10 / (1 - 0.99);
    // The stack's default reserved concurrency: every request at the threshold caps the minute's requests.
    const reservedConcurrency = 50;
    for (const role of ["lambda-duration-p99", "api-latency-p99"]) {
      const inputs = alarmsOf(plan, "dr").get(role)!.inputs;
      const requestsPerMinuteAtThreshold = (reservedConcurrency * 60_000) / (inputs.threshold as number);
      expect(requestsPerMinuteAtThreshold).toBeLessThanOrEqual(Math.round(minSamplesP99));
      expect(inputs).toMatchObject({ extendedStatistic: "p99", evaluateLowSampleCountPercentiles: "evaluate" });
      // What keeps one slow request (a cold start) from paging: every one of 3 minutes must breach.
      expect(inputs).toMatchObject({ evaluationPeriods: 3, datapointsToAlarm: 3 });
    }
  });

  it("takes threshold overrides and keeps the other defaults", () => {
    expect(alarmsOf(plan, "primary").get("api-latency-p99")!.inputs.threshold).toBe(1500);
    expect(alarmsOf(plan, "dr").get("api-latency-p99")!.inputs.threshold).toBe(defaultAlarmThresholds.apiLatencyP99Ms);
    const specs = regionalAlarmSpecs(regionTargets("use2", "dr"), alarmThresholds({ auroraReplicationLagMs: 5000, lambdaErrorsPerMinute: undefined }));
    expect(specs.find((s) => s.role === "aurora-replication-lag")!.threshold).toBe(5000);
    expect(specs.find((s) => s.role === "lambda-errors")!.threshold).toBe(defaultAlarmThresholds.lambdaErrorsPerMinute);
  });
});

describe("ReplicationAlarms", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({
      project: "global",
      program: () => {
        new ReplicationAlarms("replication", { namer: namer("us-east-1"), topicArn: TOPIC["us-east-1"], ...REPLICATION }, { provider: provider("us-east-1", "global") });
      },
    });
  });

  it("watches DynamoDB replication to the DR replica at a threshold derived from the RPO promise", () => {
    expect(alarmsOf(plan, "replication").get("dynamodb-replication-latency")!.inputs).toMatchObject({
      namespace: "AWS/DynamoDB",
      metricName: "ReplicationLatency",
      dimensions: { TableName: "payments-dr-sessions-qa", ReceivingRegion: "us-east-2" },
      statistic: "Average",
      threshold: RECOVERY_TARGETS.rpoSeconds * 1000 * REPLICATION_WARNING_SHARE,
      // What CloudWatch does with any AWS/DynamoDB alarm, whatever it is told.
      treatMissingData: "ignore",
    });
  });

  it("watches the API keys table's replication to the DR replica, where a revoked key keeps working until it catches up", () => {
    const keys = alarmsOf(plan, "replication").get("dynamodb-api-keys-replication-latency")!;
    expect(keys.inputs).toMatchObject({
      name: "payments-dr-dynamodb-api-keys-replication-latency-alarm-use1-qa",
      namespace: "AWS/DynamoDB",
      metricName: "ReplicationLatency",
      dimensions: { TableName: "payments-dr-api-keys-qa", ReceivingRegion: "us-east-2" },
      statistic: "Average",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: defaultAlarmThresholds.apiKeysReplicationLatencyMs,
      evaluationPeriods: defaultAlarmThresholds.rpoLagMinutes,
      treatMissingData: "ignore",
    });
    expect(defaultAlarmThresholds.apiKeysReplicationLatencyMs).toBe(RECOVERY_TARGETS.rpoSeconds * 1000 * REPLICATION_WARNING_SHARE);
    expect(keys.inputs.alarmDescription).toMatch(/API keys table/);
    expect(keys.inputs.alarmDescription).toMatch(/a key revoked here still works there until replication catches up/);
    expect(keys.inputs.alarmDescription).toMatch(/replication to its replica in us-east-2/);
  });

  it("tunes the API keys table's threshold apart from the sessions table's", () => {
    const specs = replicationAlarmSpecs(REPLICATION, alarmThresholds({ apiKeysReplicationLatencyMs: 5000 }));
    expect(specs.find((s) => s.role === "dynamodb-api-keys-replication-latency")!.threshold).toBe(5000);
    expect(specs.find((s) => s.role === "dynamodb-replication-latency")!.threshold).toBe(defaultAlarmThresholds.dynamodbReplicationLatencyMs);
    expect(replicationAlarmSpecs({ ...REPLICATION, apiKeysTable: undefined }, defaultAlarmThresholds).map((s) => s.role)).not.toContain("dynamodb-api-keys-replication-latency");
  });

  it("alarms on each Route 53 health check in AWS/Route53 by HealthCheckId, when its minimum drops below 1", () => {
    for (const check of REPLICATION.healthChecks) {
      expect(alarmsOf(plan, "replication").get(`health-${check.name}`)!.inputs).toMatchObject({
        name: `payments-dr-health-${check.name}-alarm-use1-qa`,
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: check.healthCheckId },
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        // One minute: a health check already waits out its own threshold (3 × 10 s) before it fails.
        period: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "breaching",
      });
    }
  });

  it("describes a health check's failure as a check on /health, or as its caller says (a calculated check)", () => {
    expect(alarmsOf(plan, "replication").get("health-primary")!.inputs.alarmDescription).toMatch(/GET \/health fails from most checkers/);
    const specs = replicationAlarmSpecs({ healthChecks: [{ name: "record", healthCheckId: "hc-3", meaning: "the record's check is unhealthy." }] }, defaultAlarmThresholds);
    expect(specs.find((s) => s.role === "health-record")!.description).toBe('Route 53 health check "record": the record\'s check is unhealthy.');
  });

  it("wires every alarm to the topic and tags it only through the provider", () => {
    const alarms = plan.ofType(ALARM);
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ parent: "replication", region: "us-east-1" });
      expect(alarm.inputs).toMatchObject({ alarmActions: [TOPIC["us-east-1"]], okActions: [TOPIC["us-east-1"]] });
      expect(alarm.inputs.tags).toBeUndefined();
      expect(plan.defaultTagsOf(alarm)).toMatchObject(COMPLIANCE_TAGS);
    }
  });

  it("pitfall: refuses an alarm on a table's replication in the receiving region, where DynamoDB publishes nothing of it", async () => {
    const program = () => {
      new ReplicationAlarms(
        "replication",
        { namer: namer("us-east-2"), topicArn: TOPIC["us-east-2"], sessionsTable: REPLICATION.sessionsTable, healthChecks: [] },
        { provider: provider("us-east-2", "global") },
      );
    };
    await expect(synthesize({ project: "global", program })).rejects.toThrow(
      /the alarm on payments-dr-sessions-qa's replication to us-east-2 would be in us-east-2, but DynamoDB publishes it in the region whose writes replicate/,
    );
  });

  it("refuses health-check alarms outside us-east-1, where Route 53 publishes no metrics", async () => {
    const program = () => {
      new ReplicationAlarms("replication", { namer: namer("us-east-2"), topicArn: TOPIC["us-east-2"], healthChecks: REPLICATION.healthChecks }, { provider: provider("us-east-2", "global") });
    };
    await expect(synthesize({ project: "global", program })).rejects.toThrow(/Route 53 publishes health-check metrics only in us-east-1/);
  });
});

describe("BucketReplicationAlarms", () => {
  const RULE = {
    source: { bucketName: "payments-dr-data-use1-123456789012-qa", region: "us-east-1" },
    destination: { bucketName: "payments-dr-data-use2-123456789012-qa", region: "us-east-2" },
    ruleId: "to-dr",
  };
  const DIMENSIONS = { SourceBucket: RULE.source.bucketName, DestinationBucket: RULE.destination.bucketName, RuleId: "to-dr" };
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({
      project: "global",
      program: () => {
        new BucketReplicationAlarms("s3-source", { namer: namer("us-east-1"), topicArn: TOPIC["us-east-1"], rule: RULE, end: "source" }, { provider: provider("us-east-1", "global") });
        new BucketReplicationAlarms("s3-destination", { namer: namer("us-east-2"), topicArn: TOPIC["us-east-2"], rule: RULE, end: "destination" }, { provider: provider("us-east-2", "global") });
      },
    });
  });

  it("alarms on latency and backlog in the destination bucket's region, where S3 publishes them, to that region's topic; latency bounded by Replication Time Control", () => {
    const alarms = alarmsOf(plan, "s3-destination");
    expect([...alarms.keys()].sort()).toEqual(["s3-pending-replication", "s3-replication-latency"]);
    expect(alarms.get("s3-replication-latency")!.inputs).toMatchObject({
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      statistic: "Maximum",
      threshold: RECOVERY_TARGETS.s3ReplicationMinutes * 60 * REPLICATION_WARNING_SHARE,
      // Three minutes: a burst of uploads is not a trend, and RTC's bound is 15 minutes.
      evaluationPeriods: 3,
      // As the S3 user guide asks of replication alarms: a gap keeps the state.
      treatMissingData: "ignore",
    });
    expect(alarms.get("s3-replication-latency")!.inputs.alarmDescription).toMatch(/225 s or more late for 3 minutes/);
    expect(alarms.get("s3-pending-replication")!.inputs).toMatchObject({ namespace: "AWS/S3", metricName: "OperationsPendingReplication", evaluationPeriods: 3, treatMissingData: "ignore" });
    for (const alarm of alarms.values()) {
      expect(alarm.region).toBe("us-east-2");
      expect(alarm.inputs.dimensions).toEqual(DIMENSIONS);
      expect(alarm.inputs.alarmActions).toEqual([TOPIC["us-east-2"]]);
    }
  });

  it("pages on a backlog of 1000 or more pending operations, its documented default", () => {
    expect(alarmsOf(plan, "s3-destination").get("s3-pending-replication")!.inputs).toMatchObject({ statistic: "Maximum", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1000 });
  });

  it("alarms on any failed operation in the source bucket's region, where S3 publishes failures (they are never pending, so latency and backlog miss them)", () => {
    const alarms = alarmsOf(plan, "s3-source");
    expect([...alarms.keys()]).toEqual(["s3-failed-replication"]);
    const failed = alarms.get("s3-failed-replication")!;
    expect(failed.region).toBe("us-east-1");
    expect(failed.inputs).toMatchObject({
      name: "payments-dr-s3-failed-replication-alarm-use1-qa",
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions: DIMENSIONS,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: 1,
      // A count of failures: a minute without one is OK again, so the next failure pages anew.
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC["us-east-1"]],
    });
  });

  it("pitfall: refuses an end's alarms in the other region, where S3 publishes nothing of that end (an alarm there would stay OK forever)", async () => {
    const program = () => {
      new BucketReplicationAlarms("s3", { namer: namer("us-east-1"), topicArn: TOPIC["us-east-1"], rule: RULE, end: "destination" }, { provider: provider("us-east-1", "global") });
    };
    await expect(synthesize({ project: "global", program })).rejects.toThrow(
      /the destination alarms of S3 replication rule to-dr would be in us-east-1, but S3 publishes them in the destination bucket's region, us-east-2/,
    );
  });
});

describe("loadAlarmThresholds", () => {
  /** What each loader returns under a regional stack's config (short `payments-dr:` keys). */
  async function load(config: Record<string, string>): Promise<{ regional: AlarmThresholds; overrides: Partial<AlarmThresholds> }> {
    let loaded: { regional: AlarmThresholds; overrides: Partial<AlarmThresholds> } | undefined;
    await synthesize({
      project: "primary-region",
      config: Object.fromEntries(Object.entries(config).map(([key, value]) => [`payments-dr:${key}`, value])),
      program: () => {
        loaded = { regional: loadAlarmThresholds(loadRegionalConfig("primary", loadStackConfig())), overrides: loadAlarmThresholdOverrides() };
      },
    });
    return loaded!;
  }

  it("sets the connections alarm at 80% of the configured instance class's max_connections: a larger class, a larger threshold", async () => {
    const large = (await load({})).regional;
    const xlarge = (await load({ dbInstanceClass: "db.r6g.xlarge" })).regional;
    expect(large.auroraConnections).toBe(Math.floor(0.8 * defaultMaxConnections("db.r6g.large")));
    expect(xlarge.auroraConnections).toBe(Math.floor(0.8 * defaultMaxConnections("db.r6g.xlarge")));
    expect(xlarge.auroraConnections).toBeGreaterThan(large.auroraConnections);
    expect({ ...xlarge, auroraConnections: 0 }).toEqual({ ...defaultAlarmThresholds, auroraConnections: 0 });
  });

  it("follows dbMaxConnections when it is set, e.g. for a size Aurora's formula does not know", async () => {
    expect((await load({ dbInstanceClass: "db.r7g.metal", dbMaxConnections: "3000" })).regional.auroraConnections).toBe(2400);
  });

  it("lets an explicit alarmThresholds value win over the derived one", async () => {
    const { regional, overrides } = await load({ dbInstanceClass: "db.r6g.xlarge", alarmThresholds: JSON.stringify({ auroraConnections: 500, api5xxPerMinute: 10 }) });
    expect(regional).toMatchObject({ auroraConnections: 500, api5xxPerMinute: 10, lambdaErrorsPerMinute: defaultAlarmThresholds.lambdaErrorsPerMinute });
    expect(overrides).toEqual({ auroraConnections: 500, api5xxPerMinute: 10 });
  });

  it("refuses an unknown threshold name, naming the key and the known names", async () => {
    await expect(load({ alarmThresholds: JSON.stringify({ apiKeysLag: 1 }) })).rejects.toThrow(/payments-dr:alarmThresholds: unknown threshold "apiKeysLag"; known: .*apiKeysReplicationLatencyMs/);
    // A name an older release took says what replaced it.
    await expect(load({ alarmThresholds: JSON.stringify({ replicationLagMinutes: 3 }) })).rejects.toThrow(/"replicationLagMinutes" is gone: set rpoLagMinutes .* and s3ReplicationAlarmMinutes/);
  });

  it.each([
    // Seconds where milliseconds belong: an alarm in ALARM for good.
    ["auroraReplicationLagMs", 15, /auroraReplicationLagMs must be above 1000 \(the lag of a healthy system, in milliseconds\), not 15\./],
    ["dynamodbReplicationLatencyMs", 30, /dynamodbReplicationLatencyMs must be above 1000 \(the lag of a healthy system, in milliseconds\), not 30\./],
    ["apiKeysReplicationLatencyMs", 1000, /apiKeysReplicationLatencyMs must be above 1000/],
    // Aurora's: looser than the lag `dr preflight` refuses a move at, and past Aurora's 20 s managed RPO.
    ["auroraReplicationLagMs", 15_001, /auroraReplicationLagMs must be at most 15000 \(a quarter of the 60 s RPO, where `dr preflight` refuses a move\), not 15001\./],
    // Half an hour of a stalled replication before the page, against a 60 s RPO.
    ["rpoLagMinutes", 30, /rpoLagMinutes must be a whole number of minutes from 1 to 5 \(each minute more is 60 s more of writes at risk/],
    ["rpoLagMinutes", 1.5, /rpoLagMinutes must be a whole number of minutes/],
    ["s3ReplicationAlarmMinutes", 16, /s3ReplicationAlarmMinutes must be a whole number of minutes from 1 to 15 \(Replication Time Control's bound\)/],
    ["lambdaDurationTimeoutShare", 1, /lambdaDurationTimeoutShare must be below 1/],
    ["auroraCpuPercent", 100, /auroraCpuPercent must be below 100/],
  ])("refuses %s = %s, an alarm that could never fire or fires too late, naming the key", async (name, value, message) => {
    await expect(load({ alarmThresholds: JSON.stringify({ [name]: value }) })).rejects.toThrow(/payments-dr:alarmThresholds: /);
    await expect(load({ alarmThresholds: JSON.stringify({ [name]: value }) })).rejects.toThrow(message);
  });

  it("accepts a tighter Aurora warning, looser table warnings (preflight reads only Aurora's lag) and the bounds themselves", async () => {
    const thresholds = { auroraReplicationLagMs: 15_000, dynamodbReplicationLatencyMs: 30_000, apiKeysReplicationLatencyMs: 1_001, rpoLagMinutes: 5, s3ReplicationAlarmMinutes: 15 };
    expect((await load({ alarmThresholds: JSON.stringify(thresholds) })).regional).toMatchObject(thresholds);
  });
});
