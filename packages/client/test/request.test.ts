import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, makeClient, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

interface UserRow {
  id: number;
  account: string;
  name: string;
}

describe('request() and logoutAll() against the standard dialect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(CLIENT_TEST_ENV);
  });
  afterAll(() => server.close());

  it('request() sends the query and JSON body, unwraps data, and leaves empty query values out', async () => {
    const { client, wire } = makeClient(server);
    await client.login(ADMIN);
    const created = await client.request<UserRow>('POST', '/admin/users', {
      json: { account: 'req-alice', password: 'a long enough password 1', name: 'Alice' },
    });
    expect(created).toMatchObject({ account: 'req-alice', name: 'Alice' });
    const page = await client.request<{ items: UserRow[] }>('GET', '/admin/users', {
      query: { search: 'req-ali', limit: 5, offset: undefined, status: '', sort: null },
    });
    expect(page.items.map((u) => u.account)).toEqual(['req-alice']);
    const sent = new URL(wire.requests.at(-1)!.url);
    expect([...sent.searchParams.keys()].sort()).toEqual(['limit', 'search']);
  });

  it('request() refreshes an expired access token once and retries, and reports refusals with their wire code', async () => {
    const { client } = makeClient(server);
    await client.login(ADMIN);
    server.clock.advance(901);
    const before = refreshesSeen(server);
    await client.request('GET', '/admin/users/admin');
    expect(refreshesSeen(server) - before).toBe(1);
    await expect(client.request('GET', '/admin/users/no-such-user-here')).rejects.toMatchObject({ code: '10044', status: 404 });
    await expect(client.request('POST', '/admin/users', { json: { account: '' } })).rejects.toMatchObject({ code: '10001', status: 400 });
  });

  it('logoutAll() revokes every session of the user on the server and forgets the tokens', async () => {
    const other = makeClient(server);
    await other.client.login(ADMIN);
    const { client, loginRequired } = makeClient(server);
    const tokens = await tokensOf(client.login(ADMIN));
    await client.logoutAll();
    expect(await client.getTokens()).toBeNull();
    const stale = await server.fetch('/auth/me', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(stale.status).toBe(401);
    await expect(other.client.me()).rejects.toMatchObject({ status: 401 }); // the other device: refused, refresh refused too
    expect(other.loginRequired).toEqual(['10024']);
    expect(loginRequired).toEqual([]);
  });

  it('logoutAll() that does not reach the server throws and keeps the tokens (it must not claim a sign-out that did not happen)', async () => {
    const { client } = makeClient(server, {}, (url) => {
      if (url.pathname === '/auth/logout-all') throw new TypeError('offline');
      return undefined;
    });
    await client.login(ADMIN);
    await expect(client.logoutAll()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(await client.getTokens()).not.toBeNull();
    expect((await client.me()).user.account).toBe(ADMIN.account);
  });
});
