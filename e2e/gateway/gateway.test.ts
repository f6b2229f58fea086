import type { MmmTokenPair, StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '@duotoken/server';
import {
  call,
  loginStandard,
  ADMIN,
  startTestServer,
  type TestServer,
  startEchoUpstream,
  type EchoUpstream,
  type SeenRequest,
} from '@duotoken/test-kit';

const seenBody = (res: { body: unknown }) => res.body as unknown as SeenRequest;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('gateway mode (DUOTOKEN_UPSTREAM)', () => {
  let upstream: EchoUpstream;
  let server: TestServer;
  let pair: StandardTokenPair;
  let me: { user: { id: number }; session: { id: string } };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    server = await startTestServer({
      DUOTOKEN_UPSTREAM: upstream.url,
      DUOTOKEN_DIALECTS: 'standard,mmm',
      DUOTOKEN_AUTO_RENEW: 'standard,mmm',
      DUOTOKEN_RATE_LIMITS: 'off',
    });
    pair = await loginStandard(server, ADMIN.account, ADMIN.password);
    me = (await call<typeof me>(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) })).body.data;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('forwards a verified request with identity headers, never a spoofed one, and no refresh token', async () => {
    const res = await call(server, 'POST', '/orders/7?expand=1', {
      headers: {
        ...bearer(pair.access_token),
        'x-auth-user-id': '999',
        'x-auth-roles': 'root',
        'X-Auth-Extra': 'x',
        'refresh-token': pair.refresh_token,
      },
      json: { qty: 2 },
    });
    expect(res.status).toBe(200);
    const seen = seenBody(res);
    expect(seen).toMatchObject({ method: 'POST', url: '/orders/7?expand=1', body: '{"qty":2}' });
    expect(seen.headers).toMatchObject({
      'x-auth-user-id': String(me.user.id),
      'x-auth-session-id': me.session.id,
      'x-auth-roles': expect.not.stringContaining('root'),
    });
    expect(seen.headers['x-auth-extra']).toBeUndefined();
    expect(seen.headers['refresh-token']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('streams form bodies to the upstream untouched', async () => {
    const res = await call(server, 'POST', '/upload', { headers: bearer(pair.access_token), form: { a: '1', b: 'two words' } });
    expect(seenBody(res)).toMatchObject({ body: 'a=1&b=two+words', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  });

  it('refuses a request without a valid token and never calls the upstream', async () => {
    const before = upstream.seen.length;
    const missing = await call(server, 'GET', '/orders');
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 401, code: '10025' });
    const bad = await call(server, 'GET', '/orders', { headers: bearer(`${pair.access_token}x`) });
    expect(bad.body.code).toBe('10028');
    const spoofOnly = await call(server, 'GET', '/orders', { headers: { 'x-auth-user-id': '1' } });
    expect(spoofOnly.status).toBe(401);
    expect(upstream.seen.length).toBe(before);
  });

  it('removes an access token from the forwarded URL and from the logs', async () => {
    const res = await call(server, 'GET', `/search?q=a%20b&access-token=${pair.access_token}&page=2`);
    expect(res.status).toBe(200);
    expect(seenBody(res).url).toBe('/search?q=a%20b&page=2');
    expect(server.logs.some((line) => line.includes(pair.access_token))).toBe(false);
  });

  it('keeps serving its own routes', async () => {
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) })).body.code).toBe('00000');
    expect((await server.fetch('/healthz')).status).toBe(200);
  });

  it('auto-renews an expired standard token (10026) and the retried request goes through', async () => {
    const fresh = await loginStandard(server, ADMIN.account, ADMIN.password);
    server.clock.advance(server.runtime.config.accessTtl + 1);
    const before = upstream.seen.length;
    const renewed = await call<StandardTokenPair>(server, 'GET', '/orders', {
      headers: { ...bearer(fresh.access_token), 'refresh-token': fresh.refresh_token },
    });
    expect({ status: renewed.status, code: renewed.body.code }).toEqual({ status: 401, code: '10026' });
    expect(upstream.seen.length).toBe(before);
    const retried = await call(server, 'GET', '/orders', { headers: bearer(renewed.body.data.access_token) });
    expect(retried.status).toBe(200);
    expect(seenBody(retried).headers['x-auth-user-id']).toBe(String(me.user.id));
    const expiredOnly = await call(server, 'GET', '/orders', { headers: bearer(fresh.access_token) });
    expect(expiredOnly.body.code).toBe('10027');
  });

  it('gives an mmm client 10026 with an mmm pair through the gateway, and it continues', async () => {
    const login = await call<MmmTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } });
    expect(login.status).toBe(200);
    const mmm = login.body.data;
    const ok = await call(server, 'GET', '/reports', { headers: { 'x-mmm-accesstoken': mmm.access_token } });
    expect(seenBody(ok).headers['x-auth-user-id']).toBe(String(me.user.id));
    expect(seenBody(ok).headers['x-mmm-accesstoken']).toBe(mmm.access_token);

    server.clock.advance(server.runtime.config.accessTtl + 1);
    const renewed = await call<MmmTokenPair>(server, 'GET', '/reports', {
      headers: { 'x-mmm-accesstoken': mmm.access_token, 'x-mmm-refreshtoken': mmm.refresh_token },
    });
    expect({ status: renewed.status, code: renewed.body.code }).toEqual({ status: 401, code: '10026' });
    expect(renewed.body.data).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      refresh_expires: expect.any(Number),
    });
    const next = await call(server, 'GET', '/reports', {
      headers: { 'x-mmm-accesstoken': renewed.body.data.access_token, 'x-mmm-refreshtoken': renewed.body.data.refresh_token },
    });
    expect(next.status).toBe(200);
    expect(seenBody(next).headers['x-mmm-refreshtoken']).toBeUndefined();
  });

  it('authenticates WebSocket upgrades and passes them through with the identity', async () => {
    const wsUrl = server.url.replace(/^http/, 'ws');
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${wsUrl}/live`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('an unauthenticated upgrade was let through')));
      socket.on('error', () => undefined);
    });
    expect(refused).toBe(401);

    const fresh = await loginStandard(server, ADMIN.account, ADMIN.password);
    const socket = new WebSocket(`${wsUrl}/live?room=1&access-token=${fresh.access_token}`, { headers: { 'x-auth-user-id': '999' } });
    const messages: string[] = [];
    const next = () => new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    messages.push(await next());
    const handshake = JSON.parse(messages[0]!) as { url: string; headers: Record<string, string> };
    expect(handshake.url).toBe('/live?room=1');
    expect(handshake.headers['x-auth-user-id']).toBe(String(me.user.id));
    socket.send('hello');
    expect(await next()).toBe('echo:hello');
    socket.close();
  });
});

describe('gateway with prefixes', () => {
  it('routes each prefix to its upstream and answers 502 when one is down', async () => {
    const a = await startEchoUpstream();
    const b = await startEchoUpstream();
    await b.close();
    const server = await startTestServer({ DUOTOKEN_UPSTREAM: `/api=${a.url}/v1,/files=${b.url}`, DUOTOKEN_RATE_LIMITS: 'off' });
    try {
      const pair = await loginStandard(server, ADMIN.account, ADMIN.password);
      const api = await call(server, 'GET', '/api/items?x=1', { headers: bearer(pair.access_token) });
      expect(seenBody(api).url).toBe('/v1/items?x=1');
      const down = await call(server, 'GET', '/files/a.txt', { headers: bearer(pair.access_token) });
      expect(down.status).toBe(502);
      const elsewhere = await call(server, 'GET', '/nowhere', { headers: bearer(pair.access_token) });
      expect(elsewhere.status).toBe(404);
    } finally {
      await server.close();
      await a.close();
    }
  });

  it('refuses a malformed DUOTOKEN_UPSTREAM at start-up, naming it', async () => {
    expect(() => parseConfig({ DUOTOKEN_UPSTREAM: 'ftp://x' })).toThrow(/DUOTOKEN_UPSTREAM/);
    expect(() => parseConfig({ DUOTOKEN_UPSTREAM: 'api=http://x' })).toThrow(/prefix/);
    expect(parseConfig({ DUOTOKEN_UPSTREAM: 'http://127.0.0.1:9000/' }).upstream).toEqual([
      { prefix: '/', target: 'http://127.0.0.1:9000' },
    ]);
  });
});
