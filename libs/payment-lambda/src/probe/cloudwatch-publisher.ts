import type { CloudWatchClientConfig } from "@aws-sdk/client-cloudwatch";
import { cachedUntilRejected } from "../cached-promise";
import type { ProbeSample, SamplePublisher } from "./health-probe";
import { PROBE_METRIC } from "./contract";

/** Extra client config (tests: endpoint, region, credentials). */
export interface CloudWatchPublisherOptions {
  clientConfig?: CloudWatchClientConfig;
}

/**
 * A publication that takes longer is abandoned (within PROBE_PUBLISH_BUDGET_MS): the runtime's
 * SDK may predate `throwOnRequestTimeout`, and then its `requestTimeout` only warns.
 */
const PUBLISH_TIMEOUT_MS = 2500;

/**
 * Publishes each sample with PutMetricData, timestamped with the probe's start, at one-second
 * resolution: the alarm judges 10-second periods, which a log-based metric (EMF) cannot be
 * relied on to fill in time from Lambda. The SDK is the runtime's; loaded once per container,
 * with short timeouts and two attempts, so a slow CloudWatch cannot hold the probe up.
 */
export function cloudWatchPublisher(options: CloudWatchPublisherOptions = {}): SamplePublisher {
  const client = cachedUntilRejected(async () => {
    const sdk = await import("@aws-sdk/client-cloudwatch");
    const cloudWatch = new sdk.CloudWatchClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
      ...options.clientConfig,
    });
    return { cloudWatch, PutMetricDataCommand: sdk.PutMetricDataCommand };
  });
  return async (sample: ProbeSample) => {
    const { cloudWatch, PutMetricDataCommand } = await client.get();
    await cloudWatch.send(new PutMetricDataCommand({ Namespace: PROBE_METRIC.namespace, MetricData: [sampleDatum(sample)] }), {
      abortSignal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
    });
  };
}

/** The sample as one high-resolution datapoint. */
export function sampleDatum(sample: ProbeSample) {
  return {
    MetricName: PROBE_METRIC.name,
    Dimensions: [{ Name: PROBE_METRIC.targetDimension, Value: sample.target }],
    Timestamp: new Date(sample.at),
    Value: sample.healthy ? 1 : 0,
    Unit: "None" as const,
    StorageResolution: 1,
  };
}
