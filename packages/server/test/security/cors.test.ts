import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '@duotoken/test-kit/echo-upstream';
import type { TestServer } from '../helpers/test-server.js';
import { startSecurityServer } from './helpers/security-server.js';
import { rawRequest, type WireAnswer } from './helpers/raw-request.js';

const PAGE = 'http://app.example:8080';
const ALL_DIALECTS = { DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm', DUOTOKEN_CORS_ORIGINS: PAGE };

/** A comma list header as a set of lower-cased items. */
const items = (value: string | string[] | undefined) =>
  new Set(
    String(value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

/** Every `access-control-*` header of an answer. */
const corsHeaders = (answer: WireAnswer) => Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

function preflight(server: TestServer, path: string, origin: string, method: string, requestHeaders?: string) {
  return rawRequest(server.url, 'OPTIONS', path, {
    headers: {
      origin,
      'access-control-request-method': method,
      ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}),
    },
  });
}

describe('CORS for browsers on other origins (#12.11, SPEC §10)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer(ALL_DIALECTS);
  });
  afterAll(() => server.close());

  it("#12.11 a listed origin's preflight gets 204 with the methods used, every mounted dialect's token headers, a Max-Age and never credentials", async () => {
    const cases: Array<[string, string, string]> = [
      ['/auth/login', 'POST', 'content-type, accept-language'],
      ['/auth/refresh-token', 'POST', 'refresh-token'],
      ['/auth/sessions/abc', 'DELETE', 'authorization'],
      ['/cms/user/refresh', 'GET', 'authorization'],
      // lin-cms-vue sends its captcha's tag in a header of its own.
      ['/cms/user/login', 'POST', 'tag, content-type'],
      ['/v1/auth/refresh_token', 'GET', 'x-mmm-refreshtoken'],
      ['/v1/auth/change_company', 'POST', 'x-mmm-accesstoken, x-mmm-refreshtoken, content-type'],
    ];
    for (const [path, method, requested] of cases) {
      const res = await preflight(server, path, PAGE, method, requested);
      expect(res.status, path).toBe(204);
      expect(res.headers['access-control-allow-origin'], path).toBe(PAGE);
      expect([...items(res.headers['access-control-allow-methods'])], path).toEqual(
        expect.arrayContaining(['GET', 'HEAD', 'POST', 'PUT', 'DELETE'].map((m) => m.toLowerCase())),
      );
      const allowed = items(res.headers['access-control-allow-headers']);
      for (const header of [
        'authorization',
        'access-token',
        'refresh-token',
        'x-mmm-accesstoken',
        'x-mmm-refreshtoken',
        'content-type',
        'accept-language',
        'tag',
      ])
        expect(allowed.has(header), `${path} ${header}`).toBe(true);
      expect(Number(res.headers['access-control-max-age']), path).toBeGreaterThan(0);
      expect(res.headers['access-control-allow-credentials'], path).toBeUndefined();
      expect(items(res.headers.vary).has('origin'), path).toBe(true);
    }
  });

  it('#12.11 every answer to a listed origin, errors and 404 included, exposes Date, Retry-After and x-request-id', async () => {
    const answers = [
      await rawRequest(server.url, 'GET', '/auth/me', { headers: { origin: PAGE } }),
      await rawRequest(server.url, 'GET', '/cms/user/information', { headers: { origin: PAGE } }),
      await rawRequest(server.url, 'GET', '/healthz', { headers: { origin: PAGE } }),
      await rawRequest(server.url, 'GET', '/no/such/route', { headers: { origin: PAGE } }),
      await rawRequest(server.url, 'POST', '/auth/login', {
        headers: { origin: PAGE, 'content-type': 'application/json' },
        body: JSON.stringify({ account: 'nobody', password: 'wrong-password' }),
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 200, 404, 401]);
    for (const res of answers) {
      expect(res.headers['access-control-allow-origin']).toBe(PAGE);
      expect(items(res.headers['access-control-expose-headers'])).toEqual(new Set(['date', 'retry-after', 'x-request-id']));
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('#12.11 an unlisted origin gets no CORS header on any answer, and its preflight is refused', async () => {
    const strangers = [
      'http://evil.example',
      'http://app.example:8080.evil.example',
      'http://app.example',
      'https://app.example:8080',
      `${PAGE}/`,
      'null',
    ];
    for (const origin of strangers) {
      const res = await preflight(server, '/auth/login', origin, 'POST', 'content-type');
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.text).code, origin).toBe('10030');
      expect(corsHeaders(res), origin).toEqual([]);
      const plain = await rawRequest(server.url, 'GET', '/healthz', { headers: { origin } });
      expect(plain.status, origin).toBe(200);
      expect(corsHeaders(plain), origin).toEqual([]);
    }
  });

  it('#12.11 an origin that is not an exact origin (a wildcard, a path, another scheme) stops start-up naming DUOTOKEN_CORS_ORIGINS', async () => {
    const { parseConfig } = await import('../../src/config/parse-config.js');
    for (const bad of ['*', 'null', 'http://a.example/app', 'ftp://a.example', 'http://*.example', 'a.example', 'http://u:p@a.example'])
      expect(() => parseConfig({ DUOTOKEN_CORS_ORIGINS: bad }), bad).toThrow(/DUOTOKEN_CORS_ORIGINS/);
    expect(parseConfig({ DUOTOKEN_CORS_ORIGINS: 'https://App.Example:443/, http://localhost:5173' }).corsOrigins).toEqual([
      'https://app.example',
      'http://localhost:5173',
    ]);
  });
});

describe('CORS off and CORS in gateway mode (#12.11, SPEC §10)', () => {
  it('#12.11 with DUOTOKEN_CORS_ORIGINS empty (the default) no answer carries a CORS header at all', async () => {
    const server = await startSecurityServer({ DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm' });
    try {
      const answers = [
        await preflight(server, '/auth/login', PAGE, 'POST', 'content-type'),
        await rawRequest(server.url, 'GET', '/auth/me', { headers: { origin: PAGE } }),
        await rawRequest(server.url, 'GET', '/healthz', { headers: { origin: PAGE } }),
      ];
      for (const res of answers) expect(corsHeaders(res)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  describe('with an upstream', () => {
    let upstream: EchoUpstream;
    let server: TestServer;
    beforeAll(async () => {
      upstream = await startEchoUpstream();
      server = await startSecurityServer({ ...ALL_DIALECTS, DUOTOKEN_UPSTREAM: upstream.url });
    });
    afterAll(async () => {
      await server?.close();
      await upstream?.close();
    });

    it("#12.11 duotoken answers a listed origin's preflight for a proxied route itself, and the gateway's 401 is readable by the page", async () => {
      const before = upstream.seen.length;
      const res = await preflight(server, '/orders/7', PAGE, 'PATCH', 'authorization, content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(PAGE);
      expect(items(res.headers['access-control-allow-methods']).has('patch')).toBe(true);
      const refused = await rawRequest(server.url, 'GET', '/orders/7', { headers: { origin: PAGE } });
      expect([refused.status, JSON.parse(refused.text).code]).toEqual([401, '10025']);
      expect(refused.headers['access-control-allow-origin']).toBe(PAGE);
      const stranger = await preflight(server, '/orders/7', 'http://evil.example', 'PATCH');
      expect(stranger.status).toBe(403);
      expect(upstream.seen.length).toBe(before);
    });
  });
});
