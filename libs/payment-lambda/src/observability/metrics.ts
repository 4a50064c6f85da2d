import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ObservabilitySettings } from "../config/settings";

/** The counters the payment API emits. */
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
  | "AuthorizerFailed";

/** Where counters go: CloudWatch EMF in Lambda, a recorder in tests. */
export interface MetricsSink {
  count(name: MetricName): void;
  /** Publishes what was counted during this invocation. */
  flush(): void;
}

/** Counters as CloudWatch embedded metric format lines, through Powertools. */
export function createMetrics(settings: ObservabilitySettings): MetricsSink {
  const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
  return {
    count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
