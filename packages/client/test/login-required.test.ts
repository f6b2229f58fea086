import { isAuthClientError } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, makeClient, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

describe('losing the session, and keeping it through outages', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_ACCESS_TTL: '15m', DUOTOKEN_REFRESH_TTL: '1h' });
  });
  afterAll(() => server.close());

  it('a refused refresh clears the tokens, calls onLoginRequired once and retries nothing', async () => {
    const { client, wire, loginRequired } = makeClient(server);
    await client.login(ADMIN);
    server.clock.advance(3601); // the refresh token is dead too
    const seen = refreshesSeen(server);
    const sentBefore = wire.requests.length;

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/auth/me')));

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(wire.requests.length - sentBefore).toBe(21); // 20 calls + 1 refresh, no retries
    expect(loginRequired).toEqual(['10024']);
    expect(await client.getTokens()).toBeNull();

    // Without tokens nothing is refreshed, and the user is not told twice.
    expect((await client.fetch('/auth/me')).status).toBe(401);
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(loginRequired).toHaveLength(1);
    await expect(client.refresh()).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('after a new login, a later loss is reported again', async () => {
    const { client, loginRequired } = makeClient(server);
    await client.login(ADMIN);
    server.clock.advance(3601);
    await client.fetch('/auth/me');
    await client.login(ADMIN);
    expect((await client.fetch('/auth/me')).status).toBe(200);
    server.clock.advance(3601);
    await client.fetch('/auth/me');
    expect(loginRequired).toHaveLength(2);
  });

  it('a session revoked on the server (10028, then refresh 10024) ends in one onLoginRequired', async () => {
    const { client, loginRequired } = makeClient(server);
    await client.login(ADMIN);
    const me = await client.me();
    await server.runtime.services.changes.revoke({ id: me.session.id }, 'revoked_by_admin', { userId: null, ip: null });

    const answers = await Promise.all(Array.from({ length: 5 }, () => client.fetch('/auth/sessions')));
    expect(answers.every((r) => r.status === 401)).toBe(true);
    expect(loginRequired).toEqual(['10024']);
    expect(await client.getTokens()).toBeNull();
  });

  it('a network error during the refresh keeps the session and tells the caller', async () => {
    let offline = true;
    const { client, loginRequired } = makeClient(server, {}, (url) => {
      if (offline && url.pathname === '/auth/refresh-token') throw new TypeError('fetch failed');
      return undefined;
    });
    const tokens = await tokensOf(client.login(ADMIN));
    server.clock.advance(901);

    const failure = await client.fetch('/auth/me').catch((e: unknown) => e);
    expect(isAuthClientError(failure) && failure.code).toBe('NETWORK_ERROR');
    expect(loginRequired).toEqual([]);
    expect((await client.getTokens())?.refreshToken).toBe(tokens.refreshToken);

    offline = false;
    expect((await client.fetch('/auth/me')).status).toBe(200);
  });

  it('a 5xx answer to the refresh keeps the session', async () => {
    let down = true;
    const { client, loginRequired } = makeClient(server, {}, (url) =>
      down && url.pathname === '/auth/refresh-token' ? new Response('bad gateway', { status: 502 }) : undefined,
    );
    const tokens = await tokensOf(client.login(ADMIN));
    server.clock.advance(901);

    await expect(client.me()).rejects.toMatchObject({ code: 'SERVER_UNAVAILABLE', status: 502 });
    expect(loginRequired).toEqual([]);
    expect((await client.getTokens())?.refreshToken).toBe(tokens.refreshToken);
    down = false;
    expect((await client.me()).user.account).toBe(ADMIN.account);
  });

  it('a wrong password at login is an error for the caller, not a lost session', async () => {
    const { client, loginRequired } = makeClient(server);
    await expect(client.login({ account: ADMIN.account, password: 'not the password' })).rejects.toMatchObject({
      code: '10020',
      status: 401,
    });
    expect(loginRequired).toEqual([]);
    expect(await client.getTokens()).toBeNull();
  });
});
