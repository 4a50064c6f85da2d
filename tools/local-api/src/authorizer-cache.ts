/** Entries kept at most: a local run sees a handful of keys; past this the oldest go. */
const MAX_ENTRIES = 10_000;

/**
 * API Gateway's authorizer cache: an answer per identity-source value (the Authorization header),
 * reused until its TTL is over. A TTL of 0 turns it off, as `authorizerResultTtlInSeconds: 0` does.
 */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The answer cached for `key`, unless there is none or its TTL is over. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() < entry.expiresAt) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T): void {
    if (!this.enabled) return;
    const now = this.now();
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [cached, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(cached);
      // Map order is insertion order: the first entry is the oldest.
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }
}
