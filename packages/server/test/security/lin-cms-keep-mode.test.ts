import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '@duotoken/test-kit/send';
import { loginStandard } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { bearer, SETUP, sidOf, startSecurityServer } from './helpers/security-server.js';

type Pair = { access_token: string; refresh_token: string };
const GRACE = 10;

/**
 * lin-cms's `keep` refresh mode (a refresh token that is not rotated, for
 * lin-cms-vue) is a concession to one client; it must not turn the single-use
 * refresh tokens of the other dialects into reusable ones (RFC 9700 §4.14.2).
 */
describe('lin-cms keep mode is for lin-cms sessions only', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm', DUOTOKEN_REFRESH_GRACE: `${GRACE}s` });
    await server.runtime.services.admin.createUser({ account: 'keeper', password: 'keeper-password' }, SETUP);
  });
  afterAll(() => server.close());

  const linRefresh = (token: string) => send<Pair>(server, 'GET', '/cms/user/refresh', { headers: bearer(token) });

  it('#12.6 a standard or mmm refresh token on /cms/user/refresh is rotated, and presenting it again after the grace window is reuse (RFC 9700 §4.14.2)', async () => {
    const standard = await loginStandard(server, 'keeper', 'keeper-password');
    const mmm = (await send<{ data: Pair }>(server, 'POST', '/auth/login', { json: { account: 'keeper', password: 'keeper-password' } }))
      .body.data;
    const lin = (await send<Pair>(server, 'POST', '/cms/user/login', { json: { username: 'keeper', password: 'keeper-password' } })).body;

    for (const pair of [standard, mmm]) {
      const first = await linRefresh(pair.refresh_token);
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(pair.refresh_token);
    }
    // The lin-cms login's own token is kept, as lin-cms-vue needs.
    const kept = await linRefresh(lin.refresh_token);
    expect(kept.body.refresh_token).toBe(lin.refresh_token);

    server.clock.advance(GRACE + 1);
    for (const pair of [standard, mmm]) {
      const again = await linRefresh(pair.refresh_token);
      expect(again.status).toBe(401);
      expect(again.body).toMatchObject({ code: 10052 });
      expect((await server.runtime.services.store.findSession(sidOf(pair.access_token)))?.revoke_reason).toBe('refresh_reuse');
    }
    expect((await linRefresh(lin.refresh_token)).body.refresh_token).toBe(lin.refresh_token);
  });
});
