/**
 * A bounded LRU map from a whole token string to the claims that verifying it
 * proved, kept until the token's expiry. A hit costs one map lookup; the
 * least recently used entry is evicted first. Revocation is never cached
 * here: the caller checks it on every use.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  /** @param capacity most tokens kept (at least 1). */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('cacheSize must be a whole number ≥ 1');
  }

  /** The cached value, or undefined when absent or at/after `until` (unix seconds). */
  get(token: string, nowSeconds: number): T | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    this.entries.delete(token);
    if (nowSeconds >= hit.until) return undefined;
    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.entries.set(token, hit);
    return hit.value;
  }

  /** Remembers `value` for `token` until `until` (unix seconds). */
  set(token: string, value: T, until: number): void {
    this.entries.delete(token);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
