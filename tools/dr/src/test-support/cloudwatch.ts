import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import type { FakeWorld } from "./fake-world";

/** The two metrics the CLI reads: the DR region's probe of the primary's /health, and Aurora's replication lag. */
export function fakeCloudWatch(world: FakeWorld): AwsClientStub<CloudWatchClient> {
  const cloudwatch = mockClient(CloudWatchClient);
  cloudwatch.on(GetMetricDataCommand).callsFake(
    world.serve("cloudwatch", "GetMetricData", (input, region) => {
      const end = (input.EndTime as Date).getTime();
      const query = (input.MetricDataQueries as { Id: string }[])[0]!;
      if (query.Id === "probe") {
        return {
          MetricDataResults: [
            { Id: "probe", Label: "ApiHealthy", Timestamps: world.probeValues.map((_, i) => new Date(end - 10_000 * (i + 1))), Values: world.probeValues, StatusCode: "Complete" },
          ],
          Messages: [],
        };
      }
      // One datapoint per minute, the newest a minute old, only from the cluster's time as a secondary.
      const since = region === world.writer ? Infinity : (world.secondarySince[region] ?? -Infinity);
      const points = [
        { at: end - 60_000, value: typeof world.lagMs === "function" ? world.lagMs(end - 60_000) : world.lagMs },
        { at: end - 120_000, value: 650 },
      ].filter((p) => p.at >= since);
      return {
        MetricDataResults: [
          { Id: "lag", Label: "AuroraGlobalDBRPOLag", Timestamps: points.map((p) => new Date(p.at)), Values: points.map((p) => p.value), StatusCode: "Complete" },
        ],
        Messages: [],
      };
    }),
  );
  return cloudwatch;
}
