import type { Logger } from "@aws-lambda-powertools/logger";
import type { ProbeSettings } from "../config/settings";
import { loggableError } from "../observability/logger";
import { PROBE_PUBLISH_BUDGET_MS } from "./contract";

/** One probe of the target's `/health`. */
export interface ProbeSample {
  /** The target's label, e.g. `primary`. */
  target: string;
  /** When the probe started, epoch ms: the datapoint's timestamp. */
  at: number;
  /** A 2xx or 3xx answer within the timeout, as Route 53 judges an HTTPS health check. */
  healthy: boolean;
  /** The HTTP status, when one came. */
  status?: number;
  /** Why no status came: `timeout` or the connection's error code. */
  error?: string;
  latencyMs: number;
}

/** Publishes one sample (CloudWatch in Lambda, a recorder in tests). */
export type SamplePublisher = (sample: ProbeSample) => Promise<void>;

/** What one invocation did. */
export interface ProbeRun {
  probes: number;
  healthy: number;
  /** Samples that reached the publisher without an error. */
  published: number;
}

/** The part of the Lambda context the handler reads. */
export interface ProbeContext {
  getRemainingTimeInMillis(): number;
}

/** Arguments of {@link createProbeHandler}. */
export interface ProbeHandlerArgs {
  settings: ProbeSettings;
  publish: SamplePublisher;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
}


/** How the connection failed, without the URL or anything else from the error's text. */
function failureOf(error: unknown): string {
  // AbortSignal.timeout rejects with a DOMException, which is not always an `instanceof Error`.
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === "TimeoutError" || name === "AbortError") return "timeout";
  if (typeof cause?.code === "string") return cause.code;
  return loggableError(error).name;
}

/**
 * One GET of `url` with a deadline, redirects not followed (a 3xx is an answer, as for Route 53).
 * The body is discarded: the status alone decides.
 */
export async function probeHealth(target: string, url: string, timeoutMs: number, now: () => number = Date.now): Promise<ProbeSample> {
  const at = now();
  try {
    const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs), headers: { "user-agent": "payments-dr-health-probe" } });
    await response.body?.cancel();
    return { target, at, healthy: response.status >= 200 && response.status < 400, status: response.status, latencyMs: now() - at };
  } catch (error) {
    return { target, at, healthy: false, error: failureOf(error), latencyMs: now() - at };
  }
}

/**
 * The probe function: every `intervalMs`, from the start of the invocation, a probe of the
 * target's `/health`, each sample published as soon as it is known (without holding up the
 * next probe), for as long as a probe and the last publication still fit in the invocation.
 * Invoked every minute, it covers the minute at the interval. A failed publication is logged
 * and the run goes on: a probe that stops reporting has an alarm of its own.
 */
export function createProbeHandler(args: ProbeHandlerArgs): (event: unknown, context: ProbeContext) => Promise<ProbeRun> {
  const { settings, publish, logger } = args;
  const now = args.now ?? Date.now;

  return async (_event, context) => {
    const start = now();
    const lastStart = start + context.getRemainingTimeInMillis() - settings.timeoutMs - PROBE_PUBLISH_BUDGET_MS;
    const run: ProbeRun = { probes: 0, healthy: 0, published: 0 };
    const publications: Promise<void>[] = [];
    for (let due = start; due <= lastStart; due += settings.intervalMs) {
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sample = await probeHealth(settings.target, settings.url, settings.timeoutMs, now);
      run.probes++;
      if (sample.healthy) run.healthy++;
      else logger.warn("Target unhealthy", { target: sample.target, status: sample.status, failure: sample.error, latencyMs: sample.latencyMs });
      publications.push(
        publish(sample).then(
          () => void run.published++,
          (error: unknown) => logger.error("Probe sample not published", { target: sample.target, error: loggableError(error) }),
        ),
      );
    }
    await Promise.all(publications);
    logger.info("Probe run", { target: settings.target, ...run });
    return run;
  };
}
