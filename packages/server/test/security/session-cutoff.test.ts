import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, refresh, SETUP, sidOf, startSecurityServer } from './helpers/security-server.js';

/**
 * Whatever ends or changes a session ends its outstanding access tokens at
 * once on this server, not at their expiry (OWASP ASVS 5.0 V7.4.1-V7.4.5
 * session termination; RFC 9700 §4.14; CWE-613 insufficient session
 * expiration). Access checks read no database: the in-memory session fence
 * (revocations and `sv` session-version bumps) does it.
 */
describe('session control cuts off outstanding tokens', () => {
  let server: TestServer;
  let acme: number;
  let globex: number;
  const admin = () => server.runtime.services.admin;
  const adminToken = async () => (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    acme = (await admin().createCompany('Acme', SETUP)).id;
    globex = (await admin().createCompany('Globex', SETUP)).id;
    for (const account of ['uma', 'vic', 'wes', 'xia', 'yul', 'zed', 'pat']) {
      await admin().createUser({ account, password: `${account}-password` }, SETUP);
      await admin().setMembership(account, acme, ['viewer'], SETUP, true);
      await admin().setMembership(account, globex, ['editor'], SETUP);
    }
  });
  afterAll(() => server.close());

  const expectDead = async (pair: StandardTokenPair) => {
    expect((await me(server, pair.access_token)).body.code).toBe('10028');
    expect((await refresh(server, pair.refresh_token)).body.code).toBe('10024');
  };

  it('GET /auth/sessions lists my live sessions with the current one marked; DELETE revokes one at once', async () => {
    const a = await loginOk(server, 'uma', 'uma-password', { device_type: 'web' });
    const b = await loginOk(server, 'uma', 'uma-password', { device_type: 'ios' });
    const list = await call<Array<{ id: string; current: boolean; device_type: string }>>(server, 'GET', '/auth/sessions', {
      headers: bearer(a.access_token),
    });
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data.find((s) => s.current)?.id).toBe(sidOf(a.access_token));
    expect(list.body.data.map((s) => s.device_type).sort()).toEqual(['ios', 'web']);

    const revoke = await call(server, 'DELETE', `/auth/sessions/${sidOf(b.access_token)}`, { headers: bearer(a.access_token) });
    expect(revoke.status).toBe(200);
    await expectDead(b);
    expect((await me(server, a.access_token)).status).toBe(200);
  });

  it("another user's session cannot be revoked (404, and it stays alive)", async () => {
    const mine = await loginOk(server, 'vic', 'vic-password');
    const theirs = await loginOk(server, 'wes', 'wes-password');
    const res = await call(server, 'DELETE', `/auth/sessions/${sidOf(theirs.access_token)}`, { headers: bearer(mine.access_token) });
    expect(res.status).toBe(404);
    expect((await me(server, theirs.access_token)).status).toBe(200);
  });

  it('logout ends this session; logout-all ends every session of the user', async () => {
    const a = await loginOk(server, 'xia', 'xia-password');
    const b = await loginOk(server, 'xia', 'xia-password');
    const c = await loginOk(server, 'xia', 'xia-password');
    expect((await call(server, 'POST', '/auth/logout', { headers: bearer(a.access_token) })).status).toBe(200);
    await expectDead(a);
    expect((await me(server, b.access_token)).status).toBe(200);
    const all = await call<{ revoked: number }>(server, 'POST', '/auth/logout-all', { headers: bearer(b.access_token) });
    expect(all.body.data.revoked).toBe(2);
    await expectDead(b);
    await expectDead(c);
  });

  it('a password change ends the other sessions, keeps this one, and the old password stops working', async () => {
    const here = await loginOk(server, 'yul', 'yul-password');
    const there = await loginOk(server, 'yul', 'yul-password');
    const change = await call(server, 'POST', '/auth/password', {
      headers: bearer(here.access_token),
      json: { old_password: 'yul-password', new_password: 'yul-new-password' },
    });
    expect(change.status).toBe(200);
    await expectDead(there);
    expect((await me(server, here.access_token)).status).toBe(200);
    expect((await login(server, 'yul', 'yul-password')).body.code).toBe('10020');
    expect((await login(server, 'yul', 'yul-new-password')).status).toBe(200);
    const wrongOld = await call(server, 'POST', '/auth/password', {
      headers: bearer(here.access_token),
      json: { old_password: 'not-it-at-all', new_password: 'yul-newer-password' },
    });
    expect(wrongOld.body.code).toBe('10020');
  });

  it('disabling a user ends every session at once and login answers 10022', async () => {
    const pair = await loginOk(server, 'zed', 'zed-password');
    const res = await call(server, 'POST', '/admin/users/zed/disable', { headers: bearer(await adminToken()) });
    expect(res.status).toBe(200);
    await expectDead(pair);
    expect((await login(server, 'zed', 'zed-password')).body.code).toBe('10022');
  });

  it('a role change fences the tokens of that company at once; the next refresh carries the new roles', async () => {
    const pair = await loginOk(server, 'pat', 'pat-password');
    expect(decodeJwt(pair.access_token)).toMatchObject({ company_id: acme, roles: ['viewer'] });
    const res = await call(server, 'PUT', `/admin/users/pat/memberships/${acme}`, {
      headers: bearer(await adminToken()),
      json: { roles: ['viewer', 'approver'], is_default: true },
    });
    expect(res.status).toBe(200);
    expect((await me(server, pair.access_token)).body.code).toBe('10028');
    const renewed = await refresh(server, pair.refresh_token);
    expect(renewed.status).toBe(200);
    expect(decodeJwt(renewed.body.data.access_token)).toMatchObject({ company_id: acme, roles: ['viewer', 'approver'] });
    expect((await me(server, renewed.body.data.access_token)).status).toBe(200);
  });

  it("a role change in another company leaves this session's tokens alone", async () => {
    const pair = await loginOk(server, 'pat', 'pat-password');
    await call(server, 'PUT', `/admin/users/pat/memberships/${globex}`, {
      headers: bearer(await adminToken()),
      json: { roles: ['owner'] },
    });
    expect((await me(server, pair.access_token)).status).toBe(200);
  });

  it('removing a membership ends the sessions in that company at once', async () => {
    const pair = await loginOk(server, 'wes', 'wes-password');
    const res = await call(server, 'DELETE', `/admin/users/wes/memberships/${acme}`, { headers: bearer(await adminToken()) });
    expect(res.status).toBe(200);
    await expectDead(pair);
  });

  it('a company switch fences the old access token; the new one works in the same session', async () => {
    const pair = await loginOk(server, 'vic', 'vic-password');
    const switched = await call<StandardTokenPair>(server, 'POST', '/auth/change-company', {
      headers: bearer(pair.access_token),
      json: { company_id: globex },
    });
    expect(switched.status).toBe(200);
    expect((await me(server, pair.access_token)).body.code).toBe('10028');
    expect((await me(server, switched.body.data.access_token)).status).toBe(200);
    expect(sidOf(switched.body.data.access_token)).toBe(sidOf(pair.access_token));
  });

  it('a revocation survives a restart: the fence is reloaded from the store', async () => {
    const pair = await loginOk(server, 'vic', 'vic-password');
    await call(server, 'POST', '/auth/logout', { headers: bearer(pair.access_token) });
    const { fence, store } = server.runtime.services;
    const { SessionFence } = await import('../../src/sessions/session-fence.js');
    const reloaded = new SessionFence(server.clock, 20 * 60 * 1000);
    await reloaded.load(store);
    expect(reloaded.check(sidOf(pair.access_token), 1)).toBe('revoked');
    expect(fence.check(sidOf(pair.access_token), 1)).toBe('revoked');
  });
});
