import { invalid, MAX_CLUSTER_INSTANCES, R_CLASS_INSTANCE } from "@payments-dr/conventions";

// Component arguments that AWS would reject, or that would break the global database, stop the
// preview with one line naming the component (`invalid`), instead of failing halfway through a deploy.

/** Aurora global databases need memory-optimised instances; burstable ones are not supported. */
export function requireRClass(where: string, instanceClass: string): void {
  if (!R_CLASS_INSTANCE.test(instanceClass)) {
    invalid(where, `instanceClass "${instanceClass}" is not an r-class instance (e.g. db.r6g.large); Aurora global databases need memory-optimised instances.`);
  }
}

/**
 * A member of a global database with one secondary region holds 1 writer and at most 14 readers
 * while it is the primary (Aurora: 15 readers less one per secondary region), and either member
 * may become the primary: {@link MAX_CLUSTER_INSTANCES}.
 */
export function requireInstanceCount(where: string, instanceCount: number, min: number): void {
  if (!Number.isInteger(instanceCount) || instanceCount < min || instanceCount > MAX_CLUSTER_INSTANCES) {
    invalid(
      where,
      `instanceCount ${instanceCount} must be an integer from ${min} to ${MAX_CLUSTER_INSTANCES} (the writer and at most 14 readers: the primary of a global database with one secondary region may have no more).`,
    );
  }
}

/** Our backup policy is at least a week; RDS allows at most 35 days. */
export function requireBackupRetention(where: string, days: number): void {
  if (!Number.isInteger(days) || days < 7 || days > 35) {
    invalid(where, `backupRetentionDays ${days} must be an integer from 7 to 35.`);
  }
}

/** `rds.global_db_rpo` accepts whole seconds from 20 up. */
export function requireManagedRpo(where: string, seconds: number | undefined): void {
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 20)) {
    invalid(where, `managedRpoSeconds ${seconds} must be an integer of at least 20 (Aurora's minimum for rds.global_db_rpo).`);
  }
}

/** The major version of an Aurora PostgreSQL version such as "16.6". */
export function engineMajorVersion(where: string, engineVersion: string): number {
  const major = /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
  if (major === undefined) invalid(where, `engineVersion "${engineVersion}" is not an Aurora PostgreSQL version such as 16.6.`);
  return Number(major);
}
