/**
 * The health probe's contract with the stack that deploys it (no SDK or Powertools here: the
 * stacks import it).
 *
 * The metric the probe publishes, and its alarm watches: one datapoint per probe,
 * 1 when the target's `/health` answered 2xx or 3xx in time (what Route 53 counts as healthy),
 * 0 otherwise, at one-second storage resolution.
 */
export const PROBE_METRIC = {
  /** Its own namespace: the probe's role may write there and nowhere else (not among the API's metrics). */
  namespace: "PaymentsDr/Probe",
  name: "ApiHealthy",
  /** Which API the datapoint is about, e.g. `primary`. */
  targetDimension: "Target",
} as const;

/**
 * The `Target` of the DR region's probe of the primary's /health: apps/dr-region deploys the
 * probe under it, apps/global's dashboards graph it and `dr status` reads it.
 */
export const PRIMARY_PROBE_TARGET = "primary";

/**
 * Kept free at the end of an invocation for the last sample's publication: a PutMetricData is
 * cut at 2.5 s (the client's own attempts included), and the rest is for the first
 * publication's SDK load and for closing down. The function's timeout leaves room for a wait of
 * up to a minute, a minute of probes, this and a probe's timeout.
 */
export const PROBE_PUBLISH_BUDGET_MS = 4_000;

/**
 * The probe's schedule period (`rate(1 minute)`, Scheduler's shortest). The invocation scheduled
 * at S probes [S + 1 min, S + 2 min): Scheduler invokes with 60-second precision, anywhere in
 * the minute after S, so only the next minute is certain to lie wholly after its arrival.
 */
export const PROBE_SCHEDULE_PERIOD_MS = 60_000;
