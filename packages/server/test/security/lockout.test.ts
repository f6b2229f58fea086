import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, SETUP, startSecurityServer } from './helpers/security-server.js';

/**
 * Per-account brute-force lockout kept in the database: 10 consecutive
 * failures, then 60 s doubling to at most 15 min (Keycloak brute-force
 * detection; OWASP ASVS 5.0 V6.3.1; CWE-307), and a hard stop at 100
 * consecutive failures (NIST SP 800-63B §5.2.2).
 */
describe('account lockout', () => {
  let server: TestServer;
  let adminToken: string;
  beforeAll(async () => {
    // Request rate limits are off here (as for load tests): lockout must hold without them.
    server = await startSecurityServer({ DUOTOKEN_LOCKOUT_MAX: '3m', DUOTOKEN_LOCKOUT_HARD_LIMIT: '14', DUOTOKEN_RATE_LIMITS: 'off' });
    for (const account of ['lena', 'otto', 'hilda', 'dora'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
    adminToken = (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;
  });
  afterAll(() => server.close());

  async function fail(account: string, times: number) {
    for (let i = 0; i < times; i++) expect((await login(server, account, 'not-the-password')).body.code).toBe('10020');
  }

  it('10 failures lock the account for 60 s, even for the right password; it opens again by itself', async () => {
    await fail('lena', 10);
    const locked = await login(server, 'lena', 'lena-password');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: '10021', data: { retry_after: 60 } });
    expect(locked.headers.get('retry-after')).toBe('60');
    server.clock.advance(59);
    expect((await login(server, 'lena', 'lena-password')).body).toMatchObject({ code: '10021', data: { retry_after: 1 } });
    server.clock.advance(1);
    expect((await login(server, 'lena', 'lena-password')).status).toBe(200);
    // Success reset the counter: one more failure is a plain 10020, not a lock.
    await fail('lena', 1);
    expect((await login(server, 'lena', 'lena-password')).status).toBe(200);
  });

  it('each failure after the threshold doubles the lock, up to the maximum (60 → 120 → 180 with a 3 min cap)', async () => {
    await fail('otto', 10);
    for (const seconds of [60, 120, 180, 180]) {
      expect((await login(server, 'otto', 'otto-password')).body.data).toEqual({ retry_after: seconds });
      server.clock.advance(seconds);
      await fail('otto', 1);
    }
    const events = await server.runtime.services.store.queryAuditEvents({ type: 'login.locked', limit: 50 });
    expect(events.length).toBeGreaterThanOrEqual(4);
  });

  it('past the hard limit the lock does not expire; an admin unlock lifts it (NIST 800-63B §5.2.2: at most 100 consecutive failures)', async () => {
    await fail('hilda', 10);
    for (let i = 10; i < 14; i++) {
      server.clock.advance(180);
      await fail('hilda', 1);
    }
    const hard = await login(server, 'hilda', 'hilda-password');
    expect(hard.status).toBe(423);
    expect(hard.body).toMatchObject({ code: '10021', data: { retry_after: null } });
    expect(hard.headers.get('retry-after')).toBeNull();
    server.clock.advance(30 * 86400);
    expect((await login(server, 'hilda', 'hilda-password')).body.code).toBe('10021');

    adminToken = (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;
    const detail = await call<{ lockout: unknown }>(server, 'GET', '/admin/users/hilda', { headers: bearer(adminToken) });
    expect(detail.body.data.lockout).toEqual({ failures: 14, locked_until: null, admin_unlock_required: true });
    const unlock = await call(server, 'POST', '/admin/users/hilda/unlock', { headers: bearer(adminToken) });
    expect(unlock.status).toBe(200);
    expect((await login(server, 'hilda', 'hilda-password')).status).toBe(200);
  });

  it('an admin password reset lifts a lock too', async () => {
    await fail('dora', 10);
    expect((await login(server, 'dora', 'dora-password')).body.code).toBe('10021');
    adminToken = (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;
    const reset = await call(server, 'POST', '/admin/users/dora/password', {
      headers: bearer(adminToken),
      json: { password: 'dora-new-password' },
    });
    expect(reset.status).toBe(200);
    expect((await login(server, 'dora', 'dora-new-password')).status).toBe(200);
  });

  it('unknown account names are counted and locked exactly like real ones', async () => {
    await fail('nobody-here', 10);
    const locked = await login(server, 'nobody-here', 'anything-at-all');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: '10021', data: { retry_after: 60 } });
    // Names are normalised before counting: case and width variants share the counter.
    expect((await login(server, 'NOBODY-HERE', 'x')).body.code).toBe('10021');
    expect((await login(server, 'ｎｏｂｏｄｙ-ｈｅｒｅ', 'x')).body.code).toBe('10021');
  });

  it('10022 (disabled) is answered only after the right password', async () => {
    await server.runtime.services.admin.createUser({ account: 'ivy', password: 'ivy-password' }, SETUP);
    await server.runtime.services.admin.setUserStatus('ivy', 'disabled', SETUP);
    expect((await login(server, 'ivy', 'wrong-password')).body.code).toBe('10020');
    const right = await login(server, 'ivy', 'ivy-password');
    expect(right.status).toBe(403);
    expect(right.body.code).toBe('10022');
  });
});
