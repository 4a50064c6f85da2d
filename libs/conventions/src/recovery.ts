/**
 * The recovery targets of payments-dr (DESIGN §9), in one place. What is promised is what the
 * alarms, dashboards, preflight and drill guard, and what `managedRpoSeconds` may not loosen;
 * what is aimed at is what a healthy system shows.
 */
export const RECOVERY_TARGETS = {
  /** Data loss promised at most (Recovery Point Objective), seconds. */
  rpoSeconds: 60,
  /** Time to serve again promised at most (Recovery Time Objective), seconds. */
  rtoSeconds: 300,
  /** Data loss aimed at: Aurora global database and DynamoDB global tables typically lag < 1 s. */
  aimRpoSeconds: 1,
  /**
   * Time aimed at, moving away from the primary: Route 53 detection ≈ 30 s + record TTL 60 s;
   * Aurora promotion runs alongside. Not a planned failback's: DNS moves back only once the home
   * region holds the writer again, so the promotion comes first (≈ 150 s together, runbook).
   */
  aimRtoSeconds: 90,
  /** S3 Replication Time Control replicates 99.99% of objects within this many minutes. */
  s3ReplicationMinutes: 15,
} as const;

/**
 * The lowest `rds.global_db_rpo` Aurora accepts (managedRpoSeconds, primary-region only): past a
 * lag this long, Aurora may be blocking the primary's commits.
 */
export const MANAGED_RPO_MIN_SECONDS = 20;
