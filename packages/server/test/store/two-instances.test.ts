import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, captchaAnswer } from '@duotoken/test-kit/standard-client';
import { ADMIN, randomSecret, startTestServer, type TestServer } from '../helpers/test-server.js';
import { HAVE_REDIS_SERVER, RedisProcess } from '@duotoken/test-kit/redis-process';
import { dropSchema, PG_URL, uniqueSchema, warnNotRun, withSchema } from './store-targets.js';

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Polls `probe` (every 25 ms, at most `tries` times) until it returns true. */
async function eventually(probe: () => Promise<boolean>, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** get_t and captcha on `first`, login on `second`: the challenge lives in the shared Redis. */
async function loginAcross(first: TestServer, second: TestServer): Promise<StandardTokenPair> {
  const t = (await call<{ t: string }>(first, 'GET', '/auth/get_t')).body.data.t;
  await (await first.fetch(`/auth/captcha?t=${t}`)).text();
  const captcha = await captchaAnswer(second, t);
  const res = await call<StandardTokenPair>(second, 'POST', '/auth/login', {
    json: { account: ADMIN.account, password: ADMIN.password, t, captcha },
  });
  expect(res.status).toBe(200);
  return res.body.data;
}

const codeOn = async (server: TestServer, token: string) => (await call(server, 'GET', '/auth/me', bearer(token))).body.code;

const runnable = Boolean(PG_URL) && HAVE_REDIS_SERVER;
if (!runnable) warnNotRun('DUOTOKEN_TEST_PG_URL (and a redis-server binary)', 'two instances on PostgreSQL + Redis');

/**
 * Two in-process instances on one PostgreSQL schema and one private Redis:
 * the cheap, fast half of the scale-out proof (e2e/scale-out runs processes).
 */
describe.skipIf(!runnable)('two instances sharing PostgreSQL and Redis', () => {
  const schema = uniqueSchema('dt2i');
  let redis: RedisProcess;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    const env = {
      DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema),
      DUOTOKEN_REDIS_URL: redis.url,
      DUOTOKEN_REDIS_PREFIX: `${schema}:`,
      DUOTOKEN_SECRET: randomSecret(),
      DUOTOKEN_RATE_LIMITS: 'off',
    };
    a = await startTestServer(env);
    b = await startTestServer(env);
  });
  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
    await dropSchema(PG_URL!, schema);
  });

  it('a captcha drawn on A is accepted by a login on B, and the challenge is then used up on both', async () => {
    const t = (await call<{ t: string }>(a, 'GET', '/auth/get_t')).body.data.t;
    await (await a.fetch(`/auth/captcha?t=${t}`)).text();
    const captcha = await captchaAnswer(a, t);
    const login = await call(b, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password, t, captcha } });
    expect(login.status).toBe(200);
    const again = await call(a, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password, t, captcha } });
    expect(again.body.code).toBe('10010');
  });

  it('a logout on A refuses the access token on B through the revocation feed', async () => {
    const pair = await loginAcross(a, b);
    expect(await codeOn(b, pair.access_token)).toBe('00000');
    expect((await call(a, 'POST', '/auth/logout', bearer(pair.access_token))).status).toBe(200);
    expect(await eventually(async () => (await codeOn(b, pair.access_token)) === '10028')).toBe(true);
  });

  it('concurrent refreshes of one token on A and B converge on one successor', async () => {
    const pair = await loginAcross(a, b);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call<StandardTokenPair>(i % 2 ? a : b, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((r) => r.body.data.refresh_token)).size).toBe(1);
  });

  it('a signing-key rotation on A makes B sign with the new key too', async () => {
    const kid = await a.runtime.services.keyRing.rotate();
    expect(await eventually(async () => b.runtime.services.keyRing.signingKey().kid === kid)).toBe(true);
  });

  it('Redis down: protected routes fail closed (503); back: revocations made meanwhile are in force, live sessions work', async () => {
    const keep = await loginAcross(a, b);
    const revokedByA = await loginAcross(a, b);
    const revokedInDb = await loginAcross(a, b);
    const sid = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

    await redis.stop();
    // Both must have noticed the silence (each on its own heartbeat) before the revocations below:
    // an instance that never saw a gap has no reason to re-read the database afterwards.
    for (const server of [a, b])
      expect(await eventually(async () => (await call(server, 'GET', '/auth/me', bearer(keep.access_token))).status === 503)).toBe(true);
    expect(await codeOn(b, keep.access_token)).toBe('10051');
    expect((await call(b, 'GET', '/auth/get_t')).body.code).toBe('10051');
    const ready = await b.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { store: 'ok', ephemeral: 'store_unavailable', revocations: 'unavailable' } });
    // Refresh needs only the database: sessions go on.
    expect((await call(b, 'POST', '/auth/refresh-token', { json: { refresh_token: keep.refresh_token } })).status).toBe(200);

    // A revokes while it cannot publish; a third party revokes in the database alone (its message is lost).
    await a.runtime.services.changes.revoke({ id: sid(revokedByA.access_token) }, 'revoked_by_admin', { userId: null, ip: null });
    await a.runtime.services.store.revokeSessions({ id: sid(revokedInDb.access_token) }, 'test', a.clock.now());

    await redis.restart();
    for (const server of [a, b]) expect(await eventually(async () => (await codeOn(server, keep.access_token)) === '00000')).toBe(true);
    for (const server of [a, b]) {
      expect(await codeOn(server, revokedByA.access_token)).toBe('10028');
      expect(await codeOn(server, revokedInDb.access_token)).toBe('10028');
    }
    expect((await b.fetch('/readyz')).status).toBe(200);
    expect((await call(a, 'GET', '/auth/get_t')).status).toBe(200);
  });
});
