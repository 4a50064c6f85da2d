import type * as aws from "@pulumi/aws";

/**
 * Days a deleted key waits before it is gone. Unprotected stacks: the shortest AWS allows, since
 * nothing is retained (DESIGN §4). With deletion protection: the longest, time to notice and cancel
 * a mistaken or malicious deletion before everything the key encrypts (the database and its
 * backups, the secrets, the tables, the buckets, the logs) becomes unreadable. Pulumi uses it when
 * it deletes the key; the key policy holds anyone else to it ({@link shortDeletionWindowDenial}).
 */
const KEY_DELETION_WINDOW_DAYS = { unprotected: 7, protected: 30 } as const;

/** The deletion window of a key of a stack with or without deletion protection. */
export function keyDeletionWindowDays(deletionProtection: boolean): number {
  return deletionProtection ? KEY_DELETION_WINDOW_DAYS.protected : KEY_DELETION_WINDOW_DAYS.unprotected;
}

/**
 * The key-policy statement that refuses a ScheduleKeyDeletion asking for a shorter window than
 * the protected one, whoever calls it (a request without a window gets KMS's default, 30 days).
 */
export function shortDeletionWindowDenial(): aws.iam.PolicyStatement {
  return {
    Sid: "DenyShortDeletionWindow",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "kms:ScheduleKeyDeletion",
    Resource: "*",
    Condition: { NumericLessThan: { "kms:ScheduleKeyDeletionPendingWindowInDays": String(KEY_DELETION_WINDOW_DAYS.protected) } },
  };
}
