import type { ClientFactory } from "./aws";
import type { Deployment } from "./deployment";
import type { Secrets } from "./errors";

/** Everything a command touches outside itself, injected so tests need no AWS and no clock. */
export interface Context {
  deployment: Deployment;
  clients: ClientFactory;
  now(): Date;
  /** Waits `ms` (tests answer at once). */
  sleep(ms: number): Promise<void>;
  /** Progress lines (stderr, so `--json` stdout stays parseable); never a secret. */
  log(line: string): void;
  /** Every secret the command handles is registered here before any AWS call that could echo it. */
  secrets: Secrets;
}
