import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../src/verified-token-cache.js';

const signature = 'S'.repeat(86);
const token = (payload: string) => `header.${payload}.${signature}`;
const tokenOf = (n: number) => `a.b.${String(n).repeat(86)}`;

describe('VerifiedTokenCache (server and verifiers)', () => {
  it('hits only for the very same token, until its expiry', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set(token('genuine'), 'claims', 100);
    expect(cache.get(token('genuine'), 99)).toBe('claims');
    // Same signature tail, other payload (a forgery): a miss, never the genuine claims.
    expect(cache.get(token('forged'), 99)).toBeUndefined();
    expect(cache.get(token('genuine'), 100)).toBeUndefined();
    // An expired entry is forgotten, not kept for an earlier clock.
    expect(cache.get(token('genuine'), 50)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest token past its capacity; a token set again replaces its entry', () => {
    const cache = new VerifiedTokenCache<number>(2);
    const [a, b, c, d] = [tokenOf(1), tokenOf(2), tokenOf(3), tokenOf(4)];
    cache.set(a, 1, 100);
    cache.set(b, 2, 100);
    cache.set(c, 3, 100);
    expect([cache.get(a, 50), cache.get(b, 50), cache.get(c, 50)]).toEqual([undefined, 2, 3]);
    // Setting a cached token again replaces it without evicting another.
    cache.set(c, 3, 100);
    expect([cache.get(b, 50), cache.get(c, 50)]).toEqual([2, 3]);
    cache.set(d, 4, 100);
    expect([cache.get(b, 50), cache.get(c, 50), cache.get(d, 50)]).toEqual([undefined, 3, 4]);
    expect(cache.size).toBe(2);
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) expect(() => new VerifiedTokenCache(capacity), String(capacity)).toThrow(TypeError);
  });
});
