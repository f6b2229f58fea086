import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCanonicalBase64url, isCanonicalCompactJws, MAX_ACCESS_TOKEN_LENGTH } from '../src/compact-jws.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('canonical base64url (RFC 4648 §3.5)', () => {
  it('agrees with a decode and re-encode round trip on every last character of every length', () => {
    for (let bytes = 1; bytes <= 6; bytes++) {
      const head = randomBytes(bytes).toString('base64url').slice(0, -1);
      for (const last of ALPHABET) {
        const text = head + last;
        expect(isCanonicalBase64url(text), text).toBe(Buffer.from(text, 'base64url').toString('base64url') === text);
      }
    }
  });

  it('refuses padding, the standard alphabet, a lone last character and the empty string', () => {
    for (const text of ['QQ==', 'QQ=', 'a+b/', 'QUJDR', '']) expect(isCanonicalBase64url(text), text).toBe(false);
  });

  it('a compact JWS has three non-empty canonical parts and a bounded length', () => {
    const part = randomBytes(30).toString('base64url');
    expect(isCanonicalCompactJws(`${part}.${part}.${part}`)).toBe(true);
    expect(isCanonicalCompactJws(`${part}.${part}`)).toBe(false);
    expect(isCanonicalCompactJws(`${part}.${part}.`)).toBe(false);
    expect(isCanonicalCompactJws(`${part}.${part}.${part}.${part}`)).toBe(false);
    const long = 'A'.repeat(MAX_ACCESS_TOKEN_LENGTH);
    expect(isCanonicalCompactJws(`${long}.${part}.${part}`)).toBe(false);
  });
});
