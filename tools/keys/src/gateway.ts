import { isAwsError } from "@payments-dr/cli-support";
import type { Context } from "./context";

/**
 * Waits before each new try of a throttled API Gateway call. API Gateway's control plane answers
 * 10 requests per second per account and region, with a burst of 40 (CreateApiKey and
 * DeleteApiKey: 5 per second), and refuses the rest (429, TooManyRequestsException). `sync`
 * makes a call or two per merchant back to back, so restoring a replaced usage plan of more than
 * a few dozen merchants runs into it; the SDK tries a call only twice (AWS_CALL_LIMITS, short for a region that does
 * not answer), and a throttle is no outage. LimitExceededException (also a 429) is left to the
 * SDK's second attempt: API Gateway may answer a quota with it (10,000 API keys per region), which
 * no wait lifts.
 */
export const THROTTLE_WAITS_MS = [1_000, 2_000, 4_000, 8_000, 16_000] as const;

/** The longest wait a throttle's Retry-After may ask for. */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * Runs one API Gateway call; while API Gateway throttles it, waits (THROTTLE_WAITS_MS, or the
 * longer Retry-After it sent) and tries again. The last throttle is thrown like any error.
 */
export async function throttled<T>(ctx: Context, call: () => Promise<T>): Promise<T> {
  for (const wait of THROTTLE_WAITS_MS) {
    try {
      return await call();
    } catch (error) {
      if (!isAwsError(error, "TooManyRequestsException")) throw error;
      await ctx.sleep(Math.max(wait, retryAfterMs(error)));
    }
  }
  return call();
}

/** The Retry-After of a throttle (`retryAfterSeconds`), bounded; 0 without one. */
function retryAfterMs(error: unknown): number {
  const seconds = Number((error as { retryAfterSeconds?: unknown }).retryAfterSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 0;
}
