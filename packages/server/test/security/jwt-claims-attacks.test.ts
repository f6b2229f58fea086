import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, randomSecret, type TestServer } from '../helpers/test-server.js';
import { b64u, claimsOf, hmacSign, nowOf, serverSigned, signWith } from '@duotoken/test-kit/forge';
import { bearer, loginOk, me, refresh, SETUP, startSecurityServer } from './helpers/security-server.js';

/**
 * Claims checks. Tokens here are signed with the server's own key, so a
 * refusal can only come from the claim check under test; each group has a
 * control that the same builder yields an accepted token.
 */
describe('access-token claims are checked (RFC 8725 §3.8-§3.11, RFC 9068 §4, RFC 7519 §4.1)', () => {
  let server: TestServer;
  let token: string;
  let refreshToken: string;
  let base: Record<string, unknown>;
  const TOLERANCE = 5;

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_CLOCK_TOLERANCE: String(TOLERANCE) });
    // A plain user, so that `adm: true` is a real escalation.
    await server.runtime.services.admin.createUser({ account: 'mallory', password: 'mallory-password' }, SETUP);
    const pair = await loginOk(server, 'mallory', 'mallory-password');
    token = pair.access_token;
    refreshToken = pair.refresh_token;
    base = claimsOf(token);
  });
  afterAll(() => server.close());

  async function codeOf(t: string): Promise<string> {
    const res = await me(server, t);
    return res.status === 200 ? '00000' : res.body.code;
  }
  const fresh = () => {
    const now = nowOf(server);
    return { ...base, iat: now, nbf: now, exp: now + 900, jti: `j${Math.random()}` };
  };

  it('a claim changed after signing breaks the signature (CWE-345)', async () => {
    const [h, , s] = token.split('.') as [string, string, string];
    for (const change of [
      { roles: ['owner'] },
      { uid: 999, sub: '999' },
      { adm: true },
      { company_id: 999 },
      { sv: 999 },
      { exp: 4102444800 },
      { sid: 'other' },
    ])
      expect(await codeOf(`${h}.${b64u({ ...base, ...change })}.${s}`)).toBe('10028');
  });

  it('wrong iss, aud or typ are refused; the right ones pass (RFC 8725 §3.8, §3.9, §3.11; RFC 9068 §4)', async () => {
    expect(await codeOf(await serverSigned(server, fresh()))).toBe('00000');
    expect(await codeOf(await serverSigned(server, fresh(), { typ: 'application/at+jwt' }))).toBe('00000');
    expect(await codeOf(await serverSigned(server, { ...fresh(), aud: ['other', 'duotoken'] }))).toBe('00000');
    for (const claims of [{ iss: 'evil' }, { iss: undefined }, { aud: 'other' }, { aud: ['other'] }, { aud: undefined }])
      expect(await codeOf(await serverSigned(server, { ...fresh(), ...claims })), JSON.stringify(claims)).toBe('10028');
    for (const typ of ['JWT', 'jwt', 'rt+jwt', 'at+jwt ', undefined])
      expect(await codeOf(await serverSigned(server, fresh(), { typ })), String(typ)).toBe('10028');
  });

  it(`exp has no leeway; nbf and iat get ${TOLERANCE} s of leeway and no more (RFC 7519 §4.1.4-§4.1.6; RFC 8725 §3.10)`, async () => {
    const now = nowOf(server);
    const at = (claims: Record<string, unknown>) => serverSigned(server, { ...fresh(), ...claims });
    expect(await codeOf(await at({ exp: now + 1 }))).toBe('00000');
    expect(await codeOf(await at({ exp: now, iat: now - 900, nbf: now - 900 }))).toBe('10027');
    expect(await codeOf(await at({ exp: now - 1, iat: now - 901, nbf: now - 901 }))).toBe('10027');
    expect(await codeOf(await at({ nbf: now + TOLERANCE }))).toBe('00000');
    expect(await codeOf(await at({ nbf: now + TOLERANCE + 1 }))).toBe('10028');
    expect(await codeOf(await at({ iat: now + TOLERANCE, nbf: now }))).toBe('00000');
    expect(await codeOf(await at({ iat: now + TOLERANCE + 1 }))).toBe('10028');
    expect(await codeOf(await at({ exp: now + 10, iat: now + 10 }))).toBe('10028');
    for (const exp of [undefined, null, String(now + 60), now + 60.5, 1e300])
      expect(await codeOf(await at({ exp })), String(exp)).toBe('10028');
    // An expired token is told apart from an invalid one only when it is genuine.
    expect(
      await codeOf(
        await signWith(generateKeyPairSync('ed25519').privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: 'x' }, { ...fresh(), exp: now - 1 }),
      ),
    ).toBe('10028');
  });

  it('the leeway follows the clock: a token with nbf in the future becomes valid once the clock reaches it', async () => {
    const t = await serverSigned(server, { ...fresh(), nbf: nowOf(server) + TOLERANCE + 30 });
    expect(await codeOf(t)).toBe('10028');
    server.clock.advance(30);
    // The first refusal was not cached: the same string is judged again.
    expect(await codeOf(t)).toBe('00000');
  });

  it('a refresh token is never an access token, nor the reverse (SPEC §2; RFC 8725 §3.11)', async () => {
    for (const headers of [bearer(refreshToken), { 'access-token': refreshToken }]) {
      const res = await call(server, 'GET', '/auth/me', { headers });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('10028');
    }
    const asRefresh = await refresh(server, token);
    expect(asRefresh.status).toBe(401);
    expect(asRefresh.body.code).toBe('10024');
    const viaHeader = await call(server, 'POST', '/auth/refresh-token', { headers: { 'refresh-token': token } });
    expect(viaHeader.body.code).toBe('10024');
    // The refresh token is still good: the failed attempts did not consume it.
    expect((await refresh(server, refreshToken)).status).toBe(200);
  });

  it('in HS256 mode, tokens signed with another or an empty secret, or with alg none, are refused (RFC 8725 §3.5)', async () => {
    const hs = await startSecurityServer({ DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: randomSecret() });
    try {
      const good = (await loginOk(hs, ADMIN.account, ADMIN.password)).access_token;
      expect((await me(hs, good)).status).toBe(200);
      const header = { alg: 'HS256', typ: 'at+jwt', kid: String(JSON.parse(Buffer.from(good.split('.')[0]!, 'base64url').toString()).kid) };
      const claims = claimsOf(good);
      for (const key of ['', randomSecret(), 'duotoken']) expect((await me(hs, hmacSign(header, claims, key))).body.code).toBe('10028');
      expect((await me(hs, `${b64u({ ...header, alg: 'none' })}.${b64u(claims)}.`)).body.code).toBe('10028');
      const eddsa = await signWith(generateKeyPairSync('ed25519').privateKey, { ...header, alg: 'EdDSA' }, claims);
      expect((await me(hs, eddsa)).body.code).toBe('10028');
    } finally {
      await hs.close();
    }
  });
});
