import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EphemeralStore } from '../../src/cache/ephemeral-store.js';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { RedisEphemeralStore } from '../../src/cache/redis-ephemeral-store.js';
import { isAuthError } from '../../src/errors/auth-error.js';
import { FakeClock } from '@duotoken/test-kit/fake-clock';
import { HAVE_REDIS_SERVER, RedisProcess } from '@duotoken/test-kit/redis-process';
import { captureLogger, REDIS_URL, warnNotRun } from './store-targets.js';

/** A fresh store, a way to let `ms` pass for its expiries, and cleanup. */
interface EphemeralTarget {
  store: EphemeralStore;
  elapse(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

const key = () => `test:${randomBytes(6).toString('hex')}`;

/** The EphemeralStore contract, asserted on every implementation. */
function ephemeralConformance(open: () => Promise<EphemeralTarget>) {
  let t: EphemeralTarget;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(() => t?.dispose());

  it('set, get, delete', async () => {
    const k = key();
    expect(await t.store.get(k)).toBeUndefined();
    await t.store.set(k, 'v', 60_000);
    expect(await t.store.get(k)).toBe('v');
    await t.store.delete(k);
    expect(await t.store.get(k)).toBeUndefined();
  });

  it('replace changes only a key that still exists', async () => {
    const k = key();
    expect(await t.store.replace(k, 'x', 60_000)).toBe(false);
    expect(await t.store.get(k)).toBeUndefined();
    await t.store.set(k, 'a', 60_000);
    expect(await t.store.replace(k, 'b', 60_000)).toBe(true);
    expect(await t.store.get(k)).toBe('b');
  });

  it('race: of 20 concurrent takes exactly one gets the value, and it is gone', async () => {
    const k = key();
    await t.store.set(k, 'once', 60_000);
    const got = await Promise.all(Array.from({ length: 20 }, () => t.store.take(k)));
    expect(got.filter((v) => v === 'once')).toHaveLength(1);
    expect(await t.store.get(k)).toBeUndefined();
  });

  it('race: 30 concurrent increments count 1..30 within one window', async () => {
    const k = key();
    const hits = await Promise.all(Array.from({ length: 30 }, () => t.store.increment(k, 60_000)));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const h of hits) {
      expect(h.resetInMs).toBeGreaterThan(0);
      expect(h.resetInMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('values and counters expire; a new window starts at 1', async () => {
    const k = key();
    const c = key();
    await t.store.set(k, 'short', 40);
    await t.store.increment(c, 40);
    await t.store.increment(c, 40);
    await t.elapse(40);
    expect(await t.store.get(k)).toBeUndefined();
    expect(await t.store.replace(k, 'late', 60_000)).toBe(false);
    expect((await t.store.increment(c, 60_000)).count).toBe(1);
  });

  it('ping answers', async () => {
    await t.store.ping();
  });
}

describe('ephemeral conformance: memory', { shuffle: true }, () => {
  ephemeralConformance(async () => {
    const clock = new FakeClock();
    const store = new MemoryEphemeralStore(clock);
    return { store, elapse: async (ms) => clock.advance(ms / 1000), dispose: () => store.close() };
  });
});

if (!REDIS_URL) warnNotRun('DUOTOKEN_TEST_REDIS_URL', 'ephemeral conformance on Redis');
describe.skipIf(!REDIS_URL)('ephemeral conformance: redis (DUOTOKEN_TEST_REDIS_URL)', { shuffle: true }, () => {
  const prefix = `dt-test-${randomBytes(4).toString('hex')}:`;
  ephemeralConformance(async () => {
    const store = await RedisEphemeralStore.open(REDIS_URL!, prefix, captureLogger());
    // Redis expires on its own clock: wait it out (tens of ms), with margin.
    return { store, elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 60)), dispose: () => store.close() };
  });

  it('every key carries the prefix, and stores with other prefixes do not see each other', async () => {
    const a = await RedisEphemeralStore.open(REDIS_URL!, prefix, captureLogger());
    const b = await RedisEphemeralStore.open(REDIS_URL!, `${prefix}other:`, captureLogger());
    const raw = new Redis(REDIS_URL!);
    try {
      const k = key();
      await a.set(k, 'mine', 60_000);
      expect(await raw.get(`${prefix}${k}`)).toBe('mine');
      expect(await b.get(k)).toBeUndefined();
      await a.delete(k);
      // The counter script's key is prefixed too, and its window is set.
      const c = key();
      await a.increment(c, 60_000);
      expect(await raw.pttl(`${prefix}${c}`)).toBeGreaterThan(0);
      expect((await b.increment(c, 60_000)).count).toBe(1);
    } finally {
      raw.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.skipIf(!HAVE_REDIS_SERVER)('redis outage (a private redis-server)', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await RedisProcess.start();
  });
  afterAll(() => redis?.stop());

  it('an unreachable Redis stops start-up with a line naming DUOTOKEN_REDIS_URL', async () => {
    const port = redis.port;
    await redis.stop();
    await expect(RedisEphemeralStore.open(`redis://:secret@127.0.0.1:${port}`, 'x:', captureLogger())).rejects.toThrow(
      /^DUOTOKEN_REDIS_URL: cannot connect to redis:\/\/127\.0\.0\.1:\d+/,
    );
    await redis.restart();
  });

  it('while Redis is down every call fails at once with STORE_UNAVAILABLE; it recovers by itself', async () => {
    const store = await RedisEphemeralStore.open(redis.url, 'outage:', captureLogger());
    try {
      await store.set('k', 'v', 60_000);
      await redis.stop();
      for (const call of [() => store.get('k'), () => store.take('k'), () => store.increment('c', 1000), () => store.ping()]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isAuthError(error) && error.code).toBe('STORE_UNAVAILABLE');
      }
      await redis.restart();
      let back = false;
      for (let i = 0; i < 100 && !back; i++) {
        back = await store.ping().then(
          () => true,
          () => false,
        );
        if (!back) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(back).toBe(true);
      // No persistence: the restart lost the key, as a crashed cache would.
      expect(await store.get('k')).toBeUndefined();
      expect((await store.increment('c', 1000)).count).toBe(1);
    } finally {
      await store.close();
    }
  });
});
