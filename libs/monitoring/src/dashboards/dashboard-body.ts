import { PROBE_METRIC } from "@payments-dr/payment-lambda";
import { auroraRpoLagQuery } from "../aurora-lag";
import { NAMESPACE, PERIOD_SECONDS, ROUTE53_METRICS_REGION } from "../metrics";
import { HEALTH_PATH, RECOVERY_TARGETS } from "@payments-dr/conventions";
import type { DashboardBody, DashboardInput, ExpressionLine, MetricLine, MetricOptions, MetricWidget, MetricWidgetProperties, RegionResources } from "./dashboard-types";

/** The dashboard grid is 24 columns wide; every row is this many units high. */
const GRID_WIDTH = 24;
const ROW_HEIGHT = 6;

/** A widget's content; {@link dashboardBody} places it. */
type WidgetContent = Omit<MetricWidgetProperties, "view" | "stacked" | "period">;

/**
 * The body of the cross-region dashboard: one row per question the on-call asks, each graph
 * showing both regions side by side. Rows: traffic, errors, latency, replication lag, health
 * (Route 53's checks, and the probe of the primary from the DR region when given). Pure: the same input always gives the same body.
 */
export function dashboardBody(input: DashboardInput): DashboardBody {
  const regions = [input.primary, input.dr];
  const rows: WidgetContent[][] = [
    [{ title: "Requests (API Gateway Count)", region: input.primary.region, metrics: regions.map((r) => api(r, "Count", "Sum", "requests")) }],
    [
      { title: `API 5XX responses (not ${HEALTH_PATH})`, region: input.primary.region, metrics: regions.flatMap((r, index) => paymentErrors(r, index)) },
      { title: "Lambda errors", region: input.primary.region, metrics: regions.map((r) => lambda(r, r.functionName, "Errors", "Sum", "errors")) },
      {
        title: "Lambda throttles (payments, /health)",
        region: input.primary.region,
        metrics: regions.flatMap((r) => [lambda(r, r.functionName, "Throttles", "Sum", "payments throttles"), lambda(r, r.healthFunctionName, "Throttles", "Sum", "/health throttles")]),
      },
    ],
    [{ title: "API latency p99 (ms)", region: input.primary.region, metrics: regions.map((r) => api(r, "Latency", "p99", "p99 latency")) }],
    replicationRow(input),
    [healthChecksWidget(input.healthChecks), ...(input.healthProbe ? [healthProbeWidget(input.healthProbe)] : [])],
  ];
  return { start: "-PT3H", widgets: rows.flatMap((row, index) => place(row, index * ROW_HEIGHT)) };
}

function replicationRow(input: DashboardInput): WidgetContent[] {
  const { primary, dr, sessionsTable, apiKeysTable, bucketReplication } = input;
  // What a healthy system shows, for the reader to compare the lag with. The promise (60 s) is in
  // the titles, not drawn: CloudWatch scales a graph to show every line drawn across it, and a
  // 60 s line would press the healthy lag of well under a second into the bottom pixels.
  const aim = { horizontal: [{ label: `RPO aimed at (${RECOVERY_TARGETS.aimRpoSeconds} s)`, value: RECOVERY_TARGETS.aimRpoSeconds * 1000 }] };
  const promise = `RPO promise ${RECOVERY_TARGETS.rpoSeconds} s`;
  // Only the secondary cluster publishes its lag: the DR one normally, the primary's after a
  // switchover swaps the roles. Both are graphed so the row stays right through a drill; by the
  // alarms' query, which holds whatever dimensions Aurora publishes the lag with. One query per
  // graph: CloudWatch allows no more than one Metrics Insights query in a widget's metrics.
  const row: WidgetContent[] = [dr, primary].map((r, index) => ({
    title: `Aurora lag of the ${r === dr ? "DR" : "primary"} cluster (ms; ${promise})`,
    region: r.region,
    metrics: [[{ expression: auroraRpoLagQuery(r.clusterIdentifier), id: `lag${index}`, label: `${r.clusterIdentifier} (${r.region})`, region: r.region }]],
    annotations: aim,
  }));
  // DynamoDB publishes replication latency in the source region, per receiving region: both
  // directions, since after a failover the writes (and so the replication that matters) start in the DR region.
  const tableLatency: MetricLine[] = [];
  for (const [what, table] of [["sessions", sessionsTable], ["API keys", apiKeysTable]] as const) {
    if (!table) continue;
    for (const [from, to] of [[primary, dr], [dr, primary]]) {
      tableLatency.push(
        line(NAMESPACE.dynamodb, "ReplicationLatency", [["TableName", table.tableName], ["ReceivingRegion", to.region]], {
          region: from.region,
          stat: "Average",
          label: `${what} ${from.region} → ${to.region}`,
        }),
      );
    }
  }
  if (tableLatency.length > 0) row.push({ title: `DynamoDB replication latency (ms; ${promise})`, region: primary.region, metrics: tableLatency, annotations: aim });
  if (bucketReplication) {
    const { sourceBucket, destinationBucket, ruleId } = bucketReplication;
    const rule: [string, string][] = [["SourceBucket", sourceBucket], ["DestinationBucket", destinationBucket], ["RuleId", ruleId]];
    // S3 publishes latency in the destination's region, failed operations in the source's.
    row.push({
      title: "S3 replication latency (s), failed operations",
      region: dr.region,
      metrics: [
        line(NAMESPACE.s3, "ReplicationLatency", rule, { region: dr.region, stat: "Maximum", label: `S3 ${primary.region} → ${dr.region} latency (s)` }),
        line(NAMESPACE.s3, "OperationsFailedReplication", rule, { region: primary.region, stat: "Sum", label: `S3 ${primary.region} → ${dr.region} failed operations`, yAxis: "right" }),
      ],
      annotations: {
        horizontal: [{ label: `Replication Time Control (${RECOVERY_TARGETS.s3ReplicationMinutes} min)`, value: RECOVERY_TARGETS.s3ReplicationMinutes * 60 }],
      },
    });
  }
  return row;
}

/** Route 53 publishes health-check status (1 healthy, 0 not) only in us-east-1. */
function healthChecksWidget(checks: DashboardInput["healthChecks"]): WidgetContent {
  return {
    title: "Route 53 health checks (1 = healthy)",
    region: ROUTE53_METRICS_REGION,
    metrics: checks.map((check) =>
      line(NAMESPACE.route53, "HealthCheckStatus", [["HealthCheckId", check.healthCheckId]], { region: ROUTE53_METRICS_REGION, stat: "Minimum", label: check.name }),
    ),
    yAxis: { left: { min: 0, max: 1 } },
  };
}

/**
 * The probe of a region's /health from another (the primary's, from the DR region): its metric
 * lives where the probe runs, so it still draws while the target region, and Route 53's metrics
 * in us-east-1, are out.
 */
function healthProbeWidget(probe: NonNullable<DashboardInput["healthProbe"]>): WidgetContent {
  return {
    title: `${probe.target} /health probed from ${probe.region} (1 = healthy)`,
    region: probe.region,
    metrics: [line(PROBE_METRIC.namespace, PROBE_METRIC.name, [[PROBE_METRIC.targetDimension, probe.target]], { region: probe.region, stat: "Minimum", label: probe.target })],
    yAxis: { left: { min: 0, max: 1 } },
  };
}

function api(r: RegionResources, metric: string, stat: MetricOptions["stat"], what: string): MetricLine {
  return line(NAMESPACE.apiGateway, metric, [["ApiName", r.apiName], ["Stage", r.stageName]], { region: r.region, stat, label: `${r.region} ${what}` });
}

function lambda(r: RegionResources, functionName: string, metric: string, stat: MetricOptions["stat"], what: string): MetricLine {
  return line(NAMESPACE.lambda, metric, [["FunctionName", functionName]], { region: r.region, stat, label: `${r.region} ${what}` });
}

/**
 * A region's API 5XX as its 5XX alarm counts them: the stage's, less `/health`'s (its 503s while
 * the region does not hold the writer are answers, not errors). Metric math over the stored
 * metrics, not the alarm's Metrics Insights query, which a graph can only show two weeks of.
 */
function paymentErrors(r: RegionResources, index: number): (MetricLine | ExpressionLine)[] {
  const [stage, health] = [`stage${index}`, `health${index}`];
  const hidden = { region: r.region, stat: "Sum", visible: false } as const;
  return [
    line(NAMESPACE.apiGateway, "5XXError", [["ApiName", r.apiName], ["Stage", r.stageName]], { ...hidden, id: stage, label: `${r.region} stage 5XX` }),
    line(NAMESPACE.apiGateway, "5XXError", [["ApiName", r.apiName], ["Method", "GET"], ["Resource", HEALTH_PATH], ["Stage", r.stageName]], { ...hidden, id: health, label: `${r.region} ${HEALTH_PATH} 5XX` }),
    [{ expression: `${stage} - FILL(${health}, 0)`, id: `errors${index}`, label: `${r.region} 5XX`, region: r.region }],
  ];
}

function line(namespace: string, metric: string, dimensions: [name: string, value: string][], options: MetricOptions): MetricLine {
  return [namespace, metric, ...dimensions.flat(), options];
}

/** Lays a row's widgets side by side across the grid. */
function place(row: WidgetContent[], y: number): MetricWidget[] {
  const width = GRID_WIDTH / row.length;
  return row.map((content, index) => ({
    type: "metric",
    x: index * width,
    y,
    width,
    height: ROW_HEIGHT,
    properties: { view: "timeSeries", stacked: false, period: PERIOD_SECONDS, ...content },
  }));
}
