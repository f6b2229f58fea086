import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call } from '@duotoken/test-kit/standard-client';

const ACTOR = { userId: null, ip: null };

describe('POST /auth/login', () => {
  let server: TestServer;
  let acme: number;
  let globex: number;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
    const admin = server.runtime.services.admin;
    await admin.createUser({ account: 'alice', password: 'alice-password-1' }, ACTOR);
    await admin.createUser({ account: 'bob', password: 'bob-password-12' }, ACTOR);
    acme = (await admin.createCompany('Acme', ACTOR)).id;
    globex = (await admin.createCompany('Globex', ACTOR)).id;
    await admin.setMembership('alice', acme, ['viewer'], ACTOR);
    await admin.setMembership('alice', globex, ['editor', 'billing'], ACTOR, true);
  });
  afterAll(() => server.close());

  it('answers a standard token pair with no-store and a signed access token carrying SPEC §2 claims', async () => {
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: 'alice', password: 'alice-password-1' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '00000', msg: '成功' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const pair = res.body.data;
    const now = Math.floor(server.clock.now() / 1000);
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 900, expires_at: now + 900, refresh_expires_in: 30 * 86400 });
    expect(pair.refresh_expires_at).toBe(now + 30 * 86400);
    expect(decodeProtectedHeader(pair.access_token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(decodeProtectedHeader(pair.access_token).kid).toBeTruthy();
    const claims = decodeJwt(pair.access_token);
    expect(claims).toMatchObject({
      iss: 'duotoken',
      aud: 'duotoken',
      company_id: globex,
      roles: ['editor', 'billing'],
      iat: now,
      nbf: now,
      exp: now + 900,
    });
    expect(claims.sub).toBe(String(claims.uid));
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.jti).toBe('string');
    // The refresh token is opaque, not a JWT anyone could decode.
    expect(pair.refresh_token.split('.')).toHaveLength(2);
  });

  it('accepts a form body and a company_id the user belongs to', async () => {
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', {
      form: { account: 'alice', password: 'alice-password-1', company_id: String(acme) },
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.data.access_token)).toMatchObject({ company_id: acme, roles: ['viewer'] });
  });

  it('login with a company the user is not a member of is 10030 and issues nothing', async () => {
    const res = await call(server, 'POST', '/auth/login', { json: { account: 'bob', password: 'bob-password-12', company_id: acme } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: '10030', data: { field: 'company_id' } });
  });

  it('a user without companies gets company_id null and no roles', async () => {
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: 'bob', password: 'bob-password-12' } });
    expect(decodeJwt(res.body.data.access_token)).toMatchObject({ company_id: null, roles: [] });
  });

  it('accounts are matched case-insensitively', async () => {
    const res = await call(server, 'POST', '/auth/login', { json: { account: '  ALICE ', password: 'alice-password-1' } });
    expect(res.status).toBe(200);
  });

  it('a wrong password and an unknown account get the same 10020 answer', async () => {
    const wrong = await call(server, 'POST', '/auth/login', { json: { account: 'alice', password: 'not-her-password' } });
    const unknown = await call(server, 'POST', '/auth/login', { json: { account: 'nobody-here', password: 'not-her-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ code: '10020', msg: '账号或密码错误', data: null });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('messages follow Accept-Language', async () => {
    const res = await call(server, 'POST', '/auth/login', {
      json: { account: 'alice', password: 'nope-nope' },
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(res.body).toMatchObject({ code: '10020', msg: 'Wrong account or password' });
  });

  it('a disabled account is 10022, and only after the right password', async () => {
    await server.runtime.services.admin.createUser({ account: 'carol', password: 'carol-password' }, ACTOR);
    await server.runtime.services.admin.setUserStatus('carol', 'disabled', ACTOR);
    const right = await call(server, 'POST', '/auth/login', { json: { account: 'carol', password: 'carol-password' } });
    expect(right.status).toBe(403);
    expect(right.body.code).toBe('10022');
    const wrong = await call(server, 'POST', '/auth/login', { json: { account: 'carol', password: 'wrong-password' } });
    expect(wrong.body.code).toBe('10020');
  });

  it.each([
    ['missing password', { account: 'alice' }, 'password'],
    ['missing account', { password: 'x' }, 'account'],
    ['empty account', { account: '', password: 'x' }, 'account'],
    ['company_id not a number', { account: 'alice', password: 'x', company_id: 'acme' }, 'company_id'],
  ])('invalid body (%s) is 10001 naming the field', async (_name, body, field) => {
    const res = await call<{ field: string }>(server, 'POST', '/auth/login', { json: body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('10001');
    expect(res.body.data.field).toBe(field);
  });

  it('malformed JSON is 10001', async () => {
    const res = await server.fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"account":' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('10001');
  });

  it('the first-start admin logs in as a platform admin member of the first company', async () => {
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password },
    });
    expect(decodeJwt(res.body.data.access_token)).toMatchObject({ adm: true, company_id: 1, roles: ['admin'] });
  });
});
