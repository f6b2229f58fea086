/**
 * A bounded map from a token to what verifying it proved, kept until the
 * token's expiry. Oldest entries are evicted first (Map keeps insertion
 * order). Revocation is checked by the caller on every use, never cached here.
 *
 * The map key is the token's last 43 characters (part of its signature), and a
 * hit is confirmed by comparing the whole token: every request brings a fresh
 * string, and hashing ~500 characters for the lookup cost more than the rest
 * of the hit (bench/: the session-check route). A forged token sharing a tail
 * with a cached one only misses, and only verified tokens are ever stored.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { token: string; value: T; until: number }>();

  constructor(private readonly capacity: number) {}

  /** The cached value, or undefined when absent or past `until` (unix seconds). */
  get(token: string, now: number): T | undefined {
    const key = keyOf(token);
    const hit = this.entries.get(key);
    if (!hit || hit.token !== token) return undefined;
    if (now >= hit.until) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(token: string, value: T, until: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyOf(token), { token, value, until });
  }
}

const keyOf = (token: string) => token.slice(-43);
