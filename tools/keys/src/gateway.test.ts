import { LimitExceededException, NotFoundException, TooManyRequestsException } from "@aws-sdk/client-api-gateway";
import type { Context } from "./context";
import { throttled, THROTTLE_WAITS_MS } from "./gateway";

/** A context that records the waits only. */
function waiting(): { ctx: Context; waits: number[] } {
  const waits: number[] = [];
  return { ctx: { sleep: async (ms: number) => void waits.push(ms) } as unknown as Context, waits };
}

const throttle = (retryAfterSeconds?: string) => new TooManyRequestsException({ message: "Too Many Requests", $metadata: {}, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });

describe("an API Gateway call API Gateway throttles", () => {
  it("waits and is tried again until answered (the SDK's two attempts are not enough: 10 requests/s per account and region)", async () => {
    const { ctx, waits } = waiting();
    let calls = 0;
    const answer = await throttled(ctx, async () => {
      calls++;
      if (calls === 1) throw throttle();
      if (calls === 2) throw throttle();
      return "answered";
    });
    expect(answer).toBe("answered");
    expect(waits).toEqual(THROTTLE_WAITS_MS.slice(0, 2));
  });

  it("waits as long as its Retry-After asks when that is longer, within bounds", async () => {
    const { ctx, waits } = waiting();
    let calls = 0;
    await throttled(ctx, async () => {
      calls++;
      if (calls === 1) throw throttle("3");
      if (calls === 2) throw throttle("3600");
    });
    expect(waits).toEqual([3_000, 30_000]);
  });

  it("gives up after the last wait with the throttle itself, and never retries another error (LimitExceededException: possibly a quota)", async () => {
    const { ctx, waits } = waiting();
    let calls = 0;
    await expect(
      throttled(ctx, async () => {
        calls++;
        throw throttle();
      }),
    ).rejects.toMatchObject({ name: "TooManyRequestsException" });
    expect(calls).toBe(THROTTLE_WAITS_MS.length + 1);
    expect(waits).toEqual([...THROTTLE_WAITS_MS]);

    waits.length = 0;
    for (const error of [
      new NotFoundException({ message: "Invalid Usage Plan ID specified", $metadata: {} }),
      // Possibly a quota (10,000 API keys per region), which no wait lifts: the SDK's second attempt is enough.
      new LimitExceededException({ message: "The request exceeded the rate limit", $metadata: {} }),
    ]) {
      await expect(
        throttled(ctx, async () => {
          throw error;
        }),
      ).rejects.toBe(error);
    }
    expect(waits).toEqual([]);
  });
});
