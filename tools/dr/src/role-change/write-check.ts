import { FailedError } from "@payments-dr/cli-support";
import type { Context } from "../context";
import type { Timeline } from "../timeline";
import type { RegionSite } from "../topology";
import { postTestPayment } from "../traffic";
import { waitFor } from "../wait";
import type { RoleChangeResult } from "./types";

/**
 * With the drill merchant's key, waits (within the deadline) until one test payment is written
 * through the target region's API; retries reuse its Idempotency-Key, so at most one is made. A
 * refusal that waiting cannot mend (a 4xx but 408, 409 and 429: the key, the request) fails at once.
 */
export async function checkWrites(ctx: Context, command: RoleChangeResult["command"], target: RegionSite, timeline: Timeline, deadline: number, advice: string): Promise<void> {
  const apiKey = ctx.writeCheckApiKey;
  if (!apiKey) {
    timeline.mark("writes not checked: set DR_DRILL_API_KEY to have one test payment written through the new writer's API");
    return;
  }
  const at = ctx.clock.now().toISOString();
  const payment = { idempotencyKey: `dr-${command}-${at}`, reference: `dr-${command}-check`, description: `DR ${command} write check` };
  const written = await waitFor(
    ctx,
    `a test payment to be written through ${target.apiUrl}/payments`,
    () => postTestPayment(ctx, target.apiUrl, payment, { apiKey }),
    (attempt) => attempt.paymentId !== undefined || refusedForGood(attempt.httpStatus),
    deadline,
    (attempt) => attempt.error ?? `HTTP ${attempt.httpStatus}`,
    { advice },
  );
  if (written.paymentId === undefined) {
    throw new FailedError(`${target.region} holds the writer, but its API refused the test payment with HTTP ${written.httpStatus}: check DR_DRILL_API_KEY (the drill merchant's key), then write one payment by hand`);
  }
  timeline.mark(`test payment ${written.paymentId} written through ${target.apiUrl}: ${target.region} takes writes`);
}

/** 4xx answers a retry can change: a timeout, the same key still in flight, throttling. */
const RETRYABLE_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 409, 429]);

/** A 4xx answer that a retry cannot change (the key, the request). */
function refusedForGood(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
}
