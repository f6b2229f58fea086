import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CLIENT_TEST_ENV, makeClient, serverSaw, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

describe('dialect lin-cms (seed 001)', () => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer({
      ...CLIENT_TEST_ENV,
      DUOTOKEN_DIALECTS: 'standard,lin-cms',
      DUOTOKEN_ACCESS_TTL: '15m',
      DUOTOKEN_REFRESH_TTL: '1h',
    }).catch(() => undefined);
  });
  afterAll(() => server?.close());

  it('logs in with username, refreshes once on 10051 with the refresh token as Bearer, and asks for a login once the refresh token is dead', async (ctx) => {
    if (!server) return ctx.skip();
    const { client, wire, loginRequired } = makeClient(server, { dialect: 'lin-cms' });
    const tokens = await tokensOf(client.login(ADMIN));
    expect(tokens.accessExpiresAt).toBe(Math.floor(server.clock.now() / 1000) * 1000 + 900_000); // read from the JWT's exp
    expect((await client.me<{ username: string }>()).username).toBe(ADMIN.account);

    server.clock.advance(901);
    const refreshes = () => serverSaw(server!, /^\/cms\/user\/refresh$/);
    const seen = refreshes();
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.fetch('/cms/user/information')));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshes() - seen).toBe(1);
    const refresh = wire.requests.find((r) => r.url.endsWith('/cms/user/refresh'));
    expect(refresh?.method).toBe('GET');
    expect(refresh?.headers.get('authorization')).toBe(`Bearer ${tokens.refreshToken}`);

    server.clock.advance(3601);
    expect((await client.fetch('/cms/user/information')).status).toBe(401);
    expect(loginRequired).toHaveLength(1);
    expect(await client.getTokens()).toBeNull();
  });

  it('a wrong password is lin-cms code 10031', async (ctx) => {
    if (!server) return ctx.skip();
    const { client } = makeClient(server, { dialect: 'lin-cms' });
    await expect(client.login({ account: ADMIN.account, password: 'nope nope' })).rejects.toMatchObject({ code: '10031' });
  });
});
