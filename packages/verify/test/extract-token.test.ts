import { describe, expect, it } from 'vitest';
import { extractToken, isVerifyError } from '@duotoken/verify';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * How the verifier reads a framework's request. The lookup itself (order,
 * first source wins, strict mode, Bearer parsing) is protocol's, shared with
 * the server: packages/protocol/test/token-lookup.test.ts.
 */
describe('extractToken reads any framework’s request', () => {
  it('reads Node header records and Fetch Headers', () => {
    expect(extractToken({ headers: { authorization: 'Bearer H', ...form }, url: '/x?access-token=Q', body: { access_token: 'F' } })).toBe(
      'H',
    );
    expect(extractToken({ headers: new Headers({ Authorization: 'bearer T' }) })).toBe('T');
    expect(extractToken({ headers: { 'access-token': ['A', 'B'] } })).toBe('A');
  });

  it('reads the query from a parsed query, or from the URL when none is given', () => {
    expect(extractToken({ headers: {}, query: { 'access-token': ['A', 'B'] } })).toBe('A');
    expect(extractToken({ headers: {}, url: 'http://svc.example/x?a=1&access_token=Q' })).toBe('Q');
    expect(extractToken({ headers: {}, url: '/x' })).toBeUndefined();
  });

  it('reads a form body parsed or as text, and no body that is not a form', () => {
    expect(extractToken({ headers: form, url: '/x', body: 'access-token=F' })).toBe('F');
    expect(extractToken({ headers: new Headers(form), body: { access_token: 'P' } })).toBe('P');
    expect(extractToken({ headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: { access_token: 'M' } })).toBe('M');
    expect(extractToken({ headers: { 'content-type': 'application/json' }, body: { access_token: 'J' } })).toBeUndefined();
  });

  it('refuses two sources in strict mode as ambiguous: 400, 10001, as the server', () => {
    let error: unknown;
    try {
      extractToken(
        { headers: { authorization: 'Bearer H' }, url: '/?access-token=Q' },
        { sources: ['header', 'query', 'form'], headerNames: ['authorization'], fields: ['access-token'], strict: true },
      );
    } catch (e) {
      error = e;
    }
    expect(isVerifyError(error) && { reason: error.reason, wire: error.wire, status: error.status }).toEqual({
      reason: 'ambiguous',
      wire: '10001',
      status: 400,
    });
  });
});
