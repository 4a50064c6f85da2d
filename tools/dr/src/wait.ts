import { messageOf, TimedOutError } from "@payments-dr/cli-support";
import type { Context } from "./context";

/** `--timeout` from now: a move's starts once the operator has confirmed, so their reading time is not counted. */
export function deadlineFrom(ctx: Context): number {
  return ctx.clock.now().getTime() + ctx.timeoutSeconds * 1000;
}

/**
 * Polls `probe` until `done` holds or `deadline` (epoch ms on ctx.clock) passes. A probe that
 * throws is retried (APIs blink during a role change); the timeout message says what was last
 * seen, so the operator knows whether to wait longer or look elsewhere.
 */
export async function waitFor<T>(
  ctx: Context,
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  deadline: number,
  describe: (value: T) => string,
): Promise<T> {
  let last = "nothing yet";
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = describe(value);
    } catch (error) {
      last = `error: ${messageOf(error)}`;
    }
    const now = ctx.clock.now().getTime();
    if (now >= deadline) {
      throw new TimedOutError(`timed out waiting for ${what} (last seen: ${last}); it may still complete: re-run the same command to keep waiting, or run \`dr status\``);
    }
    await ctx.clock.sleep(Math.min(ctx.pollIntervalMs, Math.max(deadline - now, 0)));
  }
}
