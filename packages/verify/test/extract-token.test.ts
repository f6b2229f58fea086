import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_LOOKUP, extractToken, isVerifyError } from '@duotoken/verify';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('extractToken (the server lookup order: header → URL → form)', () => {
  it('takes the first source that carries a token', () => {
    expect(extractToken({ headers: { authorization: 'Bearer H', ...form }, url: '/x?access-token=Q', body: { access_token: 'F' } })).toBe(
      'H',
    );
    expect(extractToken({ headers: { 'access-token': 'H2' }, url: '/x?access-token=Q' })).toBe('H2');
    expect(extractToken({ headers: form, url: '/x?access_token=Q', body: 'access-token=F' })).toBe('Q');
    expect(extractToken({ headers: form, url: '/x', body: 'access-token=F' })).toBe('F');
    expect(extractToken({ headers: { authorization: 'Basic abc' } })).toBeUndefined();
  });

  it('reads Fetch Headers, parsed queries, and no body that is not a form', () => {
    expect(extractToken({ headers: new Headers({ Authorization: 'bearer T' }) })).toBe('T');
    expect(extractToken({ headers: {}, query: { 'access-token': ['A', 'B'] } })).toBe('A');
    expect(extractToken({ headers: { 'content-type': 'application/json' }, body: { access_token: 'J' } })).toBeUndefined();
  });

  it('follows a configured order and refuses two sources in strict mode', () => {
    const lookup = { ...DEFAULT_TOKEN_LOOKUP, sources: ['query', 'header'] as const };
    expect(
      extractToken({ headers: { authorization: 'Bearer H' }, url: '/?access-token=Q' }, { ...lookup, sources: [...lookup.sources] }),
    ).toBe('Q');
    let error: unknown;
    try {
      extractToken({ headers: { authorization: 'Bearer H' }, url: '/?access-token=Q' }, { ...DEFAULT_TOKEN_LOOKUP, strict: true });
    } catch (e) {
      error = e;
    }
    expect(isVerifyError(error) && error.reason).toBe('ambiguous');
  });
});
