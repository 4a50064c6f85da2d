import { API_TIMEOUT_SECONDS, MANAGED_RPO_MIN_SECONDS, RECOVERY_TARGETS } from "@payments-dr/conventions/values";
import { ROUTE53_CHECK_MAX_MS } from "@payments-dr/payment-lambda";

/**
 * The numbers the DR commands decide with. The recovery targets come from the conventions'
 * Pulumi-free values; what lives in @payments-dr/monitoring, whose index loads @pulumi/aws
 * (seconds of start-up and a Pulumi runtime in a CLI that only calls AWS), is re-derived here,
 * and drill.test.ts fails if the two drift apart.
 */

export { MANAGED_RPO_MIN_SECONDS };

/** The promised RPO (DESIGN §9). */
export const RPO_SECONDS = RECOVERY_TARGETS.rpoSeconds;

/** The promised RTO (DESIGN §9). A drill over it fails. */
export const RTO_SECONDS = RECOVERY_TARGETS.rtoSeconds;

/** The aimed RTO (DESIGN §9). A drill over it passes, and says so. */
export const AIM_RTO_SECONDS = RECOVERY_TARGETS.aimRtoSeconds;

/** Share of the RPO at which replication lag warns: REPLICATION_WARNING_SHARE in libs/monitoring. */
export const REPLICATION_WARNING_SHARE = 0.25;

/**
 * Preflight refuses a switchover when the target lags this much or more (15 s): the lag alarm's
 * threshold, so a move never starts while an alarm about the data it would carry is firing.
 */
export const MAX_LAG_SECONDS = RPO_SECONDS * REPLICATION_WARNING_SHARE;

/**
 * How long `/health` may take before the region counts as not answering. Route 53's HTTPS
 * checkers allow 4 s to connect and then 2 s for the response, so an answer in 5.5 s is healthy
 * to them; a stricter CLI would call a region down (and let `dr failover` go ahead) while Route 53
 * still sends it traffic. 6 s plus a second for this machine's own network: 7 s.
 */
export const HEALTH_TIMEOUT_MS = ROUTE53_CHECK_MAX_MS + 1_000;

/**
 * How long a payment request (the drill's, a move's write check) may take before it counts as
 * failed: longer than the payment function may run by default (`apiTimeoutSeconds`, 10 s; API
 * Gateway ends any request at 29 s), so a slow payment that succeeds is not an outage and does
 * not inflate the drill's observed RTO. A stack that sets a longer `apiTimeoutSeconds` may see
 * payments slower than this counted as failures.
 */
export const PAYMENT_TIMEOUT_MS = (API_TIMEOUT_SECONDS.default + 2) * 1000;

/** Between two polls of a role change: small against the 90 s aimed at, well within RDS's API limits. */
export const POLL_INTERVAL_MS = 5_000;

/**
 * How long a move must look over without the target as writer (no FailoverState, status
 * available, the target not the writer) before the CLI calls it cancelled or rolled back. AWS
 * documents no order in which DescribeGlobalClusters shows the move over and names the new
 * writer (IsWriter); a response that shows the first before the second would otherwise turn a
 * successful move into exit 3 in the middle of an incident. Two polls more: a real rollback is
 * reported 10 s later.
 */
export const MOVE_ENDED_CONFIRM_MS = 2 * POLL_INTERVAL_MS;

/**
 * Default `--timeout` of switchover/failover/failback, counted from the operator's confirmation:
 * the promised RTO. Aurora typically moves the writer in about a minute (DESIGN §9); a move still unfinished at
 * 5 minutes has broken the promise, so the CLI says so (exit 4) instead of waiting silently. AWS
 * carries on; re-running the same command resumes the wait.
 */
export const DEFAULT_TIMEOUT_SECONDS = RTO_SECONDS;

/**
 * How far before `dr failover` starts the `--since` it suggests to `dr clear-sessions` reaches
 * (beyond the last lag seen). The writes a failover loses are those the old writer committed
 * before the outage and had not replicated, and the outage began before the failover, by as long
 * as the on-call took to start it (the runbook's budget leaves about 3 minutes). The lag reading
 * cannot date them: once the old writer stops, the metric stops or repeats its last value. A wider
 * window only costs cache misses.
 */
export const LOST_WRITES_LOOKBACK_SECONDS = 15 * 60;

/** Window searched for the latest replication-lag datapoint. */
export const LAG_LOOKBACK_SECONDS = 300;

/**
 * How long after its minute ends a lag reading still vouches for the replication: CloudWatch
 * shows RDS's 1-minute datapoints a minute or two late. An older newest reading means the metric
 * stopped (a stalled replication can look like that), so a switchover is not started on it.
 */
export const MAX_LAG_READING_AGE_SECONDS = 180;

/** How far back `dr status` reads the health probe's datapoints: a few probes. */
export const PROBE_LOOKBACK_SECONDS = 120;

/**
 * How recent a pass of the primary's `/health` seen by the DR region's probe must be to count as
 * "it passed just now" when the primary does not answer the on-call's machine: a minute holds a
 * few probes (every 10 s by default) and CloudWatch's delay; an older pass with nothing since is
 * a probe that has stopped. `dr failover` refuses either way (only a run of failures lets it go
 * on without --force); this says which of the two it tells the on-call.
 */
export const PROBE_PASS_VOUCHES_SECONDS = 60;

/** How far back `dr failover` looks for the start of the primary's outage: the promised RTO twice over. */
export const OUTAGE_LOOKBACK_SECONDS = 2 * RTO_SECONDS;
