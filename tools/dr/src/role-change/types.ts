import type { PreflightOptions, PreflightResult } from "../preflight";
import type { TimelineEvent } from "../timeline";
import type { RpoEstimate } from "./rpo-estimate";

export interface RoleChangeResult {
  command: "switchover" | "failover" | "failback";
  /** `done`: this run moved the writer; `resumed`: it waited for a move already under way. */
  outcome: "done" | "already-done" | "resumed";
  from: string | null;
  to: string;
  timeline: TimelineEvent[];
  totalSeconds: number;
  preflight?: PreflightResult;
  /**
   * Failover only: the last replication lag the target region reported before the move, an
   * estimate of the writes lost (the lag may have grown after that reading, until the writer's region failed).
   */
  rpoEstimate?: RpoEstimate;
}

export interface RoleChangeOptions {
  /** Skip the confirmation (`--yes`, or a drill that already asked once). */
  yes: boolean;
  /** Switchover: preflight counts only lag readings after this (a drill's return leg). */
  lagSince?: PreflightOptions["lagSince"];
  /** Switchover: called once the target is seen as the writer, before the checks that follow (a drill re-points its payments). */
  onWriter?: () => void;
}
