import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, loginOk, startSecurityServer } from '../security/helpers/security-server.js';
import { REDIS_URL, uniqueSchema, warnNotRun } from '../store/store-targets.js';

if (!REDIS_URL) warnNotRun('DUOTOKEN_TEST_REDIS_URL', 'admin overview with Redis');

/** #16 the overview of an instance that shares Redis: connected, and how fresh its revocation feed is. */
describe.skipIf(!REDIS_URL)('admin API: overview with Redis (DUOTOKEN_TEST_REDIS_URL)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_REDIS_URL: REDIS_URL!, DUOTOKEN_REDIS_PREFIX: `${uniqueSchema('ov')}:` });
  });
  afterAll(() => server?.close());

  it('#16 reports Redis configured and connected, and the feed live with its lag in ms', async () => {
    const admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    const overview = await call<{ redis: unknown; revocation_feed: { state: string; lag_ms: number } }>(server, 'GET', '/admin/overview', {
      headers: admin,
    });
    expect(overview.body.data.redis).toEqual({ configured: true, connected: true });
    expect(overview.body.data.revocation_feed).toMatchObject({ state: 'live', reason: null });
    // The bus hears its own heartbeat every quarter of DUOTOKEN_REVOCATION_MAX_LAG (1 s); past 1 s this very request
    // would be refused (503). The bound is looser than that only so that a loaded machine cannot make the test flaky.
    expect(overview.body.data.revocation_feed.lag_ms).toBeGreaterThanOrEqual(0);
    expect(overview.body.data.revocation_feed.lag_ms).toBeLessThan(5_000);
  });
});
