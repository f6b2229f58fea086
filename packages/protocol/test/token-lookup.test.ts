import { describe, expect, it } from 'vitest';
import { bearerToken, DEFAULT_TOKEN_LOOKUP, findAccessToken, TWO_TOKENS, type TokenReader } from '../src/token-lookup.js';

/** A request as plain places: what a reader of any framework hands the lookup. */
interface Places {
  headers?: Record<string, string | string[]>;
  query?: unknown;
  form?: unknown;
}

/** Counts the reads, so a test can see which places the lookup touched. */
function readerOf(reads: string[] = []): TokenReader<Places> {
  return {
    header: (r, name) => (reads.push(`header:${name}`), r.headers?.[name]),
    query: (r) => (reads.push('query'), r.query),
    form: (r) => (reads.push('form'), r.form),
  };
}

const find = (places: Places, lookup = DEFAULT_TOKEN_LOOKUP) => findAccessToken(places, readerOf(), lookup);

describe('bearerToken (server and verifiers)', () => {
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
      null,
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

describe('findAccessToken: header → URL → form, the first source wins (SPEC §3)', () => {
  it('takes the first source that carries a token, and stops reading there', () => {
    const reads: string[] = [];
    const all = { headers: { authorization: 'Bearer H' }, query: { 'access-token': 'Q' }, form: { access_token: 'F' } };
    expect(findAccessToken(all, readerOf(reads), DEFAULT_TOKEN_LOOKUP)).toBe('H');
    expect(reads).toEqual(['header:authorization']);
    expect(find({ headers: { 'access-token': ' H2 ' }, query: { 'access-token': 'Q' } })).toBe('H2');
    expect(find({ query: { access_token: 'Q' }, form: { 'access-token': 'F' } })).toBe('Q');
    expect(find({ form: { 'access-token': 'F' } })).toBe('F');
  });

  it('a bad token in the winning source is returned, not skipped for a good one further on', () => {
    expect(find({ headers: { authorization: 'Bearer not.a.token' }, query: { 'access-token': 'good' } })).toBe('not.a.token');
  });

  it('Authorization wins over the access-token header; a non-Bearer scheme carries no token', () => {
    expect(find({ headers: { authorization: 'Bearer A', 'access-token': 'B' } })).toBe('A');
    expect(find({ headers: { authorization: 'Basic abc' } })).toBeUndefined();
    expect(find({ headers: { authorization: 'Basic abc', 'access-token': 'B' } })).toBe('B');
  });

  it('reads records, URLSearchParams and repeated fields (first value), and skips blank values', () => {
    expect(find({ query: new URLSearchParams('access_token=U') })).toBe('U');
    expect(find({ query: { 'access-token': ['A', 'B'] } })).toBe('A');
    expect(find({ query: { 'access-token': '  ', access_token: 'second' } })).toBe('second');
    expect(find({ query: { other: 'x' } })).toBeUndefined();
    expect(find({})).toBeUndefined();
  });

  it('follows a configured order and names', () => {
    const lookup = { ...DEFAULT_TOKEN_LOOKUP, sources: ['form', 'header'] as const, headerNames: ['x-token'] };
    expect(find({ headers: { 'x-token': 'H' }, form: { 'access-token': 'F' } }, lookup)).toBe('F');
    expect(find({ headers: { authorization: 'Bearer H' }, query: { 'access-token': 'Q' } }, lookup)).toBeUndefined();
  });

  it('strict mode: two sources carrying a token are TWO_TOKENS (RFC 6750 §2), one is the token', () => {
    const strict = { ...DEFAULT_TOKEN_LOOKUP, strict: true };
    expect(find({ headers: { authorization: 'Bearer H' }, query: { 'access-token': 'H' } }, strict)).toBe(TWO_TOKENS);
    expect(find({ query: { 'access-token': 'Q' }, form: { access_token: 'F' } }, strict)).toBe(TWO_TOKENS);
    expect(find({ headers: { authorization: 'Bearer H' } }, strict)).toBe('H');
    // Two headers are one source.
    expect(find({ headers: { authorization: 'Bearer A', 'access-token': 'B' } }, strict)).toBe('A');
  });
});
