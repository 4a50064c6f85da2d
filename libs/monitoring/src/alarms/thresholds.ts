import { ConfigError, ConfigReader, DEFAULT_INSTANCE_CLASS, defaultMaxConnections, RECOVERY_TARGETS, writerMaxConnections, type RegionalConfig } from "@payments-dr/conventions";

/**
 * Replication alarms warn at a quarter of the bound they guard: far above what a healthy
 * system shows (Aurora and DynamoDB lag ≈ 1 s, `aimRpoSeconds`), so normal jitter never pages,
 * and low enough that a stalled replication, whose lag grows a second per second, crosses it
 * 15 s in. The minute that holds that crossing must close (`rpoLagMinutes`) and its datapoint
 * arrive, so the page comes one to two minutes after the stall, with 60–120 s of writes at
 * risk: past the promised RPO at worst. Only `managedRpoSeconds` bounds the loss itself.
 */
export const REPLICATION_WARNING_SHARE = 0.25;

/** The database and tables' replication warning: 60 s × 1000 ms × ¼ = 15 000 ms. */
const RPO_WARNING_MS = RECOVERY_TARGETS.rpoSeconds * 1000 * REPLICATION_WARNING_SHARE;

/** Share of the writer's `max_connections` above which new connections are close to refused. */
const CONNECTIONS_WARNING_SHARE = 0.8;


/** The connections alarm's threshold for a writer that accepts `maxConnections`. */
function auroraConnectionsThreshold(maxConnections: number): number {
  return Math.floor(CONNECTIONS_WARNING_SHARE * maxConnections);
}

/**
 * The thresholds of the alarms of `RegionalAlarms` and `ReplicationAlarms`. Each alarm looks at
 * one-minute datapoints unless its metric comes less often (the certificate's expiry: daily), and
 * alarms at or above (health checks, days to expiry: below) its threshold.
 */
export interface AlarmThresholds {
  /**
   * Lambda `Errors` per minute: unhandled exceptions and timeouts (a 4xx or 503 the handler
   * returns is not an error). Two such minutes out of three alarm. @default 5
   */
  lambdaErrorsPerMinute: number;
  /**
   * Lambda `Throttles` per minute. Reserved concurrency is the region's share of the writer's
   * connections, so one throttle is a payment request refused for lack of budget. @default 1
   */
  lambdaThrottlesPerMinute: number;
  /**
   * Lambda p99 `Duration`, as a share of the function's timeout, for three minutes: requests
   * are about to time out (and are retried by callers, doubling the load). @default 0.8
   */
  lambdaDurationTimeoutShare: number;
  /** API Gateway `5XXError` per minute on the payment routes (not `/health`); two such minutes out of three alarm. @default 5 */
  api5xxPerMinute: number;
  /**
   * API Gateway p99 `Latency` in milliseconds, for three minutes. A payment takes well under a
   * second; a p99 at the 3 s connect budget means requests wait on the database. @default 3000
   */
  apiLatencyP99Ms: number;
  /**
   * Days before the custom domain's certificate expires at which its alarm pages. ACM renews a
   * DNS-validated certificate from 60 days before expiry, so at 30 days its renewal has been
   * failing for a month (usually: the validation record is gone). @default 30
   */
  certificateDaysToExpiry: number;
  /** Aurora `CPUUtilization` of the writer (percent, `Role=WRITER`) for five minutes. @default 80 */
  auroraCpuPercent: number;
  /**
   * Aurora `DatabaseConnections` of the writer (`Role=WRITER`, maximum) for three minutes: 80% of its
   * `max_connections`. {@link loadAlarmThresholds} derives it from the stack's `dbInstanceClass`
   * (or `dbMaxConnections` when set); `defaultAlarmThresholds` holds the value for db.r6g.large.
   * @default 1377 (db.r6g.large: 80 % of 1,722)
   */
  auroraConnections: number;
  /**
   * `AuroraGlobalDBRPOLag` of the DR cluster, milliseconds (maximum). Also below the
   * 20 s minimum of `rds.global_db_rpo`, so it warns before a managed RPO starts blocking
   * commits. @default 15000 (a quarter of the 60 s RPO)
   */
  auroraReplicationLagMs: number;
  /** DynamoDB `ReplicationLatency` of the sessions table to the DR replica, milliseconds (average). @default 15000 (a quarter of the 60 s RPO) */
  dynamodbReplicationLatencyMs: number;
  /**
   * DynamoDB `ReplicationLatency` of the API keys table to the DR replica, milliseconds
   * (average). Its own threshold rather than the sessions table's: here a late replica is a
   * security exposure (a key revoked in the primary keeps working in the DR region), so it can be
   * tightened without making the busier sessions table's alarm noisy, and loosening that one never
   * widens this one. The same default: key writes are data the RPO covers too.
   * @default 15000 (a quarter of the 60 s RPO)
   */
  apiKeysReplicationLatencyMs: number;
  /** S3 `ReplicationLatency`, seconds (maximum). @default 225 (a quarter of RTC's 15 minutes) */
  s3ReplicationLatencySeconds: number;
  /** S3 `OperationsPendingReplication` (maximum): a backlog that does not drain. @default 1000 */
  s3OperationsPendingReplication: number;
  /**
   * Minutes the Aurora lag or a table's replication latency must stay at or above its threshold.
   * Each minute of confirmation is a minute more of writes at risk against the 60 s promise, and
   * a healthy system lags ≈ 1 s, so one minute at a quarter of the promise is already news.
   * @default 1
   */
  rpoLagMinutes: number;
  /**
   * Minutes an S3 replication metric must stay at or above its threshold: a burst of uploads
   * fills the backlog for a minute or two, three in a row are a trend. Replication Time Control's
   * bound is 15 minutes, so three of confirmation leave most of it to act in. @default 3
   */
  s3ReplicationAlarmMinutes: number;
}

/** "for a minute" or "for N minutes": the alarms' descriptions say how long a breach lasts. */
export function forMinutes(minutes: number): string {
  return minutes === 1 ? "for a minute" : `for ${minutes} minutes`;
}

/** The thresholds every alarm uses unless overridden, derived from {@link RECOVERY_TARGETS}. */
export const defaultAlarmThresholds: Readonly<AlarmThresholds> = {
  lambdaErrorsPerMinute: 5,
  lambdaThrottlesPerMinute: 1,
  lambdaDurationTimeoutShare: 0.8,
  api5xxPerMinute: 5,
  apiLatencyP99Ms: 3000,
  certificateDaysToExpiry: 30,
  auroraCpuPercent: 80,
  auroraConnections: auroraConnectionsThreshold(defaultMaxConnections(DEFAULT_INSTANCE_CLASS)),
  auroraReplicationLagMs: RPO_WARNING_MS,
  dynamodbReplicationLatencyMs: RPO_WARNING_MS,
  apiKeysReplicationLatencyMs: RPO_WARNING_MS,
  // 15 min × 60 s × ¼ = 225 s.
  s3ReplicationLatencySeconds: RECOVERY_TARGETS.s3ReplicationMinutes * 60 * REPLICATION_WARNING_SHARE,
  s3OperationsPendingReplication: 1000,
  rpoLagMinutes: 1,
  s3ReplicationAlarmMinutes: 3,
};

/** The defaults with the overrides that are set (an explicit `undefined` keeps the default). */
export function alarmThresholds(overrides: Partial<AlarmThresholds> = {}): AlarmThresholds {
  const set = Object.entries(overrides).filter(([, value]) => value !== undefined);
  return { ...defaultAlarmThresholds, ...Object.fromEntries(set) };
}

/** The config key that overrides thresholds: a mapping of {@link AlarmThresholds} fields to numbers. */
const ALARM_THRESHOLDS_KEY = "alarmThresholds";

/** A number of whole minutes from 1 to `max` (CloudWatch counts evaluation periods in whole numbers). */
const wholeMinutes =
  (max: number, why: string) =>
  (value: number): string | undefined =>
    Number.isInteger(value) && value <= max ? undefined : `must be a whole number of minutes from 1 to ${max} (${why})`;

/** A replication warning, in milliseconds: above the lag of a healthy system, which a value meant in seconds is not. */
const replicationWarningMs = (value: number): string | undefined =>
  value > RECOVERY_TARGETS.aimRpoSeconds * 1000 ? undefined : `must be above ${RECOVERY_TARGETS.aimRpoSeconds * 1000} (the lag of a healthy system, in milliseconds)`;

/**
 * Aurora's, also no looser than the default: the lag at which `dr preflight` refuses a move
 * (tools/dr MAX_LAG_SECONDS reads only Aurora's), under Aurora's 20 s minimum managed RPO.
 */
const auroraLagWarningMs = (value: number): string | undefined =>
  replicationWarningMs(value) ??
  (value <= RPO_WARNING_MS ? undefined : `must be at most ${RPO_WARNING_MS} (a quarter of the ${RECOVERY_TARGETS.rpoSeconds} s RPO, where \`dr preflight\` refuses a move)`);

/** What an override may be, beyond a positive number: an alarm that can never fire, or fires too late to matter, is refused. */
const THRESHOLD_BOUNDS: Partial<Record<keyof AlarmThresholds, (value: number) => string | undefined>> = {
  lambdaDurationTimeoutShare: (value) => (value < 1 ? undefined : "must be below 1 (a share of the function's timeout, which a duration never reaches)"),
  auroraCpuPercent: (value) => (value < 100 ? undefined : "must be below 100 (a percentage)"),
  auroraReplicationLagMs: auroraLagWarningMs,
  dynamodbReplicationLatencyMs: replicationWarningMs,
  apiKeysReplicationLatencyMs: replicationWarningMs,
  rpoLagMinutes: wholeMinutes(5, `each minute more is ${RECOVERY_TARGETS.rpoSeconds} s more of writes at risk against the promised RPO`),
  s3ReplicationAlarmMinutes: wholeMinutes(RECOVERY_TARGETS.s3ReplicationMinutes, "Replication Time Control's bound"),
};

/**
 * The thresholds set in stack config (`payments-dr:alarmThresholds`, e.g. `{ api5xxPerMinute: 10 }`),
 * for a stack whose alarms do not watch Aurora (the global stack). An unknown name fails the
 * preview, naming the key and the known names.
 */
export function loadAlarmThresholdOverrides(reader: ConfigReader = new ConfigReader()): Partial<AlarmThresholds> {
  const overrides = reader.numbers(ALARM_THRESHOLDS_KEY);
  const known = Object.keys(defaultAlarmThresholds);
  for (const name of Object.keys(overrides)) {
    if (name in RENAMED_THRESHOLDS) throw new ConfigError(ALARM_THRESHOLDS_KEY, `"${name}" is gone: ${RENAMED_THRESHOLDS[name]}.`);
    if (!known.includes(name)) throw new ConfigError(ALARM_THRESHOLDS_KEY, `unknown threshold "${name}"; known: ${known.join(", ")}.`);
    const problem = THRESHOLD_BOUNDS[name as keyof AlarmThresholds]?.(overrides[name]!);
    if (problem) throw new ConfigError(ALARM_THRESHOLDS_KEY, `${name} ${problem}, not ${overrides[name]}.`);
  }
  return overrides;
}

/** Thresholds a stack's config may still name, and what replaced them. */
const RENAMED_THRESHOLDS: Record<string, string> = {
  replicationLagMinutes: "set rpoLagMinutes (Aurora and DynamoDB lag, default 1) and s3ReplicationAlarmMinutes (S3, default 3) instead",
};

/**
 * The thresholds of a regional stack: stack config (see {@link loadAlarmThresholdOverrides}) over
 * the defaults, the connections alarm at 80% of this stack's writer's `max_connections` unless
 * `auroraConnections` is set (the writer's `max_connections` as `loadApiConfig` budgets it:
 * `writerMaxConnections`).
 */
export function loadAlarmThresholds(regional: RegionalConfig, reader: ConfigReader = new ConfigReader()): AlarmThresholds {
  const overrides = loadAlarmThresholdOverrides(reader);
  return alarmThresholds({ auroraConnections: auroraConnectionsThreshold(writerMaxConnections(regional, reader)), ...overrides });
}
