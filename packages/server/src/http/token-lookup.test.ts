import { describe, expect, it } from 'vitest';
import { bearerToken } from './token-lookup.js';

describe('bearerToken', () => {
  it('takes the token after the Bearer scheme, in any case, after spaces or tabs', () => {
    expect(bearerToken('Bearer abc.def-ghi_')).toBe('abc.def-ghi_');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER\tabc')).toBe('abc');
    expect(bearerToken('Bearer   abc  ')).toBe('abc');
    expect(bearerToken(['Bearer first', 'Bearer second'])).toBe('first');
  });

  it('refuses other schemes, a missing token, and more than one word', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer    ',
      'Basic abc',
      'Bearerabc',
      'Bearer: abc',
      'Bearer a b',
      'Bearer a\tb',
      'xBearer abc',
    ])
      expect(bearerToken(header), String(header)).toBeUndefined();
  });
});
