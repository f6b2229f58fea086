import { createAuthClient, createStorageLeaseLock, webStorage } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, refreshesSeen, startTestServer, type TestServer } from './helpers/client-harness.js';

function mapStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (k: string) => values.get(k) ?? null,
    setItem: (k: string, v: string) => void values.set(k, v),
    removeItem: (k: string) => void values.delete(k),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('storage lease lock (browsers without Web Locks)', () => {
  it('two tabs never hold the lease at once', async () => {
    const storage = mapStorage();
    const tabs = [createStorageLeaseLock(storage, { pollMs: 5, settleMs: 5 }), createStorageLeaseLock(storage, { pollMs: 5, settleMs: 5 })];
    let holders = 0;
    let maxHolders = 0;
    const task = async () => {
      holders++;
      maxHolders = Math.max(maxHolders, holders);
      await tick();
      holders--;
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => tabs[i % 2]!.run('refresh', task)));
    expect(maxHolders).toBe(1);
    expect(storage.values.size).toBe(0); // released
  });

  it('takes over a lease left by a tab that died holding it', async () => {
    const storage = mapStorage();
    let now = 1_000_000;
    storage.setItem('refresh:lease', JSON.stringify({ owner: 'closed tab', expiresAt: now + 100 }));
    const lock = createStorageLeaseLock(storage, { ttlMs: 100, pollMs: 5, settleMs: 1, now: () => (now += 10) });
    await expect(lock.run('refresh', async () => 'ran')).resolves.toBe('ran');
  });
});

describe('two tabs sharing localStorage, without Web Locks or BroadcastChannel', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_REFRESH_GRACE: '0' });
  });
  afterAll(() => server.close());

  it('an expired token in both tabs is refreshed once', async () => {
    const shared = mapStorage();
    // Each tab has its own lock object (its own in-tab queue): only the lease in the shared storage keeps them apart.
    const tab = () =>
      createAuthClient({
        baseUrl: server.url,
        storage: webStorage(shared),
        lock: createStorageLeaseLock(shared, { pollMs: 5, settleMs: 5 }),
        crossTab: false,
      });
    const [tab1, tab2] = [tab(), tab()];
    await tab1.login(ADMIN);
    server.clock.advance(901);
    const seen = refreshesSeen(server);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? tab1 : tab2).fetch('/auth/me')));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshesSeen(server) - seen).toBe(1);
  });
});
