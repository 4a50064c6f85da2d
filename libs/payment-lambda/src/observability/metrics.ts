import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CLEANUP_BACKLOG_METRIC } from "../config/contract";
import type { ObservabilitySettings } from "../config/settings";

/** The counters the payment functions emit. */
export type MetricName =
  | "PaymentCreated"
  | "IdempotentReplay"
  | "IdempotencyConflict"
  | "DatabaseUnavailable"
  | "SessionWriteFailed"
  | "SessionReadFailed"
  | "HealthCheckFailed"
  | "ApiKeyUseNotRecorded"
  | "AuthorizerAllowed"
  | "AuthorizerDenied"
  | "AuthorizerFailed"
  | "IdempotencyKeysDeleted"
  | "IdempotencyCleanupSkipped";

/** The readings (not counters) the functions publish, in seconds. */
export type GaugeName = typeof CLEANUP_BACKLOG_METRIC.name;

/** Where metrics go: CloudWatch EMF in Lambda, a recorder in tests. */
export interface MetricsSink {
  /** Adds `value` (default 1) to the counter. */
  count(name: MetricName, value?: number): void;
  /**
   * Publishes one reading in seconds at once, under `dimensions` alone (not the service's): an
   * alarm watches it per function, as it watches Lambda's own metrics.
   */
  gaugeSeconds(name: GaugeName, value: number, dimensions: Record<string, string>): void;
  /** Publishes what was counted during this invocation. */
  flush(): void;
}

/** Counters as CloudWatch embedded metric format lines, through Powertools. */
export function createMetrics(settings: ObservabilitySettings): MetricsSink {
  const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    gaugeSeconds: (name, value, dimensions) => {
      // A single metric is published by addMetric, in a document of its own.
      const reading = metrics.singleMetric();
      reading.clearDefaultDimensions();
      reading.addDimensions(dimensions);
      reading.addMetric(name, MetricUnit.Seconds, value);
    },
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
