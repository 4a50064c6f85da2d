import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
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

/** Where counters go: CloudWatch EMF in Lambda, a recorder in tests. */
export interface MetricsSink {
  /** Adds `value` (default 1) to the counter. */
  count(name: MetricName, value?: number): void;
  /** Publishes what was counted during this invocation. */
  flush(): void;
}

/** Counters as CloudWatch embedded metric format lines, through Powertools. */
export function createMetrics(settings: ObservabilitySettings): MetricsSink {
  const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
