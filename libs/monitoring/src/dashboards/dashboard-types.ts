/**
 * The parts of a CloudWatch dashboard body that payments-dr uses, typed so that a body is
 * built as data and serialised once (CloudWatch-Dashboard-Body-Structure in the AWS docs).
 */

/** A statistic of a metric line: a standard one, or a percentile such as `p99`. */
export type MetricStat = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount" | `p${number}`;

/** Rendering properties of one metric line. Every line names its region: the dashboards are cross-region. */
export interface MetricOptions {
  region: string;
  stat: MetricStat;
  label: string;
  /** The axis of a line whose unit differs from the others'. @default "left" */
  yAxis?: "left" | "right";
  /** Names the line for an expression of the same widget (lowercase first). */
  id?: string;
  /** A line only an expression reads is not drawn itself. @default true */
  visible?: boolean;
}

/** CloudWatch's metric array: `[namespace, metricName, dimName, dimValue, …, options]`. */
export type MetricLine = [namespace: string, metricName: string, ...dimensions: string[], options: MetricOptions];

/** What an expression line draws: metric math over the widget's lines, or a Metrics Insights query; it names its region too. */
export interface Expression {
  expression: string;
  /** Unique in its widget, starting with a lowercase letter. */
  id: string;
  label: string;
  region: string;
}

/** CloudWatch's metric array for an expression: one object in an array, as every entry of `metrics` is an array. */
export type ExpressionLine = [expression: Expression];

/** A horizontal line across a graph, e.g. a recovery target. */
export interface HorizontalAnnotation {
  label: string;
  value: number;
}

export interface MetricWidgetProperties {
  title: string;
  /** The widget's default region; each line still names its own. */
  region: string;
  view: "timeSeries";
  stacked: boolean;
  /** Seconds per datapoint. */
  period: number;
  metrics: (MetricLine | ExpressionLine)[];
  yAxis?: { left: { min?: number; max?: number; label?: string } };
  annotations?: { horizontal: HorizontalAnnotation[] };
}

/** A graph of metrics, placed on the dashboard's 24-column grid. */
export interface MetricWidget {
  type: "metric";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: MetricWidgetProperties;
}

export interface DashboardBody {
  /** Time range shown when the dashboard opens, e.g. `-PT3H`. */
  start: string;
  widgets: MetricWidget[];
}

/** The resources of one region that the dashboard graphs. */
export interface RegionResources {
  region: string;
  /** REST API name and stage (API Gateway's metric dimensions). */
  apiName: string;
  stageName: string;
  /** The payment Lambda. */
  functionName: string;
  /** The Lambda that answers `/health`: its throttles would fail Route 53's checks. */
  healthFunctionName: string;
  /** The region's member cluster of the Aurora global database. */
  clusterIdentifier: string;
}

/** What {@link dashboardBody} graphs: the real resources of both regions. */
export interface DashboardInput {
  primary: RegionResources;
  dr: RegionResources;
  /** The DynamoDB sessions global table; its replication both ways (to `dr.region` and back) is graphed. */
  sessionsTable?: { tableName: string };
  /** The DynamoDB API keys global table; its replication both ways is graphed next to the sessions table's. */
  apiKeysTable?: { tableName: string };
  /** The S3 replication rule primary → DR. */
  bucketReplication?: { sourceBucket: string; destinationBucket: string; ruleId: string };
  /** Route 53 health checks, by the name shown on the graph (e.g. `primary`, `dr`). */
  healthChecks: { name: string; healthCheckId: string }[];
  /** The probe of one region's `/health` from another (apps/dr-region's HealthProbe): its metric's `Target`, and where it runs. */
  healthProbe?: { target: string; region: string };
}
