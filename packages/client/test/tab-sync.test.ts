import { createAuthClient, memoryStorage, type AuthClient, type AuthTokens, type TokenStorage } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, refreshesSeen, startTestServer, type TestServer } from './helpers/client-harness.js';

/** Waits (bounded) until `check` holds: BroadcastChannel delivers asynchronously. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
}

describe('tabs with their own storage (sessionStorage) that share one session', () => {
  let server: TestServer;
  const clients: AuthClient[] = [];
  beforeAll(async () => {
    // No grace window: a tab refreshing with a token another tab already rotated would be reuse, and log both out.
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_REFRESH_GRACE: '0' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  /** A tab: its own storage, BroadcastChannel on (Node has one, across instances). */
  const tab = (storage: TokenStorage, key: string) => {
    const client = createAuthClient({ baseUrl: server.url, storage, storageKey: key, crossTab: true });
    clients.push(client);
    return client;
  };

  it('a tab adopts the pair another tab rotated, so neither refreshes with a spent token', async () => {
    const storage1 = memoryStorage();
    const storage2 = memoryStorage();
    const tab1 = tab(storage1, 'dup');
    const tab2 = tab(storage2, 'dup');
    await tab1.login(ADMIN);
    // window.open copies sessionStorage: the second tab starts with the same tokens.
    await storage2.set('dup', (await storage1.get('dup'))!);
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    expect((await tab1.fetch('/auth/me')).status).toBe(200);
    const rotated = (await tab1.getTokens())!;
    await eventually(async () => (await tab2.getTokens())?.refreshToken === rotated.refreshToken);

    expect((await tab2.fetch('/auth/me')).status).toBe(200);
    expect(refreshesSeen(server) - seen).toBe(1);
  });

  it('a logout in one tab ends the session in the tabs that shared it, and tells their listeners', async () => {
    const storage1 = memoryStorage();
    const storage2 = memoryStorage();
    const unrelated = memoryStorage();
    const tab1 = tab(storage1, 'shared');
    const tab2 = tab(storage2, 'shared');
    const other = tab(unrelated, 'shared');
    await tab1.login(ADMIN);
    await other.login(ADMIN); // a different session in a third tab
    await storage2.set('shared', (await storage1.get('shared'))!);
    const heard: Array<AuthTokens | null> = [];
    tab2.subscribe((t) => heard.push(t));

    await tab1.logout();

    await eventually(async () => (await tab2.getTokens()) === null);
    expect(heard.at(-1)).toBeNull();
    expect(await other.getTokens()).not.toBeNull();
  });
});
