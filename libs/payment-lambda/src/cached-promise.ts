/** A value loaded once per container and kept, unless loading failed or it was cleared. */
export interface CachedPromise<T> {
  /** The cached value's promise; starts a load when there is none. */
  get(): Promise<T>;
  /** Forget the value: the next `get` loads again. */
  clear(): void;
}

/**
 * Caches `load`'s promise for the life of the container. A rejected load is not kept: the
 * next caller tries again (a throttled secret fetch, a failed SDK import).
 */
export function cachedUntilRejected<T>(load: () => Promise<T>): CachedPromise<T> {
  let cached: Promise<T> | undefined;
  return {
    get() {
      if (!cached) {
        const pending = load();
        pending.catch(() => {
          if (cached === pending) cached = undefined;
        });
        cached = pending;
      }
      return cached;
    },
    clear() {
      cached = undefined;
    },
  };
}
