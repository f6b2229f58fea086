import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandardTokenPair } from '@duotoken/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_REDIS_SERVER, RedisProcess, dropSchema, uniqueSchema, withSchema } from '@duotoken/test-kit';
import { runCli } from '../cli/cli-process.js';
import { assertBuilt, request, sessionIdOf, startInstance, within, type Instance } from './cluster.js';

const PG_URL = process.env.DUOTOKEN_TEST_PG_URL || undefined;
const SHARED_REDIS_URL = process.env.DUOTOKEN_TEST_REDIS_URL || undefined;
const runnable = Boolean(PG_URL && SHARED_REDIS_URL);
if (!runnable) console.warn('\n!! e2e/scale-out NOT RUN: set DUOTOKEN_TEST_PG_URL and DUOTOKEN_TEST_REDIS_URL (CI sets both) to run it.\n');

const ADMIN = { account: 'admin', password: 'scale-out admin password' };
const GET_T_LIMIT = 12;

/**
 * Three `duotoken serve` processes (A, B, C) on one PostgreSQL schema and one
 * Redis (a private redis-server when the binary exists, so the test may
 * restart it; the shared one otherwise, and the restart test is skipped),
 * each run with its own schema and key prefix.
 */
describe.skipIf(!runnable)('scale-out: three instances on PostgreSQL + Redis', () => {
  const schema = uniqueSchema('dte2e');
  const prefix = `${schema}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-scale-out-'));
  let redis: RedisProcess | undefined;
  let raw: Redis;
  let env: Record<string, string>;
  let a: Instance, b: Instance, c: Instance;
  const all = () => [a, b, c];

  beforeAll(async () => {
    assertBuilt();
    redis = HAVE_REDIS_SERVER ? await RedisProcess.start() : undefined;
    const redisUrl = redis?.url ?? SHARED_REDIS_URL!;
    raw = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    raw.on('error', () => {});
    await raw.connect();
    env = {
      DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema),
      DUOTOKEN_REDIS_URL: redisUrl,
      DUOTOKEN_REDIS_PREFIX: prefix,
      DUOTOKEN_SECRET: randomBytes(32).toString('base64url'),
      DUOTOKEN_DATA_DIR: dataDir,
      DUOTOKEN_ADMIN_PASSWORD: ADMIN.password,
      DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
      DUOTOKEN_ARGON2_ITERATIONS: '1',
      DUOTOKEN_RATE_LIMIT_GET_T_IP: String(GET_T_LIMIT),
      DUOTOKEN_RATE_LIMIT_WINDOW: '1h',
    };
    // The documented order: migrate once, start A (it creates the admin), then B and C together.
    const migrated = await runCli(['migrate', '--json'], { env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ applied: expect.arrayContaining(['0001_initial']) });
    a = await startInstance('A', env);
    [b, c] = await Promise.all([startInstance('B', env), startInstance('C', env)]);
  });

  afterAll(async () => {
    await Promise.allSettled(all().map((i) => i?.stop()));
    raw?.disconnect();
    await redis?.stop();
    if (PG_URL) await dropSchema(PG_URL, schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** get_t and captcha on `first`, the answer read from Redis (tests cannot OCR), login on `second`. */
  async function login(first: Instance, second: Instance = first): Promise<StandardTokenPair> {
    const { t } = (await request<{ t: string }>(first, 'GET', '/auth/get_t')).data;
    await (await fetch(`${first.url}/auth/captcha?t=${t}`)).text();
    const stored = await raw.get(`${prefix}challenge:${t}`);
    const captcha = (JSON.parse(stored!) as { answer: string }).answer;
    const res = await request<StandardTokenPair>(second, 'POST', '/auth/login', { json: { ...ADMIN, t, captcha } });
    expect(res.status, JSON.stringify(res)).toBe(200);
    return res.data;
  }
  const me = (instance: Instance, token: string) => request(instance, 'GET', '/auth/me', { token });

  it('login on A, refresh on B, me on C', async () => {
    const pair = await login(a);
    const refreshed = await request<StandardTokenPair>(b, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect(refreshed.status).toBe(200);
    const who = await me(c, refreshed.data.access_token);
    expect(who.status).toBe(200);
    expect(who.data).toMatchObject({ user: { account: 'admin' } });
  });

  it('30 concurrent refreshes of one token spread over A, B and C produce one successor', async () => {
    const pair = await login(a);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        request<StandardTokenPair>(all()[i % 3]!, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(200));
    const successors = new Set(answers.map((r) => r.data.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(successor).not.toBe(pair.refresh_token);
    // The one successor is live on every instance; the family did not branch.
    expect((await request(c, 'POST', '/auth/refresh-token', { json: { refresh_token: successor } })).status).toBe(200);
  });

  it('logout on A: the access token is refused on B and C within 1 s', async () => {
    const pair = await login(a);
    for (const i of [b, c]) expect((await me(i, pair.access_token)).status).toBe(200);
    expect((await request(a, 'POST', '/auth/logout', { token: pair.access_token })).status).toBe(200);
    const refused = await within(1_000, async () => {
      const answers = await Promise.all([b, c].map((i) => me(i, pair.access_token)));
      return answers.every((r) => r.status === 401 && r.code === '10028');
    });
    expect(refused).toBe(true);
  });

  it('a captcha fetched on A is accepted by a login on B, and its challenge is then used up everywhere', async () => {
    const { t } = (await request<{ t: string }>(a, 'GET', '/auth/get_t')).data;
    await (await fetch(`${a.url}/auth/captcha?t=${t}`)).text();
    const captcha = (JSON.parse((await raw.get(`${prefix}challenge:${t}`))!) as { answer: string }).answer;
    expect((await request(b, 'POST', '/auth/login', { json: { ...ADMIN, t, captcha } })).status).toBe(200);
    expect((await request(c, 'POST', '/auth/login', { json: { ...ADMIN, t, captcha } })).code).toBe('10010');
  });

  it('rate limits are shared: the three instances together allow one budget per client address', async () => {
    const answers: Array<{ status: number; code: string; on: string }> = [];
    for (let i = 0; i < GET_T_LIMIT * 3; i++) {
      const on = all()[i % 3]!;
      answers.push({ ...(await request(on, 'GET', '/auth/get_t')), on: on.name });
    }
    const allowed = answers.filter((r) => r.status === 200).length;
    // Per-instance counters would have allowed up to 3 × the limit.
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThanOrEqual(GET_T_LIMIT);
    const refusedOn = new Set(answers.filter((r) => r.status === 429 && r.code === '10023').map((r) => r.on));
    expect([...refusedOn].sort()).toEqual(['A', 'B', 'C']);
    // Give the later tests their budget back.
    const keys = await raw.keys(`${prefix}rl:*`);
    if (keys.length) await raw.del(...keys);
  });

  it.skipIf(!HAVE_REDIS_SERVER)(
    'a Redis restart loses no session and lets no revoked token back in',
    async () => {
      const keep = await login(a);
      const loggedOut = await login(b);
      const revokedWhileDown = await login(c);
      expect((await request(c, 'POST', '/auth/logout', { token: loggedOut.access_token })).status).toBe(200);

      await redis!.stop();
      // Fail closed: once the revocation feed is silent, protected routes answer 503 (10051); never 200 for a revoked token.
      for (const i of all()) {
        const closed = await within(10_000, async () => (await me(i, keep.access_token)).code === '10051');
        expect(closed, `${i.name} did not fail closed`).toBe(true);
        expect((await me(i, loggedOut.access_token)).status).not.toBe(200);
      }
      const ready = await fetch(`${b.url}/readyz`);
      expect(ready.status).toBe(503);
      // A revocation the CLI cannot publish (Redis is down): the instances learn it from the database.
      const cli = await runCli(['sessions', 'revoke', 'admin', '--session', sessionIdOf(revokedWhileDown.access_token), '--json'], { env });
      expect(cli.code, cli.stderr).toBe(0);

      await redis!.restart();
      for (const i of all()) {
        const back = await within(15_000, async () => (await me(i, keep.access_token)).status === 200);
        expect(back, `${i.name} did not recover`).toBe(true);
      }
      for (const i of all()) {
        expect((await me(i, loggedOut.access_token)).code).toBe('10028');
        expect((await me(i, revokedWhileDown.access_token)).code).toBe('10028');
        expect((await fetch(`${i.url}/readyz`)).status).toBe(200);
      }
      const refreshed = await request<StandardTokenPair>(b, 'POST', '/auth/refresh-token', { json: { refresh_token: keep.refresh_token } });
      expect(refreshed.status).toBe(200);
    },
    90_000,
  );

  it('SIGTERM drains and exits cleanly; the other instances keep serving', async () => {
    const pair = await login(a);
    expect(await c.stop()).toBe(0);
    expect((await me(a, pair.access_token)).status).toBe(200);
    expect((await me(b, pair.access_token)).status).toBe(200);
  });
});
