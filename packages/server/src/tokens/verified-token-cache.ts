/**
 * A bounded map from a whole token string to what verifying it proved, kept
 * until the token's expiry. Keyed by the string itself, so a hit costs one map
 * lookup and no hashing. Oldest entries are evicted first (Map keeps insertion
 * order). Revocation is checked by the caller on every use, never cached here.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly capacity: number) {}

  /** The cached value, or undefined when absent or past `until` (unix seconds). */
  get(token: string, now: number): T | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (now >= hit.until) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.value;
  }

  set(token: string, value: T, until: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, until });
  }
}
