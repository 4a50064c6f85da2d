import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { auroraRpoLagQuery } from "@payments-dr/monitoring/aurora-lag";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { HOME } from "./deployment";
import type { FakeWorld } from "./fake-world";

interface MetricDataResult {
  Id: string;
  Label?: string;
  Timestamps: Date[];
  Values: number[];
  StatusCode: string;
  Messages?: { Code: string; Value: string }[];
}

/**
 * The two metrics the CLI reads: the DR region's probe of the primary's /health, and Aurora's
 * replication lag. As GetMetricData, a query it cannot answer (`world.metricDataStatus`) is a
 * result with that StatusCode and HTTP 200, not an error; and a result longer than
 * `world.metricDataPageSize` comes a page at a time, newest first (ScanBy TimestampDescending),
 * `PartialData` with a NextToken until the last.
 */
export function fakeCloudWatch(world: FakeWorld): AwsClientStub<CloudWatchClient> {
  const cloudwatch = mockClient(CloudWatchClient);
  cloudwatch.on(GetMetricDataCommand).callsFake(
    world.serve("cloudwatch", "GetMetricData", (input, region) => {
      const result = metricData(world, input, region);
      if (world.metricDataStatus !== "Complete") {
        const messages = world.metricDataStatus === "Forbidden" ? [{ Code: "Forbidden", Value: "Insufficient permissions for the metric" }] : [{ Code: "InternalError", Value: "An internal error occurred" }];
        return { MetricDataResults: [{ Id: result.Id, Label: result.Label, Timestamps: [], Values: [], StatusCode: world.metricDataStatus, Messages: messages }], Messages: [] };
      }
      const from = Number(input.NextToken ?? 0);
      const to = from + world.metricDataPageSize;
      const more = to < result.Timestamps.length;
      return {
        MetricDataResults: [{ ...result, Timestamps: result.Timestamps.slice(from, to), Values: result.Values.slice(from, to), StatusCode: more ? "PartialData" : "Complete" }],
        Messages: [],
        ...(more ? { NextToken: String(to) } : {}),
      };
    }),
  );
  return cloudwatch;
}

/** The whole result of the query in `input`, newest first, before StatusCode and paging. */
function metricData(world: FakeWorld, input: Record<string, unknown>, region: string): MetricDataResult {
  const end = (input.EndTime as Date).getTime();
  const query = (input.MetricDataQueries as { Id: string }[])[0]!;
  if (query.Id === "probe") {
    return { Id: "probe", Label: "ApiHealthy", Timestamps: world.probeValues.map((_, i) => new Date(end + world.probeClockAheadMs - 10_000 * (i + 1))), Values: world.probeValues, StatusCode: "Complete" };
  }
  // Only Aurora's metric of this region's cluster, as the CLI must ask for it: anything else has no data.
  if (!isLagQuery(query as LagQuery, world, region)) return { Id: query.Id, Timestamps: [], Values: [], StatusCode: "Complete" };
  // One datapoint per minute, the newest lagDatapointAgeMs old, only from the cluster's time as a secondary.
  const since = region === world.writer ? Infinity : (world.secondarySince[region] ?? -Infinity);
  const newest = end - world.lagDatapointAgeMs;
  const points = [
    { at: newest, value: typeof world.lagMs === "function" ? world.lagMs(newest) : world.lagMs },
    { at: newest - 60_000, value: 650 },
  ].filter((p) => p.at >= since && p.at >= (input.StartTime as Date).getTime());
  return { Id: "lag", Label: "AuroraGlobalDBRPOLag", Timestamps: points.map((p) => new Date(p.at)), Values: points.map((p) => p.value), StatusCode: "Complete" };
}

interface LagQuery {
  Expression?: string;
  MetricStat?: unknown;
  Period?: number;
}

/**
 * AuroraGlobalDBRPOLag (milliseconds) of the cluster the outputs place in `region`, Maximum per
 * minute, by the alarms' Metrics Insights query (any dimension set): a metric asked for by exact
 * dimensions gets nothing, as it would if Aurora published it with more of them.
 */
function isLagQuery(query: LagQuery, world: FakeWorld, region: string): boolean {
  const cluster = region === HOME ? world.outputs.primary.clusterIdentifier : world.outputs.dr.clusterIdentifier;
  return query.MetricStat === undefined && query.Expression === auroraRpoLagQuery(cluster) && query.Period === 60;
}
