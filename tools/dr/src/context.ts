import type { Aws } from "./aws";
import type { Clock } from "./clock";
import type { Fetch } from "./http";
import type { Topology } from "./topology";

/** Asks the operator a yes/no question; resolves false (or throws a refusal) when nobody can answer. */
export type Confirm = (question: string) => Promise<boolean>;

/** Everything a command touches outside itself, injected so tests need no AWS, network or time. */
export interface Context {
  topology: Topology;
  aws: Aws;
  fetch: Fetch;
  clock: Clock;
  confirm: Confirm;
  /** Progress lines (stderr, so `--json` stdout stays parseable). */
  log(line: string): void;
  /** Seconds a role change may take before exit code 4. */
  timeoutSeconds: number;
  pollIntervalMs: number;
  healthTimeoutMs: number;
  /** A payment request's timeout, longer than /health's: a payment may run for the API's whole function timeout. */
  paymentTimeoutMs: number;
  /**
   * The drill merchant's API key (DR_DRILL_API_KEY), when set: a role change then ends with one
   * test payment written through the new writer's API, the proof that writes work there (the DR
   * region's /health answers 200 while read-only too, so it cannot give it).
   */
  writeCheckApiKey?: string;
}
