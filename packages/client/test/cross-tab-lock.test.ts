import { createAuthClient, createStorageLeaseLock, webStorage, type CrossTabLock } from '@duotoken/client';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `tasks` tasks spread over `tabs` locks, each holding for `holdMs`; returns the [start, end] of every hold, in order of start. */
async function holds(tabs: CrossTabLock[], tasks: number, holdMs: number): Promise<Array<[number, number]>> {
  const spans: Array<[number, number]> = [];
  const task = async () => {
    const start = performance.now();
    await sleep(holdMs);
    spans.push([start, performance.now()]);
  };
  await Promise.all(Array.from({ length: tasks }, (_, i) => tabs[i % tabs.length]!.run('refresh', task)));
  return spans.sort((a, b) => a[0] - b[0]);
}

/** Holds that began before the previous one ended (ms of overlap each): none under a working lock. */
function overlaps(spans: Array<[number, number]>): number[] {
  return spans.slice(1).flatMap(([start], i) => (start < spans[i]![1] ? [spans[i]![1] - start] : []));
}

describe('storage lease lock (browsers without Web Locks)', () => {
  it('three tabs taking the lease 12 times never hold it at once (measured start and end of every hold)', async () => {
    const storage = mapStorage();
    const tabs = Array.from({ length: 3 }, () => createStorageLeaseLock(storage, { pollMs: 2, settleMs: 3 }));
    const spans = await holds(tabs, 12, 15);
    expect(spans).toHaveLength(12);
    expect(overlaps(spans)).toEqual([]);
    expect(storage.values.size).toBe(0); // released
  });

  it('the overlap measure sees tabs without a working lease', async () => {
    // The measure itself, on a lock that excludes nothing: the holds of different tabs overlap.
    const noLock: CrossTabLock = { run: (_name, task) => task() };
    expect(overlaps(await holds([noLock, noLock, noLock], 12, 15)).length).toBeGreaterThan(0);
  });

  it('waits while a tab that died holding the lease has it live, and takes over once it expires, not before', async () => {
    const storage = mapStorage();
    let now = 1_000_000;
    storage.setItem('refresh:lease', JSON.stringify({ owner: 'closed tab', expiresAt: now + 100 }));
    const lock = createStorageLeaseLock(storage, { ttlMs: 100, pollMs: 2, settleMs: 1, now: () => now });
    let ranAt: number | null = null;
    const run = lock.run('refresh', async () => {
      ranAt = now;
    });
    // Many more attempts than the lease's lifetime would allow, on a clock that stands still short of the expiry.
    for (const at of [1_000_000, 1_000_050, 1_000_099]) {
      now = at;
      await sleep(300);
      expect(ranAt).toBeNull();
    }
    now = 1_000_100;
    await expect(Promise.race([run.then(() => 'ran'), sleep(2_000).then(() => 'still waiting')])).resolves.toBe('ran');
    expect(ranAt).toBe(1_000_100);
  });

  it('ignores a lease claiming to last longer than any lease can (written before the clock went back)', async () => {
    const storage = mapStorage();
    storage.setItem('refresh:lease', JSON.stringify({ owner: 'another tab', expiresAt: Date.now() + 3_600_000 }));
    const lock = createStorageLeaseLock(storage, { ttlMs: 1_000, pollMs: 2, settleMs: 1 });
    await expect(Promise.race([lock.run('refresh', async () => 'ran'), sleep(2_000).then(() => 'still waiting')])).resolves.toBe('ran');
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
