import { afterEach, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { bearer, loginOk, me, refresh, SETUP, startSecurityServer } from './helpers/security-server.js';

/**
 * Session lifetimes and limits (OWASP ASVS 5.0 V7.3.1 idle timeout, V7.3.2
 * absolute lifetime, V7.5 concurrent sessions; NIST SP 800-63B §7.1
 * reauthentication; RFC 9700 §4.14.2 refresh tokens bound to the session).
 */
describe('session lifetimes and limits', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (env: Record<string, string>) => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', ...env });
    await server.runtime.services.admin.createUser({ account: 'kim', password: 'kim-password' }, SETUP);
    return server;
  };

  it('the idle timeout ends a session not refreshed for that long, even while its refresh token is still valid', async () => {
    const s = await start({ DUOTOKEN_SESSION_IDLE_TIMEOUT: '1h', DUOTOKEN_REFRESH_TTL: '1d' });
    let pair = await loginOk(s, 'kim', 'kim-password');
    for (let i = 0; i < 5; i++) {
      s.clock.advance(50 * 60);
      const next = await refresh(s, pair.refresh_token);
      expect(next.status, `refresh ${i}`).toBe(200);
      pair = next.body.data;
    }
    s.clock.advance(3600 + 1);
    const idle = await refresh(s, pair.refresh_token);
    expect(idle.status).toBe(401);
    expect(idle.body.code).toBe('10024');
  });

  it('the absolute lifetime ends a session however often its tokens rotate, and no refresh token outlives it', async () => {
    const s = await start({ DUOTOKEN_SESSION_MAX_AGE: '1d', DUOTOKEN_REFRESH_TTL: '12h', DUOTOKEN_ACCESS_TTL: '15m' });
    let pair = await loginOk(s, 'kim', 'kim-password');
    const sessionEnd = Math.floor(s.clock.now() / 1000) + 86400;
    expect(pair.refresh_expires_at).toBeLessThanOrEqual(sessionEnd);
    for (let i = 0; i < 2; i++) {
      s.clock.advance(11 * 3600);
      const next = await refresh(s, pair.refresh_token);
      expect(next.status).toBe(200);
      pair = next.body.data;
      expect(pair.refresh_expires_at).toBeLessThanOrEqual(sessionEnd);
    }
    expect(pair.refresh_expires_at).toBe(sessionEnd);
    s.clock.advance(2 * 3600 + 1);
    expect((await refresh(s, pair.refresh_token)).body.code).toBe('10024');
  });

  it('sessions.max_per_user: a login past the limit revokes the oldest session at once', async () => {
    const s = await start({ DUOTOKEN_SESSIONS_MAX_PER_USER: '2' });
    const first = await loginOk(s, 'kim', 'kim-password');
    s.clock.advance(1);
    const second = await loginOk(s, 'kim', 'kim-password');
    s.clock.advance(1);
    const third = await loginOk(s, 'kim', 'kim-password');
    expect((await me(s, first.access_token)).body.code).toBe('10028');
    expect((await refresh(s, first.refresh_token)).body.code).toBe('10024');
    expect((await me(s, second.access_token)).status).toBe(200);
    const list = await call<unknown[]>(s, 'GET', '/auth/sessions', { headers: bearer(third.access_token) });
    expect(list.body.data).toHaveLength(2);
    const audit = await s.runtime.services.store.queryAuditEvents({ type: 'session.revoked', limit: 5 });
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ reason: 'session_limit' });
  });

  it('a "one session only" device type: a new login of that type ends the older one, other types stay', async () => {
    const s = await start({ DUOTOKEN_SESSIONS_SINGLE_DEVICE_TYPES: 'ios,android' });
    const web = await loginOk(s, 'kim', 'kim-password', { device_type: 'web' });
    const web2 = await loginOk(s, 'kim', 'kim-password', { device_type: 'web' });
    const phoneA = await loginOk(s, 'kim', 'kim-password', { device_type: 'ios' });
    const phoneB = await loginOk(s, 'kim', 'kim-password', { device_type: 'iOS' });
    expect((await me(s, phoneA.access_token)).body.code).toBe('10028');
    expect((await refresh(s, phoneA.refresh_token)).body.code).toBe('10024');
    for (const alive of [web, web2, phoneB]) expect((await me(s, alive.access_token)).status).toBe(200);
  });

  it('with no limits configured, sessions accumulate (defaults: unlimited)', async () => {
    const s = await start({});
    const pairs = [];
    for (let i = 0; i < 4; i++) pairs.push(await loginOk(s, 'kim', 'kim-password', { device_type: 'ios' }));
    for (const p of pairs) expect((await me(s, p.access_token)).status).toBe(200);
  });
});
