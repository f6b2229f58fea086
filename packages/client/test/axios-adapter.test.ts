import axios, { AxiosError } from 'axios';
import { createAuthClient, memoryStorage } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAuthClient } from '@duotoken/client/axios';
import { ADMIN, CLIENT_TEST_ENV, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

describe('axios adapter', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      ...CLIENT_TEST_ENV,
      DUOTOKEN_ACCESS_TTL: '15m',
      DUOTOKEN_REFRESH_TTL: '1h',
      DUOTOKEN_REFRESH_GRACE: '0',
    });
  });
  afterAll(() => server.close());

  const setup = () => {
    const loginRequired: string[] = [];
    const auth = createAuthClient({ baseUrl: server.url, storage: memoryStorage(), onLoginRequired: (r) => loginRequired.push(r) });
    const api = axios.create({ baseURL: server.url });
    const statuses: number[] = [];
    api.interceptors.response.use(
      (r) => (statuses.push(r.status), r),
      (e: unknown) => {
        if (e instanceof AxiosError && e.response) statuses.push(e.response.status);
        throw e;
      },
    );
    const detach = attachAuthClient(api, auth);
    return { auth, api, loginRequired, statuses, detach };
  };

  it('20 concurrent axios calls with an expired access token make one refresh and all succeed', async () => {
    const { auth, api, loginRequired } = setup();
    const before = await tokensOf(auth.login(ADMIN));
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    const answers = await Promise.all(Array.from({ length: 20 }, () => api.get<{ code: string }>('/auth/me')));

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(answers.every((r) => r.data.code === '00000')).toBe(true);
    expect(refreshesSeen(server) - seen).toBe(1);
    expect((await auth.getTokens())?.refreshToken).not.toBe(before.refreshToken);
    expect(loginRequired).toEqual([]);
  });

  it('refreshes ahead of expiry from the Date headers axios saw', async () => {
    const { auth, api, statuses } = setup();
    await auth.login(ADMIN);
    server.clock.advance(880);
    const seen = refreshesSeen(server);
    await api.get('/healthz');
    await Promise.all(Array.from({ length: 10 }, () => api.get('/auth/me')));
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(statuses).not.toContain(401);
  });

  it('a refused refresh rejects every call with its 401, calls onLoginRequired once and retries nothing', async () => {
    const { auth, api, loginRequired } = setup();
    await auth.login(ADMIN);
    server.clock.advance(3601);
    const seen = refreshesSeen(server);
    const meSeen = () => server.logs.filter((l) => l.includes('incoming request') && l.includes('"/auth/me"')).length;
    const mesBefore = meSeen();

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => api.get('/auth/me')));

    expect(results.every((r) => r.status === 'rejected' && (r.reason as AxiosError).response?.status === 401)).toBe(true);
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(meSeen() - mesBefore).toBe(20);
    expect(loginRequired).toEqual(['10024']);
    expect(await auth.getTokens()).toBeNull();
  });

  it('detaching removes the interceptors', async () => {
    const { auth, api, detach } = setup();
    await auth.login(ADMIN);
    detach();
    await expect(api.get('/auth/me')).rejects.toMatchObject({ response: { status: 401 } });
  });
});
