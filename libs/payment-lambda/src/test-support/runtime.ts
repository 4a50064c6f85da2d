import type { Logger } from "@aws-lambda-powertools/logger";
import { createApiHandler, type ApiHandler } from "../app/api";
import { createRuntime, type Runtime, type RuntimeOverrides } from "../app/runtime";
import type { RegionRole } from "../config/environment";
import type { ApiSettings } from "../config/settings";
import type { FieldError } from "../http/problems";
import type { Payment } from "../payments/payment";
import { createLogger } from "../observability/logger";
import type { GaugeName, MetricName, MetricsSink } from "../observability/metrics";

/** Counts metrics in memory. */
export class RecordingMetrics implements MetricsSink {
  readonly counts: Partial<Record<MetricName, number>> = {};
  readonly gauges: { name: GaugeName; value: number; dimensions: Record<string, string> }[] = [];
  count(name: MetricName, value = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + value;
  }
  gaugeSeconds(name: GaugeName, value: number, dimensions: Record<string, string>): void {
    this.gauges.push({ name, value, dimensions });
  }
  flush(): void {}
}

/** Settings of a local run against `url`; logs silent unless asked. */
export function testSettings(
  url: string,
  changes: { role?: RegionRole; statementTimeoutMs?: number; connectTimeoutMs?: number; sessionsTable?: string; apiKeysTable?: string; dynamodbEndpoint?: string; logLevel?: ApiSettings["observability"]["logLevel"] } = {},
): ApiSettings {
  return {
    regionRole: changes.role ?? "primary",
    database: { endpoints: { kind: "url", url }, connectTimeoutMs: changes.connectTimeoutMs ?? 3000, statementTimeoutMs: changes.statementTimeoutMs ?? 5000 },
    sessionsTable: changes.sessionsTable,
    apiKeysTable: changes.apiKeysTable,
    dynamodbEndpoint: changes.dynamodbEndpoint,
    region: "us-east-1",
    observability: { serviceName: "payments-test", metricsNamespace: "PaymentsDrTest", logLevel: changes.logLevel ?? "SILENT" },
  };
}

/** A "container": its own runtime (own connection), handler and metrics. */
export interface TestApi {
  handler: ApiHandler;
  runtime: Runtime;
  metrics: RecordingMetrics;
  close(): Promise<void>;
}

export function testApi(settings: ApiSettings, overrides: RuntimeOverrides & { logger?: Logger } = {}): TestApi {
  const metrics = new RecordingMetrics();
  const runtime = createRuntime(settings, { logger: createLogger(settings.observability), metrics, ...overrides });
  return { handler: createApiHandler(runtime), runtime, metrics, close: () => runtime.db.close() };
}

/** An RFC 9457 body as the API writes it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

/** The problem in a response. */
export function problemOf(response: { body: string }): ProblemBody {
  return JSON.parse(response.body) as ProblemBody;
}

/** The payment in a response. */
export function paymentOf(response: { body: string }): Payment {
  return JSON.parse(response.body) as Payment;
}
