import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EphemeralStore } from '../../src/cache/ephemeral-store.js';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { FakeClock } from '@duotoken/test-kit/fake-clock';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, refresh, startSecurityServer } from './helpers/security-server.js';
import { switchable } from '@duotoken/test-kit/switchable';
import { switchableStore } from './helpers/switchable-store.js';
import { within } from '../../../../e2e/scale-out/cluster.js';

/**
 * When the store cannot answer, duotoken fails closed: 503/10051, never an
 * unchecked success (OWASP ASVS 5.0 V16.5.2-V16.5.3 fail securely; CWE-636
 * not failing securely). Checks that need no store keep refusing what they
 * refused, and stop admitting anyone once the fence can no longer read the
 * revocations of other processes.
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

  it('routes that need the store answer 503/10051; token-only checks refuse revoked sessions, then every token once the store is unread for the allowed lag', async () => {
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
      // Token-only checks never admit the revoked session: the in-memory fence refuses it (10028), and once
      // the store has gone unread for longer than DUOTOKEN_REVOCATION_MAX_LAG the fence no longer vouches
      // for any token (503/10051: a revocation made elsewhere may be missing, #12.13).
      const refused = await call(server, 'GET', '/auth/verify', { headers: bearer(revoked.access_token) });
      expect(refused.status).not.toBe(200);
      expect(['10028', '10051']).toContain(refused.body.code);
      const closed = await within(
        1_500,
        async () => (await call(server, 'GET', '/auth/verify', { headers: bearer(live.access_token) })).body.code === '10051',
      );
      expect(closed, 'token-only checks did not fail closed within the lag').toBe(true);
      expect((await call(server, 'GET', '/auth/verify', { headers: bearer(revoked.access_token) })).status).toBe(503);
      expect((await server.fetch('/readyz')).status).toBe(503);
    } finally {
      state.down = false;
    }
    expect((await login(server, ADMIN.account, ADMIN.password)).status).toBe(200);
    expect((await refresh(server, live.refresh_token)).status).toBe(200);
    expect(
      await within(1_500, async () => (await call(server, 'GET', '/auth/verify', { headers: bearer(live.access_token) })).status === 200),
    ).toBe(true);
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
    const { wrapped: ephemeral, state: broken } = switchable<EphemeralStore>(inner, () => new Error('connect ECONNREFUSED'));
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
