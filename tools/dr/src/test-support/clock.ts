import type { Clock } from "../clock";

/** Time that moves only when the code sleeps. */
export class FakeClock implements Clock {
  private ms = Date.parse("2025-06-02T09:00:00.000Z");
  now(): Date {
    return new Date(this.ms);
  }
  async sleep(ms: number): Promise<void> {
    this.ms += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
