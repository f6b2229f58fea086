import { describe, expect, it } from 'vitest';
import { AccessTokenProofs, judgeAccess, type SignatureCheck } from '../src/access-token-proofs.js';
import type { AccessTokenClaims } from '../src/claims.js';

const b64u = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const NOW = 1_800_000_000;
const RULES = { issuer: 'duotoken', audience: 'duotoken', clockTolerance: 5 };
const CLAIMS = {
  iss: 'duotoken',
  aud: 'duotoken',
  sub: '7',
  uid: 7,
  company_id: null,
  roles: [],
  sid: 's1',
  sv: 0,
  jti: 'j1',
  iat: NOW - 10,
  nbf: NOW - 10,
  exp: NOW + 900,
};
const SIGNATURE = b64u('a'.repeat(64));
const tokenOf = (header: unknown, claims: unknown = CLAIMS) => `${b64u(header)}.${b64u(claims)}.${SIGNATURE}`;
const AT = { alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' };

/** A signature check that accepts everything and counts its calls (what would be a key lookup or a JWKS fetch). */
function acceptAll(): SignatureCheck & { calls: number } {
  const check = async (token: string) => {
    check.calls++;
    return { payload: Buffer.from(token.split('.')[1]!, 'base64url') };
  };
  check.calls = 0;
  return check;
}

describe('AccessTokenProofs: the order both the server and the verifiers prove tokens in', () => {
  it('refuses the wrong type, a malformed string and a wrong typ before any signature check or key lookup', async () => {
    const check = acceptAll();
    const proofs = new AccessTokenProofs(RULES, check);
    const refusals = (tokens: string[]) => Promise.all(tokens.map((t) => proofs.prove(t, NOW)));
    expect(await refusals([`${'j'.repeat(22)}.${'m'.repeat(43)}`])).toMatchObject([{ ok: false, refusal: 'refresh_token' }]);
    expect(await refusals(['a.b.c', tokenOf(AT).slice(0, -1) + 'B', `${tokenOf(AT)}.x`, ''])).toMatchObject(
      Array(4).fill({ ok: false, refusal: 'malformed' }),
    );
    expect(
      await refusals([
        tokenOf({ ...AT, typ: 'JWT' }),
        tokenOf({ ...AT, typ: 'rt+jwt' }),
        tokenOf({ alg: 'EdDSA' }),
        `${b64u('nope')}.${b64u(CLAIMS)}.${SIGNATURE}`,
      ]),
    ).toMatchObject(Array(4).fill({ ok: false, refusal: 'header' }));
    expect(check.calls).toBe(0);
    expect(await proofs.prove(tokenOf({ ...AT, typ: 'Application/AT+JWT' }), NOW)).toMatchObject({ ok: true });
    expect(check.calls).toBe(1);
  });

  it('passes the signature check’s refusal on, then checks the claims', async () => {
    const failing = new AccessTokenProofs(RULES, async () => ({ refusal: 'keys_unavailable', cause: new Error('down') }));
    expect(await failing.prove(tokenOf(AT), NOW)).toMatchObject({ ok: false, refusal: 'keys_unavailable' });
    const proofs = new AccessTokenProofs(RULES, acceptAll());
    expect(await proofs.prove(tokenOf(AT, { ...CLAIMS, iss: 'evil' }), NOW)).toMatchObject({ ok: false, refusal: 'claims' });
    expect(await proofs.prove(tokenOf(AT, { ...CLAIMS, type: 'refresh' }), NOW)).toMatchObject({ ok: false, refusal: 'refresh_token' });
    expect(await proofs.prove(tokenOf(AT, { ...CLAIMS, nbf: NOW + 6 }), NOW)).toMatchObject({ ok: false, refusal: 'not_yet_valid' });
  });

  it('keeps a proven token until its expiry, and never a refused or an expired one', async () => {
    const check = acceptAll();
    const proofs = new AccessTokenProofs(RULES, check);
    const token = tokenOf(AT);
    expect(proofs.cached(token, NOW)).toBeUndefined();
    expect((await proofs.prove(token, NOW)).ok).toBe(true);
    expect(proofs.cached(token, NOW)).toMatchObject({ sid: 's1' });
    await proofs.prove(token, NOW);
    expect(check.calls).toBe(1);
    expect(proofs.cached(token, CLAIMS.exp)).toBeUndefined();
    // An expired token is proven (expired, not invalid) but never stored: it would only push a live one out.
    const one = new AccessTokenProofs(RULES, acceptAll(), 1);
    await one.prove(token, NOW);
    const expired = tokenOf(AT, { ...CLAIMS, exp: NOW - 1 });
    expect(await one.prove(expired, NOW)).toMatchObject({ ok: true, claims: { exp: NOW - 1 } });
    expect([one.cached(expired, NOW), one.cached(token, NOW)]).toMatchObject([undefined, { sid: 's1' }]);
    const refused = tokenOf(AT, { ...CLAIMS, aud: 'other' });
    await proofs.prove(refused, NOW);
    expect(proofs.cached(refused, NOW)).toBeUndefined();
  });
});

describe('judgeAccess', () => {
  const claims = CLAIMS as AccessTokenClaims;
  it('judges the session before the expiry, and exp with no leeway', () => {
    expect(judgeAccess(claims, 'ok', NOW)).toBeUndefined();
    expect(judgeAccess(claims, 'ok', CLAIMS.exp - 1)).toBeUndefined();
    expect(judgeAccess(claims, 'ok', CLAIMS.exp)).toBe('expired');
    expect(judgeAccess(claims, 'revoked', CLAIMS.exp + 1)).toBe('revoked');
    expect(judgeAccess(claims, 'stale', CLAIMS.exp + 1)).toBe('stale');
    expect(judgeAccess(claims, 'unavailable', NOW)).toBe('revocations_unavailable');
  });
});
