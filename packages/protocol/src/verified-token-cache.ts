/** How many characters of a token key the cache: the tail of its signature. */
const KEY_LENGTH = 43;

/**
 * A bounded map from a token to what verifying it proved, kept until the
 * token's expiry; the oldest entry is evicted first (a Map keeps insertion
 * order). Not least-recently-used: moving an entry on every hit cost more
 * than the rest of the cached session check (measured in process, ≈ 0.5 µs
 * of ≈ 0.8 µs on the bench machine), while evicting a token still in use
 * costs one signature check 10 000 tokens later.
 * Revocation is never cached here: the caller checks it on every use.
 *
 * The map key is the token's last 43 characters (part of its signature), and a
 * hit is confirmed by comparing the whole token: every request brings a fresh
 * string, and hashing ~500 characters for the lookup cost more than the rest
 * of the hit (bench/: the session-check route). A forged token sharing a tail
 * with a cached one only misses, and only verified tokens are ever stored.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { token: string; value: T; until: number }>();

  /** @param capacity most tokens kept (a whole number ≥ 1). */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('cacheSize must be a whole number ≥ 1');
  }

  /** The cached value, or undefined when absent or at/after its `until` (unix seconds). */
  get(token: string, nowSeconds: number): T | undefined {
    const key = token.slice(-KEY_LENGTH);
    const hit = this.entries.get(key);
    if (!hit || hit.token !== token) return undefined;
    if (nowSeconds >= hit.until) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Remembers `value` for `token` until `until` (unix seconds). */
  set(token: string, value: T, until: number): void {
    const key = token.slice(-KEY_LENGTH);
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { token, value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
