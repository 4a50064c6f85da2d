// The commands that move the Aurora global writer, one file each (switchover, failover, failback).
// What they share sits beside them: their options and result (types), the AWS call that asks for
// the move (request-move), the wait for the new writer (wait-for-writer), and the checks that end
// every role change (finish, write-check).
export { failback } from "./failback";
export { FAILOVER_NEEDS_CONSENT, failover, type FailoverOptions } from "./failover";
export type { RpoEstimate } from "./rpo-estimate";
export { switchover } from "./switchover";
export type { RoleChangeOptions, RoleChangeResult } from "./types";
