import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream, type SeenRequest } from '@duotoken/test-kit/echo-upstream';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, loginOk, startSecurityServer } from './helpers/security-server.js';
import { rawRequest, type WireAnswer } from './helpers/raw-request.js';

/** A header name as a CGI/WSGI upstream reads it: `X_Auth_Roles` and `x-auth-roles` are both `HTTP_X_AUTH_ROLES`. */
const asCgi = (name: string) => name.toLowerCase().replace(/_/g, '-');

const seenOf = (answer: WireAnswer) => JSON.parse(answer.text) as SeenRequest;

/** Header names the upstream received that read as `name` once `_` is read as `-`. */
const namesReadingAs = (seen: SeenRequest, test: (cgiName: string) => boolean) => Object.keys(seen.headers).filter((n) => test(asCgi(n)));

describe('gateway: what a client cannot smuggle to the upstream (#12.8)', () => {
  let upstream: EchoUpstream;
  let server: TestServer;
  let pair: StandardTokenPair;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    server = await startSecurityServer({ DUOTOKEN_UPSTREAM: upstream.url, DUOTOKEN_RATE_LIMITS: 'off' });
    pair = await loginOk(server, ADMIN.account, ADMIN.password);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('#12.8 no client header that reads as x-auth-*, x-forwarded-* or a refresh token once _ is read as - reaches the upstream (X_Auth_Roles, CWE-444)', async () => {
    const res = await rawRequest(server.url, 'GET', '/orders', {
      headers: {
        ...bearer(pair.access_token),
        X_Auth_Roles: 'spoofed-role',
        x_auth_user_id: '1',
        'X-Auth_Session-Id': 'someone-else',
        X_Forwarded_For: '6.6.6.6',
        x_forwarded_host: 'evil.example',
        Refresh_Token: pair.refresh_token,
        x_mmm_refreshtoken: pair.refresh_token,
      },
    });
    expect(res.status).toBe(200);
    const seen = seenOf(res);
    // Exactly the gateway's own identity headers, spelled as it spells them, with the verified values.
    expect(namesReadingAs(seen, (n) => n.startsWith('x-auth-')).sort()).toEqual([
      'x-auth-amr',
      'x-auth-auth-time',
      'x-auth-company-id',
      'x-auth-roles',
      'x-auth-session-id',
      'x-auth-user-id',
    ]);
    expect(seen.headers['x-auth-roles']).not.toContain('spoofed-role');
    expect(namesReadingAs(seen, (n) => n.startsWith('x-forwarded-')).sort()).toEqual([
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
    ]);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(namesReadingAs(seen, (n) => n === 'refresh-token' || n === 'x-mmm-refreshtoken')).toEqual([]);
  });

  it('#12.8 X-Original-URI and X-Forwarded-Uri carry no token into a proxied or protected route, and never reach the upstream', async () => {
    const before = upstream.seen.length;
    const original = { 'x-original-uri': `/orders?access-token=${pair.access_token}` };
    const proxied = await rawRequest(server.url, 'GET', '/orders', { headers: original });
    expect([proxied.status, JSON.parse(proxied.text).code]).toEqual([401, '10025']);
    const traefik = await rawRequest(server.url, 'GET', '/orders', {
      headers: { 'x-forwarded-uri': `/orders?access_token=${pair.access_token}` },
    });
    expect([traefik.status, JSON.parse(traefik.text).code]).toEqual([401, '10025']);
    expect(upstream.seen.length).toBe(before);
    const own = await rawRequest(server.url, 'GET', '/auth/me', { headers: original });
    expect([own.status, JSON.parse(own.text).code]).toEqual([401, '10025']);
    // Forward-auth is where the original URL belongs: there it still counts.
    expect((await rawRequest(server.url, 'GET', '/auth/verify', { headers: original })).status).toBe(200);

    const forwarded = await rawRequest(server.url, 'GET', '/orders', {
      headers: { ...bearer(pair.access_token), ...original, 'X-Forwarded-Uri': '/admin', X_Original_URI: '/admin' },
    });
    expect(forwarded.status).toBe(200);
    expect(namesReadingAs(seenOf(forwarded), (n) => n === 'x-original-uri' || n === 'x-forwarded-uri')).toEqual([]);
  });

  it('#12.8 only a genuine CORS preflight (Origin and Access-Control-Request-Method, no body) passes the gateway without a token', async () => {
    const before = upstream.seen.length;
    const preflight = { origin: 'https://app.example', 'access-control-request-method': 'DELETE' };
    const notPreflights = [
      {},
      { origin: 'https://app.example' },
      { 'access-control-request-method': 'DELETE' },
      { ...preflight, 'content-type': 'application/json', 'content-length': '11' },
      { ...preflight, 'transfer-encoding': 'chunked' },
    ];
    for (const headers of notPreflights) {
      const body = 'content-length' in headers || 'transfer-encoding' in headers ? '{"qty":100}' : undefined;
      const res = await rawRequest(server.url, 'OPTIONS', '/orders/7', { headers, body });
      expect([res.status, JSON.parse(res.text).code], JSON.stringify(headers)).toEqual([401, '10025']);
    }
    expect(upstream.seen.length).toBe(before);

    const genuine = await rawRequest(server.url, 'OPTIONS', '/orders/7', { headers: preflight });
    expect(genuine.status).toBe(200);
    expect(seenOf(genuine)).toMatchObject({ method: 'OPTIONS', url: '/orders/7' });
    expect(namesReadingAs(seenOf(genuine), (n) => n.startsWith('x-auth-'))).toEqual([]);
  });
});
