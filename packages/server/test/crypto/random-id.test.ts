import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/crypto/random-id.js';

describe('randomId', () => {
  it('gives base64url ids of the asked size, all different, across pool refills', () => {
    const ids = Array.from({ length: 1000 }, () => randomId());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\w-]{22}$/);
    expect(randomId(18)).toMatch(/^[\w-]{24}$/);
    expect(Buffer.from(randomId(2048), 'base64url')).toHaveLength(2048);
  });
});
