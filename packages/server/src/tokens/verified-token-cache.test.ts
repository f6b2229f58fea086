import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

const signature = 'S'.repeat(86);
const token = (payload: string) => `header.${payload}.${signature}`;

describe('VerifiedTokenCache', () => {
  it('hits only for the very same token, until its expiry', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set(token('genuine'), 'claims', 100);
    expect(cache.get(token('genuine'), 99)).toBe('claims');
    // Same signature tail, other payload (a forgery): a miss, never the genuine claims.
    expect(cache.get(token('forged'), 99)).toBeUndefined();
    expect(cache.get(token('genuine'), 100)).toBeUndefined();
    expect(cache.get(token('genuine'), 50)).toBeUndefined();
  });

  it('evicts the oldest entry past its capacity', () => {
    const cache = new VerifiedTokenCache<number>(2);
    const a = `a.b.${'1'.repeat(86)}`;
    const b = `a.b.${'2'.repeat(86)}`;
    const c = `a.b.${'3'.repeat(86)}`;
    cache.set(a, 1, 100);
    cache.set(b, 2, 100);
    cache.set(c, 3, 100);
    expect([cache.get(a, 0), cache.get(b, 0), cache.get(c, 0)]).toEqual([undefined, 2, 3]);
  });
});
