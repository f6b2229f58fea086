import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@duotoken/test-kit/fake-clock';
import { randomSecret, type TestServer } from '../helpers/test-server.js';
import { dropSchema, PG_URL, uniqueSchema, warnNotRun, withSchema } from '../store/store-targets.js';
import { loginOk, refresh, SETUP, sidOf, startSecurityServer } from './helpers/security-server.js';

/**
 * The grace window is a duration, and a duration needs one clock: a wall
 * clock stepped backwards (NTP, a VM resumed) or two instances whose clocks
 * disagree must not stretch it (CWE-367: the check and the use read different
 * clocks). The stepped process clock is attacked with a real process in
 * `e2e/clock/stepped-clock.test.ts`.
 */
describe('the grace window under a clock stepped back', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_REFRESH_GRACE: '10s' });
    await server.runtime.services.admin.createUser({ account: 'stepper', password: 'stepper-password' }, SETUP);
  });
  afterAll(() => server.close());

  it('#13.3 after the clock steps back 60 s, replays 11, 41 and 65 s later are reuse, never "within grace" (negative elapsed time)', async () => {
    for (const laterS of [11, 41, 65]) {
      const pair = await loginOk(server, 'stepper', 'stepper-password');
      const rotated = await refresh(server, pair.refresh_token);
      expect(rotated.status).toBe(200);
      server.clock.advance(-60);
      server.clock.advance(laterS);
      const replay = await refresh(server, pair.refresh_token);
      // 65 s after a 60 s step back the clock reads 5 s after the rotation: an honest retry, as this process sees it.
      if (laterS === 65) {
        expect(replay.status).toBe(200);
        expect(replay.body.data.refresh_token).toBe(rotated.body.data.refresh_token);
        continue;
      }
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('10024');
      expect((await server.runtime.services.store.findSession(sidOf(pair.access_token)))?.revoke_reason).toBe('refresh_reuse');
    }
  });
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'the grace window across instances with skewed clocks');

/**
 * Two instances on one PostgreSQL whose injected clocks disagree by 10 s. The
 * grace window is judged on the database's clock in the consuming
 * statement, so they agree: a short grace (1 s) makes real elapsed time cheap.
 */
describe.skipIf(!PG_URL)('the grace window across instances whose clocks disagree (PostgreSQL)', () => {
  const schema = uniqueSchema('dtclk');
  let behind: TestServer;
  let ahead: TestServer;
  beforeAll(async () => {
    const env = { DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema), DUOTOKEN_SECRET: randomSecret(), DUOTOKEN_REFRESH_GRACE: '1s' };
    const start = Date.now();
    behind = await startSecurityServer(env, { clock: new FakeClock(start) });
    ahead = await startSecurityServer(env, { clock: new FakeClock(start + 10_000) });
    await behind.runtime.services.admin.createUser({ account: 'skewed', password: 'skewed-password' }, SETUP);
  });
  afterAll(async () => {
    await Promise.allSettled([behind?.close(), ahead?.close()]);
    await dropSchema(PG_URL!, schema);
  });

  it('#13.3 an honest retry on an instance 10 s ahead is a grace hit; one 1.2 s later on an instance 10 s behind is reuse', async () => {
    const first = await loginOk(behind, 'skewed', 'skewed-password');
    const rotated = await refresh(behind, first.refresh_token);
    const retry = await refresh(ahead, first.refresh_token);
    expect(retry.status).toBe(200);
    expect(retry.body.data.refresh_token).toBe(rotated.body.data.refresh_token);

    const second = await loginOk(ahead, 'skewed', 'skewed-password');
    await refresh(ahead, second.refresh_token);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const late = await refresh(behind, second.refresh_token);
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('10024');
  });

  it('#13.3 a token two generations back is reuse on both instances, whichever clock is ahead', async () => {
    for (const [rotating, replaying] of [
      [behind, ahead],
      [ahead, behind],
    ] as const) {
      const pair = await loginOk(rotating, 'skewed', 'skewed-password');
      const r2 = (await refresh(rotating, pair.refresh_token)).body.data;
      expect((await refresh(replaying, r2.refresh_token)).status).toBe(200);
      const replay = await refresh(replaying, pair.refresh_token);
      expect(replay.status).toBe(401);
      expect((await rotating.runtime.services.store.findSession(sidOf(pair.access_token)))?.revoke_reason).toBe('refresh_reuse');
    }
  });
});
