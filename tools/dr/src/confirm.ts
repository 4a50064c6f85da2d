import { RefusedError } from "@payments-dr/cli-support";
import type { Context } from "./context";

/** Asks `question` unless `--yes` was given; a "no" (or no terminal to ask on) refuses, with nothing changed. */
export async function confirmOrRefuse(ctx: Context, options: { yes: boolean }, question: string): Promise<void> {
  if (options.yes) return;
  if (!(await ctx.confirm(question))) throw new RefusedError("not confirmed: nothing changed");
}
