import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EphemeralStore } from '../../src/cache/ephemeral-store.js';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { AuthError } from '../../src/errors/auth-error.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { call } from '../helpers/standard-client.js';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, refresh, startSecurityServer } from './helpers/security-server.js';

/** A Store whose every method fails with STORE_UNAVAILABLE while `down` is set, as a lost database would. */
function switchableStore(real: Store) {
  const state = { down: false };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) =>
        state.down ? Promise.reject(new AuthError('STORE_UNAVAILABLE')) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, state };
}

/**
 * When the store cannot answer, duotoken fails closed: 503/10051, never an
 * unchecked success (OWASP ASVS 5.0 V16.5.2-V16.5.3 fail securely; CWE-636
 * not failing securely). Checks that need no store keep working and keep
 * refusing what they refused.
 */
describe('store unavailable: fail closed', () => {
  let server: TestServer;
  let state: { down: boolean };
  beforeAll(async () => {
    server = await startSecurityServer(
      { DUOTOKEN_RATE_LIMITS: 'off' },
      {
        wrapStore: (real) => {
          const s = switchableStore(real);
          state = s.state;
          return s.store;
        },
      },
    );
  });
  afterAll(() => server.close());

  it('routes that need the store answer 503/10051; token-only checks still refuse revoked sessions', async () => {
    const live = await loginOk(server, ADMIN.account, ADMIN.password);
    const revoked = await loginOk(server, ADMIN.account, ADMIN.password);
    await call(server, 'POST', '/auth/logout', { headers: bearer(revoked.access_token) });

    state.down = true;
    try {
      const unavailable = [
        await login(server, ADMIN.account, ADMIN.password),
        await refresh(server, live.refresh_token),
        await me(server, live.access_token),
        await call(server, 'GET', '/auth/sessions', { headers: bearer(live.access_token) }),
        await call(server, 'POST', '/auth/logout', { headers: bearer(live.access_token) }),
        await call(server, 'GET', '/admin/users', { headers: bearer(live.access_token) }),
        await call(server, 'POST', '/admin/users/admin/unlock', { headers: bearer(live.access_token) }),
      ];
      for (const res of unavailable) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('10051');
      }
      // Offline checks: the in-memory fence still refuses the revoked session, and a valid token still passes.
      const refused = await call(server, 'GET', '/auth/verify', { headers: bearer(revoked.access_token) });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('10028');
      expect((await call(server, 'GET', '/auth/verify', { headers: bearer(live.access_token) })).status).toBe(200);
      expect((await server.fetch('/readyz')).status).toBe(503);
    } finally {
      state.down = false;
    }
    expect((await login(server, ADMIN.account, ADMIN.password)).status).toBe(200);
    expect((await refresh(server, live.refresh_token)).status).toBe(200);
  });

  it('a database closed under the running server gives 503/10051, not 500, and is logged once (#13.4), not per request', async () => {
    const other = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    try {
      const pair = await loginOk(other, ADMIN.account, ADMIN.password);
      await other.runtime.services.store.opened.db.destroy();
      for (const res of [
        await login(other, ADMIN.account, ADMIN.password),
        await refresh(other, pair.refresh_token),
        await me(other, pair.access_token),
      ]) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('10051');
      }
      expect(other.logs.filter((line) => /store unavailable/.test(line))).toHaveLength(1);
      expect(other.logs.filter((line) => line.includes('"reqId"') && line.includes('"err"'))).toEqual([]);
    } finally {
      await other.close().catch(() => undefined);
    }
  });

  it('an unreachable EphemeralStore (rate-limit counters, challenges) also fails closed with 503', async () => {
    const clock = new FakeClock();
    const inner = new MemoryEphemeralStore(clock);
    const broken = { down: false };
    const ephemeral = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'close') return value;
        return (...args: unknown[]) =>
          broken.down ? Promise.reject(new Error('connect ECONNREFUSED')) : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    }) as EphemeralStore;
    const other = await startSecurityServer({ DUOTOKEN_CAPTCHA: 'after-failures' }, { ephemeral, clock });
    try {
      broken.down = true;
      for (const res of [await call(other, 'GET', '/auth/get_t'), await login(other, ADMIN.account, ADMIN.password)]) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('10051');
      }
      broken.down = false;
      expect((await call(other, 'GET', '/auth/get_t')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
