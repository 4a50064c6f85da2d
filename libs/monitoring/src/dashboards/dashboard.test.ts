import * as pulumi from "@pulumi/pulumi";
import { RECOVERY_TARGETS } from "@payments-dr/conventions";
import { Plan, stackRegion, synthesize } from "@payments-dr/synth";
import { CrossRegionDashboard } from "./cross-region-dashboard";
import { auroraRpoLagQuery } from "../aurora-lag";
import { dashboardBody } from "./dashboard-body";
import type { DashboardBody, DashboardInput, ExpressionLine, MetricLine, MetricOptions, RegionResources } from "./dashboard-types";

function region(region: string, code: string): RegionResources {
  return {
    region,
    apiName: `payments-dr-api-${code}-qa`,
    stageName: `v1-${code}`,
    functionName: `payments-dr-payments-${code}-qa`,
    healthFunctionName: `payments-dr-health-${code}-qa`,
    clusterIdentifier: `payments-dr-aurora-${code}-qa`,
  };
}

const INPUT: DashboardInput = {
  primary: region("us-east-1", "use1"),
  dr: region("us-east-2", "use2"),
  sessionsTable: { tableName: "payments-dr-sessions-qa" },
  apiKeysTable: { tableName: "payments-dr-api-keys-qa" },
  bucketReplication: { sourceBucket: "payments-dr-data-use1-123456789012-qa", destinationBucket: "payments-dr-data-use2-123456789012-qa", ruleId: "to-dr" },
  healthChecks: [
    { name: "primary", healthCheckId: "hc-primary-0001" },
    { name: "dr", healthCheckId: "hc-dr-0002" },
  ],
  healthProbe: { target: "primary", region: "us-east-2" },
};

/** The Aurora lag's query form: `SELECT MAX(<metric>) FROM "<namespace>" WHERE <dimension> = '<value>'`. */
const QUERY_LINE = /^SELECT MAX\((\w+)\) FROM "([^"]+)" WHERE (\w+) = '([^']+)'$/;

/** An expression line (its one object) or a metric line. */
const isExpression = (line: MetricLine | ExpressionLine): line is ExpressionLine => line.length === 1 && typeof line[0] === "object";
/** The expressions of a widget. */
const expressionsOf = (widget: DashboardBody["widgets"][number]) => widget.properties.metrics.filter(isExpression).map(([expression]) => expression);

/**
 * Every metric line of a body, split into what it names (dimension values) and how it renders;
 * a query line as the metric, dimension and statistic it selects; metric math over the widget's
 * own lines names nothing more.
 */
function linesOf(body: DashboardBody): { namespace: string; metric: string; dimensions: Record<string, string>; options: MetricOptions }[] {
  return body.widgets.flatMap((w) =>
    w.properties.metrics.flatMap((line: MetricLine | ExpressionLine) => {
      if (isExpression(line)) {
        const [{ expression, region, label }] = line;
        if (!expression.startsWith("SELECT ")) return [];
        const [, metric, namespace, dimension, value] = QUERY_LINE.exec(expression) ?? [];
        if (!metric || !namespace || !dimension || !value) throw new Error(`a query line of another form: ${expression}`);
        return [{ namespace, metric, dimensions: { [dimension]: value }, options: { region, stat: "Maximum" as const, label } }];
      }
      const [namespace, metric, ...rest] = line as unknown[];
      const options = rest.pop() as MetricOptions;
      const pairs = rest as string[];
      const dimensions = Object.fromEntries(pairs.flatMap((_, i) => (i % 2 === 0 ? [[pairs[i], pairs[i + 1]]] : [])));
      return [{ namespace: namespace as string, metric: metric as string, dimensions, options }];
    }),
  );
}

/** Every resource name the input passes in (regions aside). */
function namesPassedIn(input: DashboardInput): Set<string> {
  const { region: _p, ...primary } = input.primary;
  const { region: _d, ...dr } = input.dr;
  return new Set([
    ...Object.values(primary),
    ...Object.values(dr),
    ...Object.values(input.sessionsTable ?? {}),
    ...Object.values(input.apiKeysTable ?? {}),
    ...Object.values(input.bucketReplication ?? {}),
    ...input.healthChecks.map((c) => c.healthCheckId),
    ...(input.healthProbe ? [input.healthProbe.target] : []),
    // DynamoDB's ReceivingRegion dimension names the receiving region: both, one per direction.
    input.dr.region,
    input.primary.region,
    // Not a resource: the /health route, whose 5XX the errors graph leaves out (by method and resource).
    "GET",
    "/health",
  ]);
}

describe("dashboardBody", () => {
  const body = dashboardBody(INPUT);
  const lines = linesOf(body);

  it("is plain JSON data", () => {
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it("references only the resources passed in, and every one of them", () => {
    const used = new Set(lines.flatMap((l) => Object.values(l.dimensions)));
    const passed = namesPassedIn(INPUT);
    expect([...used].filter((name) => !passed.has(name))).toEqual([]);
    expect([...passed].filter((name) => !used.has(name))).toEqual([]);
  });

  it("gives every widget and every line a region, and shows both regions", () => {
    for (const widget of body.widgets) expect(widget.properties.region).toMatch(/^us-east-[12]$/);
    const regions = new Set(lines.map((l) => l.options.region));
    expect(regions).toEqual(new Set(["us-east-1", "us-east-2"]));
    for (const metric of ["Count", "5XXError", "Latency"]) {
      expect(new Set(lines.filter((l) => l.metric === metric).map((l) => l.options.region))).toEqual(regions);
    }
  });

  it("has the rows traffic, errors, latency, replication lag, health checks, laid on the grid", () => {
    const rows = [...new Set(body.widgets.map((w) => w.y))].map((y) => body.widgets.filter((w) => w.y === y).map((w) => w.properties.title));
    expect(rows).toEqual([
      ["Requests (API Gateway Count)"],
      ["API 5XX responses (not /health)", "Lambda errors", "Lambda throttles (payments, /health)"],
      ["API latency p99 (ms)"],
      ["Aurora lag of the DR cluster (ms; RPO promise 60 s)", "Aurora lag of the primary cluster (ms; RPO promise 60 s)", "DynamoDB replication latency (ms; RPO promise 60 s)", "S3 replication latency (s), failed operations"],
      ["Route 53 health checks (1 = healthy)", "primary /health probed from us-east-2 (1 = healthy)"],
    ]);
    for (const widget of body.widgets) expect(widget.x + widget.width).toBeLessThanOrEqual(24);
  });

  it("graphs replication where each metric lives: Aurora lag of the DR cluster first (then the primary's, after a switchover), DynamoDB in each source region, S3 latency in the destination's and failures in the source's", () => {
    const byMetric = (namespace: string, metric: string) => lines.filter((l) => l.namespace === namespace && l.metric === metric);
    expect(byMetric("AWS/RDS", "AuroraGlobalDBRPOLag")).toEqual([
      expect.objectContaining({ dimensions: { DBClusterIdentifier: INPUT.dr.clusterIdentifier }, options: expect.objectContaining({ region: "us-east-2" }) }),
      expect.objectContaining({ dimensions: { DBClusterIdentifier: INPUT.primary.clusterIdentifier }, options: expect.objectContaining({ region: "us-east-1" }) }),
    ]);
    // By the alarms' Metrics Insights query, which takes any dimension set carrying the cluster's identifier: one per graph.
    const lagWidgets = body.widgets.filter((w) => w.properties.title.startsWith("Aurora lag"));
    expect(lagWidgets.map((w) => expressionsOf(w).map((q) => [q.expression, q.region]))).toEqual([
      [[auroraRpoLagQuery(INPUT.dr.clusterIdentifier), "us-east-2"]],
      [[auroraRpoLagQuery(INPUT.primary.clusterIdentifier), "us-east-1"]],
    ]);
    expect(byMetric("AWS/DynamoDB", "ReplicationLatency").map((l) => [l.dimensions, l.options.region])).toEqual([
      [{ TableName: "payments-dr-sessions-qa", ReceivingRegion: "us-east-2" }, "us-east-1"],
      [{ TableName: "payments-dr-sessions-qa", ReceivingRegion: "us-east-1" }, "us-east-2"],
      [{ TableName: "payments-dr-api-keys-qa", ReceivingRegion: "us-east-2" }, "us-east-1"],
      [{ TableName: "payments-dr-api-keys-qa", ReceivingRegion: "us-east-1" }, "us-east-2"],
    ]);
    const rule = { SourceBucket: INPUT.bucketReplication!.sourceBucket, DestinationBucket: INPUT.bucketReplication!.destinationBucket, RuleId: "to-dr" };
    // S3 User Guide, "Using S3 Replication metrics": latency in the destination bucket's region, failures in the source's.
    expect(byMetric("AWS/S3", "ReplicationLatency")).toEqual([expect.objectContaining({ dimensions: rule, options: expect.objectContaining({ region: "us-east-2" }) })]);
    expect(byMetric("AWS/S3", "OperationsFailedReplication")).toEqual([
      expect.objectContaining({ dimensions: rule, options: expect.objectContaining({ region: "us-east-1", stat: "Sum", yAxis: "right" }) }),
    ]);
  });

  it("graphs each region's API 5XX as the alarm counts them, /health left out: its 503s while a region does not hold the writer are answers, and would climb in every switchover", () => {
    const widget = body.widgets.find((w) => w.properties.title === "API 5XX responses (not /health)")!;
    // Metric math over the stored metrics (15 months of them), not the alarm's Metrics Insights query (two weeks in a graph).
    expect(expressionsOf(widget).map((e) => [e.expression, e.region, e.label])).toEqual([
      ["stage0 - FILL(health0, 0)", "us-east-1", "us-east-1 5XX"],
      ["stage1 - FILL(health1, 0)", "us-east-2", "us-east-2 5XX"],
    ]);
    const hidden = lines.filter((l) => l.metric === "5XXError");
    expect(hidden.map((l) => [l.dimensions, l.options.id, l.options.visible, l.options.stat, l.options.region])).toEqual(
      [INPUT.primary, INPUT.dr].flatMap((r, i) => [
        [{ ApiName: r.apiName, Stage: r.stageName }, `stage${i}`, false, "Sum", r.region],
        [{ ApiName: r.apiName, Method: "GET", Resource: "/health", Stage: r.stageName }, `health${i}`, false, "Sum", r.region],
      ]),
    );
  });

  it("writes every line of every widget as an array, an expression as one object in one (PutDashboard refuses anything else)", () => {
    for (const widget of body.widgets) for (const line of widget.properties.metrics) expect(Array.isArray(line)).toBe(true);
    const expressions = body.widgets.flatMap(expressionsOf);
    expect(expressions.length).toBeGreaterThan(0);
    for (const widget of body.widgets) {
      const ids = [...expressionsOf(widget).map((e) => e.id), ...widget.properties.metrics.flatMap((line) => (isExpression(line) ? [] : [(line.at(-1) as MetricOptions).id ?? []].flat()))];
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("graphs the throttles of each region's payment and /health functions side by side: a throttled /health is a failover in the making", () => {
    const throttles = lines.filter((l) => l.namespace === "AWS/Lambda" && l.metric === "Throttles");
    expect(throttles.map((l) => [l.dimensions, l.options.region, l.options.stat])).toEqual([
      [{ FunctionName: INPUT.primary.functionName }, "us-east-1", "Sum"],
      [{ FunctionName: INPUT.primary.healthFunctionName }, "us-east-1", "Sum"],
      [{ FunctionName: INPUT.dr.functionName }, "us-east-2", "Sum"],
      [{ FunctionName: INPUT.dr.healthFunctionName }, "us-east-2", "Sum"],
    ]);
  });

  it("reads Route 53 health-check status from us-east-1 only", () => {
    const health = lines.filter((l) => l.namespace === "AWS/Route53");
    expect(health.map((l) => [l.metric, l.dimensions, l.options.region, l.options.stat])).toEqual([
      ["HealthCheckStatus", { HealthCheckId: "hc-primary-0001" }, "us-east-1", "Minimum"],
      ["HealthCheckStatus", { HealthCheckId: "hc-dr-0002" }, "us-east-1", "Minimum"],
    ]);
  });

  it("graphs the DR region's probe of the primary from the DR region, where its metric lives (and which outlives us-east-1)", () => {
    const probe = lines.filter((l) => l.namespace === "PaymentsDr/Probe");
    expect(probe.map((l) => [l.metric, l.dimensions, l.options.region, l.options.stat])).toEqual([["ApiHealthy", { Target: "primary" }, "us-east-2", "Minimum"]]);
  });

  it("draws the RPO aimed at across every replication lag graph, and names the promise in their titles: a 60 s line would scale the graph until a healthy lag is a few pixels", () => {
    const lagWidgets = body.widgets.filter((w) => /^(Aurora lag|DynamoDB replication latency)/.test(w.properties.title));
    expect(lagWidgets).toHaveLength(3);
    for (const widget of lagWidgets) {
      expect(widget.properties.annotations).toEqual({ horizontal: [{ label: "RPO aimed at (1 s)", value: RECOVERY_TARGETS.aimRpoSeconds * 1000 }] });
      expect(widget.properties.title).toContain(`RPO promise ${RECOVERY_TARGETS.rpoSeconds} s`);
    }
  });

  it("puts at most one Metrics Insights query in a graph (CloudWatch allows no more in a widget's metrics)", () => {
    for (const widget of body.widgets) expect(expressionsOf(widget).filter((e) => e.expression.startsWith("SELECT ")).length).toBeLessThanOrEqual(1);
  });

  it("graphs the API keys table's replication in the same widget as the sessions table's", () => {
    const widget = body.widgets.find((w) => w.properties.title.startsWith("DynamoDB replication latency"))!;
    const labels = linesOf({ ...body, widgets: [widget] }).filter((l) => l.namespace === "AWS/DynamoDB").map((l) => l.options.label);
    expect(labels).toEqual(["sessions us-east-1 → us-east-2", "sessions us-east-2 → us-east-1", "API keys us-east-1 → us-east-2", "API keys us-east-2 → us-east-1"]);
  });

  it("leaves out the tables, the bucket and the probe when they are not given", () => {
    const bare = linesOf(dashboardBody({ ...INPUT, sessionsTable: undefined, apiKeysTable: undefined, bucketReplication: undefined, healthProbe: undefined }));
    expect(bare.some((l) => l.namespace === "AWS/DynamoDB" || l.namespace === "AWS/S3" || l.namespace === "PaymentsDr/Probe")).toBe(false);
    expect(bare.some((l) => l.metric === "AuroraGlobalDBRPOLag")).toBe(true);
  });
});

describe("CrossRegionDashboard", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await synthesize({
      project: "global",
      program: () => {
        // Stack outputs arrive as Outputs: the body is serialised once they are known.
        const fromStacks = { ...INPUT, primary: { ...INPUT.primary, apiName: pulumi.output(INPUT.primary.apiName) }, dr: { ...INPUT.dr, region: pulumi.output(INPUT.dr.region) } };
        for (const r of ["us-east-1", "us-east-2"]) {
          const { namer, provider } = stackRegion(r, { project: "global", environmentSuffix: "qa" });
          new CrossRegionDashboard(`dashboard-${r}`, { namer, ...fromStacks }, { provider });
        }
      },
    });
  });

  it("creates one dashboard per region, named with the region code and the suffix", () => {
    const dashboards = plan.ofType("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards.map((d) => [d.region, d.parent, d.inputs.dashboardName])).toEqual([
      ["us-east-1", "dashboard-us-east-1", "payments-dr-dashboard-use1-qa"],
      ["us-east-2", "dashboard-us-east-2", "payments-dr-dashboard-use2-qa"],
    ]);
  });

  it("serialises the typed body, the same in both regions", () => {
    const dashboards = plan.ofType("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards).toHaveLength(2);
    for (const dashboard of dashboards) {
      expect(JSON.parse(dashboard.inputs.dashboardBody)).toEqual(dashboardBody(INPUT));
    }
  });
});
