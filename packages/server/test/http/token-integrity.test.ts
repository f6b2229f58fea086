import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call } from '@duotoken/test-kit/standard-client';

// Forged tokens (alg none, tampered claims, signatures, headers) are refused in security/jwt-header-attacks and
// security/jwt-claims-attacks; every refusal reason's code in every dialect in verify/test/refusals-agree.
describe('a genuine access token is accepted until it expires, then answered 10027', () => {
  let server: TestServer;
  let pair: StandardTokenPair;
  const me = (token: string) => call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
    pair = (await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } }))
      .body.data;
  });
  afterAll(() => server.close());

  it('the untouched token is accepted (control)', async () => {
    expect((await me(pair.access_token)).status).toBe(200);
  });

  it('an expired token is 10027 (refresh), not 10028', async () => {
    const fresh = (
      await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } })
    ).body.data;
    server.clock.advance(900);
    const res = await me(fresh.access_token);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('10027');
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('HS256 opt-in', () => {
  it('refuses a secret shorter than 32 bytes at start-up', async () => {
    await expect(
      startTestServer({ DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: Buffer.alloc(31, 7).toString('base64url') }),
    ).rejects.toThrow(/DUOTOKEN_JWT_SECRET.*at least 32/);
  });

  it('signs HS256 tokens with the shared secret and publishes no key', async () => {
    const secret = Buffer.alloc(32, 9).toString('base64url');
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: secret });
    try {
      const pair = (
        await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } })
      ).body.data;
      expect(decodeProtectedHeader(pair.access_token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
      const { jwtVerify } = await import('jose');
      await expect(
        jwtVerify(pair.access_token, Buffer.from(secret, 'base64url'), { currentDate: new Date(server.clock.now()) }),
      ).resolves.toBeTruthy();
      expect((await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${pair.access_token}` } })).status).toBe(200);
      const jwks = await (await server.fetch('/.well-known/jwks.json')).json();
      expect(jwks).toEqual({ keys: [] });
    } finally {
      await server.close();
    }
  });
});
