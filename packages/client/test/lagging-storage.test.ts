import { createAuthClient, type TokenStorage } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, refreshesSeen, startTestServer, type TestServer } from './helpers/client-harness.js';

/**
 * Storage shared by tabs the way Chromium shares `localStorage`: each tab
 * reads its own copy, and a write reaches the other tabs' copies only after
 * `lagMs`, whatever locks the tabs hold meanwhile.
 */
function perTabCopies(lagMs: number) {
  const copies: Array<Map<string, string>> = [];
  return (): TokenStorage => {
    const own = new Map<string, string>();
    copies.push(own);
    const write = (change: (copy: Map<string, string>) => void) => {
      change(own);
      for (const other of copies) if (other !== own) setTimeout(() => change(other), lagMs);
    };
    return {
      get: (key) => own.get(key) ?? null,
      set: (key, value) => write((copy) => copy.set(key, value)),
      remove: (key) => write((copy) => copy.delete(key)),
    };
  };
}

describe('two tabs whose shared storage lags behind the refresh lock', () => {
  let server: TestServer;
  beforeAll(async () => {
    // No grace window: a second refresh with the rotated token is reuse and ends the session.
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_ACCESS_TTL: '15m', DUOTOKEN_REFRESH_GRACE: '0' });
  });
  afterAll(() => server.close());

  it('the tab that gets the lock after the rotation, still reading the old pair, waits for the new one instead of refreshing again', async () => {
    const lagMs = 300;
    const tabStorage = perTabCopies(lagMs);
    const loginRequired: string[] = [];
    // Same storage key and the process's default lock (shared by both clients), as two tabs of one origin.
    const tab = () =>
      createAuthClient({ baseUrl: server.url, storage: tabStorage(), crossTab: false, onLoginRequired: (r) => loginRequired.push(r) });
    const [tab1, tab2] = [tab(), tab()];
    await tab1.login(ADMIN);
    await new Promise((resolve) => setTimeout(resolve, lagMs + 50));
    expect((await tab2.getTokens())?.accessToken).toBe((await tab1.getTokens())?.accessToken);
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    const answers = await Promise.all([tab1.fetch('/auth/me'), tab2.fetch('/auth/me')]);

    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(loginRequired).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, lagMs + 50));
    expect(await tab2.getTokens()).toEqual(await tab1.getTokens());
  });
});
