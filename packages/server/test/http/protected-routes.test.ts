import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { call } from '@duotoken/test-kit/standard-client';

const ACTOR = { userId: null, ip: null };

describe('protected routes of the standard dialect', () => {
  let server: TestServer;
  let acme: number;
  let globex: number;
  let initech: number;
  const login = async (account = 'erin', password = 'erin-password', headers: Record<string, string> = {}) =>
    (await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account, password }, headers })).body.data;
  const auth = (access: string) => ({ authorization: `Bearer ${access}` });

  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
    const admin = server.runtime.services.admin;
    await admin.createUser({ account: 'erin', password: 'erin-password', name: 'Erin' }, ACTOR);
    acme = (await admin.createCompany('Acme', ACTOR)).id;
    globex = (await admin.createCompany('Globex', ACTOR)).id;
    initech = (await admin.createCompany('Initech', ACTOR)).id;
    await admin.setMembership('erin', acme, ['viewer'], ACTOR, true);
    await admin.setMembership('erin', globex, ['owner'], ACTOR);
  });
  afterAll(() => server.close());

  it('GET /auth/me answers user, company, companies and session', async () => {
    const pair = await login();
    const res = await call<Record<string, unknown>>(server, 'GET', '/auth/me', { headers: auth(pair.access_token) });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      user: { account: 'erin', name: 'Erin', status: 'active', is_admin: false },
      company: { id: acme, name: 'Acme', roles: ['viewer'] },
      companies: [
        { id: acme, name: 'Acme', roles: ['viewer'] },
        { id: globex, name: 'Globex', roles: ['owner'] },
      ],
      session: { id: decodeJwt(pair.access_token).sid },
    });
  });

  it('every protected route without a token is 401/10025 with a WWW-Authenticate challenge', async () => {
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['POST', '/auth/change-company'],
      ['POST', '/auth/logout'],
      ['POST', '/auth/logout-all'],
      ['GET', '/auth/sessions'],
      ['DELETE', '/auth/sessions/x'],
      ['POST', '/auth/password'],
      ['GET', '/auth/verify'],
    ] as const) {
      const res = await call(server, method, path);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code, `${method} ${path}`).toBe('10025');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="duotoken"');
    }
  });

  it('change-company for a member answers a new pair bound to that company in the same session, and fences the old access token', async () => {
    const pair = await login();
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/change-company', {
      json: { company_id: globex },
      headers: auth(pair.access_token),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const claims = decodeJwt(res.body.data.access_token);
    expect(claims).toMatchObject({ company_id: globex, roles: ['owner'], sid: decodeJwt(pair.access_token).sid });
    const old = await call(server, 'GET', '/auth/me', { headers: auth(pair.access_token) });
    expect(old.body.code).toBe('10028');
    const now = await call<{ company: { id: number } }>(server, 'GET', '/auth/me', { headers: auth(res.body.data.access_token) });
    expect(now.body.data.company.id).toBe(globex);
    // The new refresh token carries the new company forward.
    const refreshed = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', {
      json: { refresh_token: res.body.data.refresh_token },
    });
    expect(decodeJwt(refreshed.body.data.access_token).company_id).toBe(globex);
  });

  it('change-company for a non-member is 403/10030 and issues no token', async () => {
    const pair = await login();
    const res = await call(server, 'POST', '/auth/change-company', { json: { company_id: initech }, headers: auth(pair.access_token) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: '10030', data: { field: 'company_id' } });
    expect(JSON.stringify(res.body)).not.toMatch(/access_token|refresh_token/);
    // The session was not moved: the old token still works.
    expect((await call(server, 'GET', '/auth/me', { headers: auth(pair.access_token) })).status).toBe(200);
  });

  it('change-company with a bad body is 10001', async () => {
    const pair = await login();
    const res = await call(server, 'POST', '/auth/change-company', { json: { company_id: 'x' }, headers: auth(pair.access_token) });
    expect(res.body.code).toBe('10001');
  });

  it('logout revokes this session at once: access and refresh token both refused', async () => {
    const pair = await login();
    const other = await login();
    expect((await call(server, 'POST', '/auth/logout', { headers: auth(pair.access_token) })).status).toBe(200);
    expect((await call(server, 'GET', '/auth/me', { headers: auth(pair.access_token) })).body.code).toBe('10028');
    expect((await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } })).body.code).toBe('10024');
    expect((await call(server, 'GET', '/auth/me', { headers: auth(other.access_token) })).status).toBe(200);
  });

  it('sessions lists my live sessions, marks the current one, and revokes one by id', async () => {
    await server.runtime.services.admin.createUser({ account: 'fred', password: 'fred-password' }, ACTOR);
    const a = await login('fred', 'fred-password', { 'user-agent': 'tab-a' });
    const b = await login('fred', 'fred-password', { 'user-agent': 'tab-b' });
    const list = await call<Array<{ id: string; current: boolean; user_agent: string; ip: string }>>(server, 'GET', '/auth/sessions', {
      headers: auth(a.access_token),
    });
    expect(list.body.data).toHaveLength(2);
    const sidB = decodeJwt(b.access_token).sid as string;
    expect(list.body.data.find((s) => s.current)?.user_agent).toBe('tab-a');
    expect(list.body.data.find((s) => s.id === sidB)).toMatchObject({ current: false, user_agent: 'tab-b', ip: '127.0.0.1' });
    const del = await call(server, 'DELETE', `/auth/sessions/${sidB}`, { headers: auth(a.access_token) });
    expect(del.status).toBe(200);
    expect((await call(server, 'GET', '/auth/me', { headers: auth(b.access_token) })).body.code).toBe('10028');
    const after = await call<unknown[]>(server, 'GET', '/auth/sessions', { headers: auth(a.access_token) });
    expect(after.body.data).toHaveLength(1);
  });

  it("revoking another user's session is 404 and leaves it alive", async () => {
    const mine = await login();
    await server.runtime.services.admin.createUser({ account: 'gina', password: 'gina-password' }, ACTOR);
    const theirs = await login('gina', 'gina-password');
    const res = await call(server, 'DELETE', `/auth/sessions/${decodeJwt(theirs.access_token).sid}`, { headers: auth(mine.access_token) });
    expect(res.status).toBe(404);
    expect((await call(server, 'GET', '/auth/me', { headers: auth(theirs.access_token) })).status).toBe(200);
  });

  it('logout-all revokes every session of the user', async () => {
    await server.runtime.services.admin.createUser({ account: 'hank', password: 'hank-password' }, ACTOR);
    const a = await login('hank', 'hank-password');
    const b = await login('hank', 'hank-password');
    const res = await call<{ revoked: number }>(server, 'POST', '/auth/logout-all', { headers: auth(a.access_token) });
    expect(res.body.data.revoked).toBe(2);
    for (const p of [a, b]) expect((await call(server, 'GET', '/auth/me', { headers: auth(p.access_token) })).body.code).toBe('10028');
  });

  it('password change needs the old password and revokes the other sessions', async () => {
    await server.runtime.services.admin.createUser({ account: 'ivan', password: 'ivan-password' }, ACTOR);
    const a = await login('ivan', 'ivan-password');
    const b = await login('ivan', 'ivan-password');
    const wrong = await call(server, 'POST', '/auth/password', {
      json: { old_password: 'nope', new_password: 'ivan-new-password' },
      headers: auth(a.access_token),
    });
    expect(wrong.body.code).toBe('10020');
    const short = await call(server, 'POST', '/auth/password', {
      json: { old_password: 'ivan-password', new_password: 'short' },
      headers: auth(a.access_token),
    });
    expect(short.body).toMatchObject({ code: '10001', data: { field: 'password' } });
    const ok = await call(server, 'POST', '/auth/password', {
      json: { old_password: 'ivan-password', new_password: 'ivan-new-password' },
      headers: auth(a.access_token),
    });
    expect(ok.status).toBe(200);
    expect((await call(server, 'GET', '/auth/me', { headers: auth(a.access_token) })).status).toBe(200);
    expect((await call(server, 'GET', '/auth/me', { headers: auth(b.access_token) })).body.code).toBe('10028');
    expect((await call(server, 'POST', '/auth/login', { json: { account: 'ivan', password: 'ivan-password' } })).body.code).toBe('10020');
    expect((await call(server, 'POST', '/auth/login', { json: { account: 'ivan', password: 'ivan-new-password' } })).status).toBe(200);
  });

  it('GET /auth/verify answers 200 with x-auth-* identity headers, 401 otherwise', async () => {
    const pair = await login();
    const res = await server.fetch('/auth/verify', { headers: auth(pair.access_token) });
    expect(res.status).toBe(200);
    const claims = decodeJwt(pair.access_token);
    expect(res.headers.get('x-auth-user-id')).toBe(String(claims.uid));
    expect(res.headers.get('x-auth-company-id')).toBe(String(acme));
    expect(res.headers.get('x-auth-session-id')).toBe(claims.sid);
    expect(res.headers.get('x-auth-roles')).toBe('viewer');
    expect(res.headers.get('x-auth-amr')).toBe('pwd');
    expect(res.headers.get('x-auth-auth-time')).toBe(String(claims.auth_time));
    const bad = await server.fetch('/auth/verify', { headers: auth(`${pair.access_token}x`) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-auth-user-id')).toBeNull();
  });

  it('GET /auth/verify: the identity in the envelope too, in the asked language, on every call, until the session ends', async () => {
    const pair = await login();
    const claims = decodeJwt(pair.access_token);
    const data = {
      user_id: claims.uid,
      company_id: acme,
      session_id: claims.sid,
      roles: ['viewer'],
      amr: ['pwd'],
      auth_time: claims.auth_time,
    };
    for (const [language, msg] of [
      [undefined, '成功'],
      ['en', 'Success'],
    ] as const) {
      // The second answer is built once per token and reused: it must be the same.
      for (let i = 0; i < 2; i++) {
        const headers = { ...auth(pair.access_token), ...(language ? { 'accept-language': language } : {}) };
        const res = await call(server, 'GET', '/auth/verify', { headers });
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body).toEqual({ code: '00000', msg, data });
      }
    }
    expect((await call(server, 'POST', '/auth/logout', { headers: auth(pair.access_token) })).status).toBe(200);
    const after = await call(server, 'GET', '/auth/verify', { headers: auth(pair.access_token) });
    expect([after.status, after.body.code]).toEqual([401, '10028']);
    expect(after.headers.get('x-auth-user-id')).toBeNull();
  });

  it('GET /auth/verify reads a token from the original URI that nginx forwards', async () => {
    const pair = await login();
    const res = await server.fetch('/auth/verify', {
      headers: { 'x-original-uri': `/api/orders?access-token=${encodeURIComponent(pair.access_token)}&page=2` },
    });
    expect(res.status).toBe(200);
  });
});
