import type { Logger } from "@aws-lambda-powertools/logger";
import { request as httpRequest, type ClientRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { probeTimeoutMs, type ProbeSettings, type ProbeTimeouts } from "../config/settings";
import { loggableError } from "../observability/logger";
import { PROBE_PUBLISH_BUDGET_MS, PROBE_SCHEDULE_PERIOD_MS } from "./contract";

/** One probe of the target's `/health`. */
export interface ProbeSample {
  /** The target's label, e.g. `primary`. */
  target: string;
  /** When the probe started, epoch ms: the datapoint's timestamp. */
  at: number;
  /** A 2xx or 3xx answer in time, as Route 53 judges an HTTPS health check. */
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
  /** The schedule's period: an invocation scheduled at S probes [S + this, S + 2 × this). @default PROBE_SCHEDULE_PERIOD_MS */
  schedulePeriodMs?: number;
}

/**
 * What the schedule sends: the time the invocation was due, Scheduler's
 * `<aws.scheduler.scheduled-time>` (ISO 8601, e.g. `2022-03-22T18:59:43Z`).
 */
export interface ProbeEvent {
  scheduledTime?: string;
}

/** The invocation's scheduled time, epoch ms; undefined when the event has none (an invocation by hand). */
export function scheduledTimeOf(event: unknown): number | undefined {
  const value = (event ?? {}) as ProbeEvent;
  if (typeof value.scheduledTime !== "string") return undefined;
  const time = Date.parse(value.scheduledTime);
  return Number.isFinite(time) ? time : undefined;
}


/** How the request failed, by its error code alone: nothing from the URL or the error's text. */
function failureOf(error: unknown): string {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === "string" ? code : loggableError(error).name;
}

/** What one GET came to: a status, or why none came. */
type Outcome = { status: number } | { error: string };

/**
 * One GET of `url` on a new connection, judged as Route 53 judges an HTTPS health check: the
 * TCP connection within `connectMs`, then the status within `answerMs` of connecting. A kept
 * connection would skip the first half of the test. Redirects are not followed (a 3xx is an
 * answer) and the body is discarded: the status alone decides.
 */
function get(url: string, timeouts: ProbeTimeouts): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let request: ClientRequest | undefined;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(outcome);
    };
    try {
      const send = new URL(url).protocol === "https:" ? httpsRequest : httpRequest;
      request = send(url, { method: "GET", agent: false, headers: { "user-agent": "payments-dr-health-probe" } }, (response) => {
        settle({ status: response.statusCode ?? 0 });
      });
    } catch (error) {
      // A URL the client cannot send to: a failed probe, not a failed run.
      return settle({ error: failureOf(error) });
    }
    timer = setTimeout(() => settle({ error: "timeout" }), timeouts.connectMs);
    request.once("socket", (socket) => {
      socket.once("connect", () => {
        clearTimeout(timer);
        timer = setTimeout(() => settle({ error: "timeout" }), timeouts.answerMs);
      });
    });
    request.on("error", (error) => settle({ error: failureOf(error) }));
    request.end();
  });
}

/** One probe of the target's `/health`: see {@link get} for what counts as healthy. */
export async function probeHealth(target: string, url: string, timeouts: ProbeTimeouts, now: () => number = Date.now): Promise<ProbeSample> {
  const at = now();
  const outcome = await get(url, timeouts);
  const latencyMs = now() - at;
  if ("error" in outcome) return { target, at, healthy: false, error: outcome.error, latencyMs };
  return { target, at, healthy: outcome.status >= 200 && outcome.status < 400, status: outcome.status, latencyMs };
}

/**
 * The probe function. EventBridge Scheduler invokes its target with 60-second precision: the
 * invocation due at S arrives anywhere in the minute after S, so consecutive invocations may be
 * a second or nearly two minutes apart, and a run that probed from its own start would leave
 * gaps of up to a minute between runs. So the invocation due at S (the event's `scheduledTime`)
 * probes every `intervalMs` of the next period, [S + period, S + 2 × period), whenever within
 * its minute it arrived: consecutive invocations' windows meet, one probe per interval. A run
 * that arrives late probes the slot it arrived in at once and skips the ones already past.
 * Without a scheduled time (an invocation by hand) it probes from its own start. Either way a
 * probe starts only while it and the last publication still fit in the invocation. Each sample
 * is published as soon as it is known (without holding up the next probe); a failed
 * publication is logged and the run goes on: a probe that stops reporting has an alarm of its own.
 */
export function createProbeHandler(args: ProbeHandlerArgs): (event: unknown, context: ProbeContext) => Promise<ProbeRun> {
  const { settings, publish, logger } = args;
  const now = args.now ?? Date.now;
  const periodMs = args.schedulePeriodMs ?? PROBE_SCHEDULE_PERIOD_MS;

  return async (event, context) => {
    const start = now();
    const lastStart = start + context.getRemainingTimeInMillis() - probeTimeoutMs(settings.timeouts) - PROBE_PUBLISH_BUDGET_MS;
    const scheduled = scheduledTimeOf(event);
    const windowStart = scheduled === undefined ? start : scheduled + periodMs;
    const windowEnd = scheduled === undefined ? Infinity : windowStart + periodMs;
    // Arrived late: the slots whose interval has passed are skipped, the current one is probed now.
    const late = Math.max(0, Math.floor((start - windowStart) / settings.intervalMs));
    const run: ProbeRun = { probes: 0, healthy: 0, published: 0 };
    const publications: Promise<void>[] = [];
    for (let due = windowStart + late * settings.intervalMs; due < windowEnd && due <= lastStart; due += settings.intervalMs) {
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sample = await probeHealth(settings.target, settings.url, settings.timeouts, now);
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
