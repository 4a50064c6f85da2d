import { cachedUntilRejected } from "./cached-promise";

/** A load whose every call the test settles by hand. */
function manualLoads() {
  const calls: { resolve(value: string): void; reject(error: Error): void }[] = [];
  const load = () => new Promise<string>((resolve, reject) => calls.push({ resolve, reject }));
  return { load, calls };
}

describe("cachedUntilRejected", () => {
  it("keeps a loaded value, and loads again after a rejection", async () => {
    const { load, calls } = manualLoads();
    const cached = cachedUntilRejected(load);
    const first = cached.get();
    calls[0]!.reject(new Error("throttled"));
    await expect(first).rejects.toThrow("throttled");
    const second = cached.get();
    calls[1]!.resolve("secret");
    expect(await second).toBe("secret");
    expect(await cached.get()).toBe("secret");
    expect(calls).toHaveLength(2);
  });

  // Credentials cleared after an authentication failure while the old fetch was still out: the old
  // fetch's failure must not throw away the new one, which every later request would then repeat.
  it("a load cleared and replaced is not forgotten when the old one rejects", async () => {
    const { load, calls } = manualLoads();
    const cached = cachedUntilRejected(load);
    const old = cached.get();
    cached.clear();
    const current = cached.get();
    calls[0]!.reject(new Error("old fetch failed"));
    await expect(old).rejects.toThrow("old fetch failed");
    expect(cached.get()).toBe(current);
    calls[1]!.resolve("rotated");
    expect(await cached.get()).toBe("rotated");
    expect(calls).toHaveLength(2);
  });
});
