import { FailedError, messageOf, TimedOutError } from "@payments-dr/cli-support";
import type { Context } from "./context";

/** `--timeout` from now: a move's starts once the operator has confirmed, so their reading time is not counted. */
export function deadlineFrom(ctx: Context): number {
  return ctx.clock.now().getTime() + ctx.timeoutSeconds * 1000;
}

/** What a {@link waitFor} may also be told. */
export interface WaitOptions<T> {
  /** Names a state that waiting cannot mend: it ends the wait at once (exit 3) with its message. */
  failed?: (value: T) => string | undefined;
  /** What to do after a timeout. @default RE_RUN_ADVICE */
  advice?: string;
}

/** After a timeout, as a rule: the move goes on in AWS, and a re-run waits for it. */
const RE_RUN_ADVICE = "it may still complete: re-run the same command to keep waiting, or run `dr status`";

/**
 * Polls `probe` until `done` holds or `deadline` (epoch ms on ctx.clock) passes. A probe that
 * throws is retried (APIs blink during a role change); the timeout message says what was last
 * seen and what to do, so the operator knows whether to wait longer or look elsewhere.
 */
export async function waitFor<T>(
  ctx: Context,
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  deadline: number,
  describe: (value: T) => string,
  { failed, advice = RE_RUN_ADVICE }: WaitOptions<T> = {},
): Promise<T> {
  let last = "nothing yet";
  for (;;) {
    let seen: { value: T } | undefined;
    try {
      seen = { value: await probe() };
    } catch (error) {
      last = `error: ${messageOf(error)}`;
    }
    if (seen) {
      if (done(seen.value)) return seen.value;
      const failure = failed?.(seen.value);
      if (failure !== undefined) throw new FailedError(failure);
      last = describe(seen.value);
    }
    const now = ctx.clock.now().getTime();
    if (now >= deadline) {
      throw new TimedOutError(`timed out waiting for ${what} (last seen: ${last}); ${advice}`);
    }
    await ctx.clock.sleep(Math.min(ctx.pollIntervalMs, Math.max(deadline - now, 0)));
  }
}
