import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, makeClient, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

const bodies = async (answers: Response[]) => Promise.all(answers.map((r) => r.json() as Promise<{ code: string }>));

describe('10026: the server renews the tokens itself (standard dialect with auto-renew)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_AUTO_RENEW: 'standard', DUOTOKEN_ACCESS_TTL: '15m' });
  });
  afterAll(() => server.close());

  it('applies the attached pair and retries: 20 concurrent expired calls succeed without a refresh request', async () => {
    const { client, wire, loginRequired } = makeClient(server, { autoRenew: true });
    const first = await tokensOf(client.login(ADMIN));
    expect(wire.requests.at(-1)?.headers.get('refresh-token')).toBeNull(); // login carries no tokens
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/auth/me')));

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await bodies(answers)).every((b) => b.code === '00000')).toBe(true);
    expect(wire.refreshes()).toBe(0);
    expect(refreshesSeen(server) - seen).toBe(0);
    expect(wire.statuses.filter((s) => s === 401)).toHaveLength(20); // every call met its 10026 first
    expect(loginRequired).toEqual([]);
    const stored = await client.getTokens();
    expect(stored?.refreshToken).not.toBe(first.refreshToken);

    // The stored refresh token is the live one: the next expiry renews again.
    server.clock.advance(901);
    expect((await client.fetch('/auth/sessions')).status).toBe(200);
    expect((await client.getTokens())?.refreshToken).not.toBe(stored?.refreshToken);
  });

  it('a 10026 is not applied twice to one request: the retry is final', async () => {
    const { client, wire } = makeClient(server, { autoRenew: true });
    await client.login(ADMIN);
    server.clock.advance(901);
    const sent = wire.requests.length;
    const res = await client.fetch('/auth/me');
    expect(res.status).toBe(200);
    expect(wire.requests.length - sent).toBe(2);
  });

  it('without autoRenew the refresh token never leaves the client on ordinary calls', async () => {
    const { client, wire } = makeClient(server);
    await client.login(ADMIN);
    await client.fetch('/auth/me');
    expect(wire.requests.every((r) => !r.headers.has('refresh-token'))).toBe(true);
  });
});

describe('dialect mmm (x-mmm-* headers, 10026, 10024)', () => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    // The mmm dialect ships separately: where this build lacks it, these tests skip.
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_DIALECTS: 'standard,mmm', DUOTOKEN_ACCESS_TTL: '15m' }).catch(
      () => undefined,
    );
  });
  afterAll(() => server?.close());

  it('logs in, renews through 10026 on a protected mmm route, and switches company', async (ctx) => {
    if (!server) return ctx.skip();
    const admin = server.runtime.services.admin;
    const actor = { userId: null, ip: null };
    const acme = await admin.createCompany('Acme mmm', actor);
    await admin.setMembership(ADMIN.account, acme.id, ['viewer'], actor);
    const { client, wire, loginRequired } = makeClient(server, { dialect: 'mmm' });
    const first = await tokensOf(client.login(ADMIN));
    expect(first.accessExpiresAt).toBeGreaterThan(server.clock.now());
    server.clock.advance(901);
    const seen = refreshesSeen(server);

    const switched = await client.switchCompany(acme.id);

    const mmmCalls = wire.requests.filter((r) => r.url.endsWith('/v1/auth/change_company'));
    expect(mmmCalls[0]?.headers.get('x-mmm-accesstoken')).toBe(first.accessToken);
    expect(mmmCalls[0]?.headers.get('x-mmm-refreshtoken')).toBe(first.refreshToken);
    expect(wire.statuses).toContain(401); // the 10026
    expect(wire.refreshes()).toBe(0);
    expect(refreshesSeen(server) - seen).toBe(0);
    expect(switched.refreshToken).not.toBe(first.refreshToken);
    expect(loginRequired).toEqual([]);
  });

  it('refreshes through GET /v1/auth/refresh_token, and a dead refresh token asks for a login once', async (ctx) => {
    if (!server) return ctx.skip();
    const { client, loginRequired } = makeClient(server, { dialect: 'mmm' });
    const first = await tokensOf(client.login(ADMIN));
    const renewed = await client.refresh();
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    server.clock.advance(40 * 86400);
    await expect(client.refresh()).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect(loginRequired).toEqual(['10024']);
  });
});
