import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, makeClient, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

describe('single-flight refresh against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    // No grace window: a second refresh with the same token would be reuse and kill the session, so only a true single flight passes.
    // Step-up (#15) is set past the access lifetime: the password change below must meet the old-password check, not 10063.
    server = await startTestServer({
      ...CLIENT_TEST_ENV,
      DUOTOKEN_ACCESS_TTL: '15m',
      DUOTOKEN_REFRESH_GRACE: '0',
      DUOTOKEN_STEP_UP_MAX_AGE: '1h',
    });
  });
  afterAll(() => server.close());

  it('20 concurrent calls with an expired access token make one refresh and all succeed', async () => {
    const { client, wire, loginRequired } = makeClient(server);
    const before = await tokensOf(client.login(ADMIN));
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/auth/me')));

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(wire.refreshes()).toBe(1);
    // Reactive path: the client's offset was learnt before the clock moved, so each call met a 10027 first.
    expect(wire.statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(loginRequired).toEqual([]);
    const after = await client.getTokens();
    expect(after?.refreshToken).not.toBe(before.refreshToken);
    expect(after?.accessToken).not.toBe(before.accessToken);
  });

  it('persists every rotated refresh token: three expiries in a row each refresh once with the latest token', async () => {
    const { client, loginRequired } = makeClient(server);
    await client.login(ADMIN);
    const seen = refreshesSeen(server);
    for (let round = 0; round < 3; round++) {
      server.clock.advance(901);
      const answers = await Promise.all(Array.from({ length: 5 }, () => client.fetch('/auth/sessions')));
      expect(answers.every((r) => r.ok)).toBe(true);
    }
    expect(refreshesSeen(server) - seen).toBe(3);
    expect(loginRequired).toEqual([]);
  });

  it('refreshes ahead of expiry on the server clock learnt from the Date header, before any 401', async () => {
    const { client, wire } = makeClient(server);
    await client.login(ADMIN);
    server.clock.advance(880); // 20 s left, inside the 30 s leeway on the server's clock
    const seen = refreshesSeen(server);

    const probe = await client.fetch('/healthz'); // any answer carries the server's Date
    expect(probe.status).toBe(200);
    expect(refreshesSeen(server) - seen).toBe(0);

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/auth/me')));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(wire.statuses.filter((s) => s === 401)).toHaveLength(0);
  });

  it('a client whose own clock is ten days fast neither refreshes early nor late', async () => {
    const tenDays = 10 * 86400 * 1000;
    const { client, wire } = makeClient(server, { now: () => Date.now() + tenDays });
    await client.login(ADMIN);
    const seen = refreshesSeen(server);
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.fetch('/auth/me')));
    expect(answers.every((r) => r.ok)).toBe(true);
    expect(refreshesSeen(server) - seen).toBe(0);
    expect(Math.abs(client.serverNow() - server.clock.now())).toBeLessThan(5_000);

    server.clock.advance(880);
    await client.fetch('/healthz');
    await client.fetch('/auth/me');
    expect(refreshesSeen(server) - seen).toBe(1);
    expect(wire.statuses.filter((s) => s === 401)).toHaveLength(0);
  });

  it('a request that still fails after the refresh is answered, not retried again', async () => {
    const { client, wire } = makeClient(server);
    await client.login(ADMIN);
    server.clock.advance(901);
    // The refresh succeeds, but the retry is refused too: a 401 that is no token problem (wrong old password) ends it.
    const res = await client.fetch('/auth/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ old_password: 'wrong password', new_password: 'another good passphrase' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('10020');
    const posts = wire.requests.filter((r) => r.url.endsWith('/auth/password'));
    expect(posts).toHaveLength(2);
    expect(wire.refreshes()).toBe(1);
  });
});
