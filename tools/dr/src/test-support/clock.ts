import type { Clock } from "../clock";

/** Time that moves only when the code sleeps. */
export class FakeClock implements Clock {
  private ms = Date.parse("2025-06-02T09:00:00.000Z");
  now(): Date {
    return new Date(this.ms);
  }
  /** Moves at least 1 ms, as Node's setTimeout does: a loop sleeping 0 ms still sees time pass instead of spinning. */
  async sleep(ms: number): Promise<void> {
    this.ms += Math.max(ms, 1);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
