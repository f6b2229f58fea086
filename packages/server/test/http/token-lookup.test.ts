import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call } from '@duotoken/test-kit/standard-client';

async function loginPair(server: TestServer): Promise<StandardTokenPair> {
  return (await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } })).body
    .data;
}

// The order header → URL → form itself (and a bad token in the winning place refused, not skipped) is
// checked once, as seed 000 states it: conformance/seed-000-standard.test.ts.
describe('access token lookup: header → URL → form (SPEC §3)', () => {
  let server: TestServer;
  let token: string;
  let broken: string;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
    token = (await loginPair(server)).access_token;
    broken = `${token.slice(0, -4)}AAAA`;
  });
  afterAll(() => server.close());

  const q = (t: string) => encodeURIComponent(t);

  it.each([
    ['Authorization: Bearer', () => call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${token}` } })],
    ['header access-token', () => call(server, 'GET', '/auth/me', { headers: { 'access-token': token } })],
    ['URL access-token', () => call(server, 'GET', `/auth/me?access-token=${q(token)}`)],
    ['URL access_token', () => call(server, 'GET', `/auth/me?access_token=${q(token)}`)],
    ['form access-token', () => call(server, 'POST', '/auth/logout-all', { form: { 'access-token': token } })],
    ['form access_token', () => call(server, 'POST', '/auth/verify', { form: { access_token: token } })],
  ])('finds the token in %s', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    if (_name.startsWith('form access-token')) token = (await loginPair(server)).access_token;
  });

  it('finds the token in a multipart form', async () => {
    const form = new FormData();
    form.set('access-token', token);
    const res = await server.fetch('/auth/verify', { method: 'POST', body: form });
    expect(res.status).toBe(200);
  });

  it('Authorization wins over the access-token header', async () => {
    const res = await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${broken}`, 'access-token': token } });
    expect(res.body.code).toBe('10028');
  });

  it('a JSON body is not a form: its access-token field is ignored', async () => {
    const res = await call(server, 'POST', '/auth/verify', { json: { 'access-token': token } });
    expect(res.body.code).toBe('10025');
  });

  it('a non-Bearer Authorization scheme carries no token', async () => {
    const res = await call(server, 'GET', '/auth/me', { headers: { authorization: `Basic ${token}` } });
    expect(res.body.code).toBe('10025');
  });
});

describe('token lookup configuration', () => {
  it('sources and header names are configurable', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_TOKEN_SOURCES: 'header', DUOTOKEN_TOKEN_HEADERS: 'x-token' });
    try {
      const { access_token } = await loginPair(server);
      expect((await call(server, 'GET', '/auth/me', { headers: { 'x-token': access_token } })).status).toBe(200);
      expect((await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${access_token}` } })).body.code).toBe('10025');
      expect((await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(access_token)}`)).body.code).toBe('10025');
    } finally {
      await server.close();
    }
  });

  it('the source order is configurable: form before header', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_TOKEN_SOURCES: 'form,header' });
    try {
      const { access_token } = await loginPair(server);
      const res = await call(server, 'POST', '/auth/verify', {
        form: { 'access-token': access_token },
        headers: { authorization: 'Bearer bad.bad.bad' },
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('strict mode rejects a request carrying tokens in two places (RFC 6750 §2)', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_TOKEN_STRICT: 'on' });
    try {
      const { access_token } = await loginPair(server);
      const two = await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(access_token)}`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(two.status).toBe(400);
      expect(two.body.code).toBe('10001');
      expect((await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('tokens in URLs never reach the logs', () => {
  it('no log line holds an access token, refresh token or password after real requests', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_LOG_LEVEL: 'trace' });
    try {
      const password = ADMIN.password;
      const pair = await loginPair(server);
      await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(pair.access_token)}&page=2`);
      await call(server, 'GET', `/auth/verify?access_token=${encodeURIComponent(pair.access_token)}`);
      await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(pair.access_token)}x`);
      await call(server, 'GET', '/auth/refresh-token', { headers: { 'refresh-token': pair.refresh_token } });
      await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: `${password}-wrong` } });
      const text = server.logs.join('\n');
      expect(server.logs.some((l) => l.includes('"url":"/auth/me?access-token=[REDACTED]&page=2"'))).toBe(true);
      expect(text).not.toContain(pair.access_token.split('.')[2]);
      expect(text).not.toContain(pair.access_token.split('.')[1]);
      expect(text).not.toContain(pair.refresh_token);
      expect(text).not.toContain(password);
    } finally {
      await server.close();
    }
  });
});
