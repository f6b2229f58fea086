import { createAuthClient, memoryStorage, webStorage, type MeView, type TokenStorage } from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captchaAnswer } from '@duotoken/test-kit';
import { ADMIN, makeClient, refreshesSeen, startTestServer, type TestServer, tokensOf } from './helpers/client-harness.js';

/** A Web Storage stand-in (what localStorage offers) over a Map. */
function mapStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (k: string) => values.get(k) ?? null,
    setItem: (k: string, v: string) => void values.set(k, v),
    removeItem: (k: string) => void values.delete(k),
  };
}

describe('the client API against the standard dialect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
  });
  afterAll(() => server.close());

  const loginWithCaptcha = async (client: ReturnType<typeof makeClient>['client']) => {
    const challenge = await client.getChallenge();
    const image = await fetch(challenge.captchaUrl);
    expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    await image.text();
    return tokensOf(client.login({ ...ADMIN, t: challenge.t, captcha: await captchaAnswer(server, challenge.t) }));
  };

  it('gets a challenge whose captcha URL is absolute and bound to t, redraws it, and logs in with it', async () => {
    const { client } = makeClient(server);
    const challenge = await client.getChallenge();
    expect(challenge.captchaRequired).toBe(true);
    expect(challenge.expiresIn).toBeGreaterThan(0);
    expect(new URL(challenge.captchaUrl).origin).toBe(new URL(server.url).origin);
    expect(new URL(challenge.captchaUrl).searchParams.get('t')).toBe(challenge.t);

    const redraw = client.captchaUrl(challenge.t);
    expect(redraw).not.toBe(client.captchaUrl(challenge.t)); // a new URL each time, so an <img> reloads
    expect((await fetch(redraw)).status).toBe(200);
    const tokens = await tokensOf(client.login({ ...ADMIN, t: challenge.t, captcha: await captchaAnswer(server, challenge.t) }));
    expect(tokens.accessExpiresAt).toBe(server.clock.now() - (server.clock.now() % 1000) + 900_000);
    expect((await client.me()).user.account).toBe(ADMIN.account);
  });

  it('a wrong captcha is reported with its code', async () => {
    const { client } = makeClient(server);
    const challenge = await client.getChallenge();
    await fetch(challenge.captchaUrl).then((r) => r.text());
    await expect(client.login({ ...ADMIN, t: challenge.t, captcha: 'zzzz' })).rejects.toMatchObject({ code: '10011', status: 400 });
  });

  it('switches company, lists and revokes sessions, and logs out', async () => {
    const admin = server.runtime.services.admin;
    const actor = { userId: null, ip: null };
    const acme = await admin.createCompany('Acme API', actor);
    await admin.setMembership(ADMIN.account, acme.id, ['auditor'], actor);
    const other = makeClient(server);
    await loginWithCaptcha(other.client);
    const { client, loginRequired } = makeClient(server);
    const first = await loginWithCaptcha(client);

    const switched = await client.switchCompany(acme.id);
    expect(switched.refreshToken).not.toBe(first.refreshToken);
    const me = await client.me<MeView>();
    expect(me.company).toEqual({ id: acme.id, name: 'Acme API', roles: ['auditor'] });
    await expect(client.switchCompany(999_999)).rejects.toMatchObject({ code: '10030', status: 403 });

    const sessions = await client.sessions();
    const mine = sessions.find((s) => s.current);
    expect(mine?.id).toBe(me.session.id);
    const otherId = (await other.client.me()).session.id;
    const otherSession = sessions.find((s) => s.id === otherId);
    expect(otherSession?.current).toBe(false);
    await client.revokeSession(otherSession!.id);
    expect((await client.sessions()).some((s) => s.id === otherSession!.id)).toBe(false);
    expect((await other.client.fetch('/auth/me')).status).toBe(401);
    expect(other.loginRequired).toEqual(['10024']);

    const before = await client.getTokens();
    await client.logout();
    expect(await client.getTokens()).toBeNull();
    const stale = await server.fetch('/auth/me', { headers: { authorization: `Bearer ${before!.accessToken}` } });
    expect(stale.status).toBe(401);
    expect(loginRequired).toEqual([]);
  });

  it('getInUrl puts the access token in the URL for GET and in the header for POST (seed 000)', async () => {
    const { client, wire } = makeClient(server, { getInUrl: true });
    await loginWithCaptcha(client);
    expect((await client.fetch('/auth/me?lang=en')).status).toBe(200);
    const get = wire.requests.at(-1)!;
    expect(new URL(get.url).searchParams.get('access-token')).toBeTruthy();
    expect(new URL(get.url).searchParams.get('lang')).toBe('en');
    expect(get.headers.has('authorization')).toBe(false);

    expect((await client.fetch('/auth/verify', { method: 'POST' })).status).toBe(200);
    const post = wire.requests.at(-1)!;
    expect(post.headers.get('authorization')).toMatch(/^Bearer /);
    expect(new URL(post.url).searchParams.has('access-token')).toBe(false);

    // The URL token is refreshed like any other.
    server.clock.advance(901);
    const seen = refreshesSeen(server);
    expect((await client.fetch('/auth/me')).status).toBe(200);
    expect(refreshesSeen(server) - seen).toBe(1);
  });

  it('never sends tokens to another origin', async () => {
    const { client, wire } = makeClient(server, {}, (url) => (url.hostname === 'elsewhere.example' ? new Response('{}') : undefined));
    await loginWithCaptcha(client);
    await client.fetch('https://elsewhere.example/data');
    const sent = wire.requests.at(-1)!;
    expect(sent.headers.has('authorization')).toBe(false);
  });

  it('keeps the tokens in Web Storage as one JSON value that a second client (tab) shares', async () => {
    const storage = mapStorage();
    const tab1 = makeClient(server, { storage: webStorage(storage), storageKey: 'console' });
    await loginWithCaptcha(tab1.client);
    const saved = JSON.parse(storage.values.get('console')!) as Record<string, unknown>;
    expect(Object.keys(saved).sort()).toEqual(['accessExpiresAt', 'accessToken', 'clockOffsetMs', 'refreshExpiresAt', 'refreshToken']);
    const tab2 = makeClient(server, { storage: webStorage(storage), storageKey: 'console' });
    expect((await tab2.client.me()).user.account).toBe(ADMIN.account);
    await tab1.client.logout();
    expect(storage.values.has('console')).toBe(false);
  });

  it('works over a custom asynchronous storage', async () => {
    const inner = memoryStorage();
    const writes: string[] = [];
    const slow: TokenStorage = {
      get: async (k) => {
        await new Promise((r) => setTimeout(r, 1));
        return inner.get(k);
      },
      set: async (k, v) => {
        await new Promise((r) => setTimeout(r, 1));
        writes.push(k);
        await inner.set(k, v);
      },
      remove: async (k) => inner.remove(k),
    };
    const client = createAuthClient({ baseUrl: server.url, storage: slow });
    const challenge = await client.getChallenge();
    await fetch(challenge.captchaUrl).then((r) => r.text());
    await client.login({ ...ADMIN, t: challenge.t, captcha: await captchaAnswer(server, challenge.t) });
    server.clock.advance(901);
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.fetch('/auth/me')));
    expect(answers.every((r) => r.ok)).toBe(true);
    expect(writes).toEqual(['duotoken', 'duotoken']); // login + one refresh
  });

  it('replays a Request object with a body on the retry', async () => {
    const { client, wire } = makeClient(server);
    await loginWithCaptcha(client);
    server.clock.advance(901);
    const request = new Request(new URL('/auth/verify', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect((await client.fetch(request)).status).toBe(200);
    expect(wire.requests.filter((r) => r.url.endsWith('/auth/verify'))).toHaveLength(2);
  });
});
