import { messageOf } from "@payments-dr/cli-support";
import { PRIMARY_PROBE_TARGET } from "@payments-dr/payment-lambda";
import type { ProbeSample } from "./aws";
import type { Context } from "./context";
import { OUTAGE_LOOKBACK_SECONDS, RTO_SECONDS } from "./thresholds";

/** The run of failed probes that ends with the newest: its first failure, and whether the lookback reached back past it. */
interface FailingRun {
  since: Date;
  sawStart: boolean;
}

/** The run of failures at the head of `samples` (newest first); undefined when the newest passed, or there is none. */
function failingRun(samples: ProbeSample[]): FailingRun | undefined {
  if (samples.length === 0 || samples[0]!.healthy) return undefined;
  const firstHealthy = samples.findIndex((sample) => sample.healthy);
  const oldestFailure = samples[(firstHealthy === -1 ? samples.length : firstHealthy) - 1]!;
  return { since: oldestFailure.at, sawStart: firstHealthy !== -1 };
}

/** What the DR region's probe of the primary's `/health` says at a failover's start. */
export interface OutageView {
  /** For the timeline: since when the probe has seen the primary fail, and when the promised RTO runs out from there. */
  line: string;
  /** Whether the probe's newest samples are a run of failures: from inside AWS, the primary does not serve. */
  failing: boolean;
  /** When the probe's newest sample was taken, pass (when not `failing`: the primary answered from inside AWS then) or failure. */
  newestAt?: Date;
  /** Why the probe says nothing of the primary, when it is unreadable or has no datapoint in its window. */
  silent?: string;
  /** The probe's metric could not be read here (this machine's permissions, CloudWatch): not the probe's fault. */
  unreadable?: true;
}

/**
 * What the DR region's probe says of the primary: since when it has seen the primary's `/health`
 * fail, and when the promised RTO runs out from there (the CLI's `--timeout` counts from the
 * confirmation; the promise counts from the outage, and the on-call needs both), or when it last
 * saw it pass. Read in the DR region (the probe's), never in the failed one; unreadable is said,
 * not fatal.
 */
export async function outageView(ctx: Context): Promise<OutageView> {
  const { dr } = ctx.topology;
  let samples: ProbeSample[];
  try {
    samples = await ctx.aws.probeSamples(dr.region, PRIMARY_PROBE_TARGET, OUTAGE_LOOKBACK_SECONDS);
  } catch (error) {
    const silent = `is unreadable (${messageOf(error)})`;
    return { line: `the probe of the primary's /health from ${dr.region} ${silent}: no outage clock`, failing: false, silent, unreadable: true };
  }
  const run = failingRun(samples);
  if (!run) {
    const newest = samples[0];
    if (!newest) {
      const silent = `has no datapoint of the primary's /health in the last ${OUTAGE_LOOKBACK_SECONDS} s`;
      return { line: `the probe from ${dr.region} ${silent}: no outage clock`, failing: false, silent };
    }
    return { line: `the probe from ${dr.region} saw the primary's /health pass last, at ${newest.at.toISOString()}: no outage clock`, newestAt: newest.at, failing: false };
  }
  const agoSeconds = Math.round((ctx.clock.now().getTime() - run.since.getTime()) / 1000);
  if (!run.sawStart) {
    return { line: `the primary's /health has failed every probe from ${dr.region} for at least ${agoSeconds} s (since before ${run.since.toISOString()}): the promised ${RTO_SECONDS} s RTO may already be spent`, failing: true, newestAt: samples[0]!.at };
  }
  const runsOut = new Date(run.since.getTime() + RTO_SECONDS * 1000).toISOString();
  return { line: `the primary's /health has failed every probe from ${dr.region} since ${run.since.toISOString()} (${agoSeconds} s ago): the promised ${RTO_SECONDS} s RTO runs out at ${runsOut}`, failing: true, newestAt: samples[0]!.at };
}
