import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { call } from '@duotoken/test-kit/standard-client';

describe('system routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('healthz and readyz answer ok', async () => {
    expect(await (await server.fetch('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', ephemeral: 'ok' } });
  });

  it('readyz answers 503 when the store is gone', async () => {
    const other = await startTestServer();
    await other.runtime.services.store.close();
    const res = await other.fetch('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { store: 'store_unavailable' } });
    await other.runtime.app.close();
  });

  it('JWKS publishes the Ed25519 signing key with its kid, cacheable', async () => {
    const res = await server.fetch('/.well-known/jwks.json');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]!.kid).toBeTruthy();
    expect(keys[0]!.d).toBeUndefined();
  });

  it('a key rotation keeps the old key published until its tokens have expired', async () => {
    const ring = server.runtime.services.keyRing;
    const before = ring.jwks().keys.map((k) => k.kid);
    const kid = await ring.rotate();
    const after = ((await (await server.fetch('/.well-known/jwks.json')).json()) as { keys: Array<{ kid: string }> }).keys.map(
      (k) => k.kid,
    );
    expect(after).toEqual(expect.arrayContaining([...before, kid]));
    server.clock.advance(900 + 5 + 61);
    const later = ((await (await server.fetch('/.well-known/jwks.json')).json()) as { keys: Array<{ kid: string }> }).keys.map(
      (k) => k.kid,
    );
    expect(later).toEqual([kid]);
  });

  it('the OpenAPI document lists every standard route with its schemas, and /docs serves the UI', async () => {
    const doc = (await (await server.fetch('/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/auth/get_t',
      '/auth/captcha',
      '/auth/login',
      '/auth/refresh-token',
      '/auth/me',
      '/auth/change-company',
      '/auth/logout',
      '/auth/verify',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths['/auth/login']!.post).toHaveProperty('requestBody');
    const ui = await server.fetch('/docs/');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('an unknown route is 404 in the envelope', async () => {
    const res = await call(server, 'GET', '/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: '10044', data: null });
  });
});
