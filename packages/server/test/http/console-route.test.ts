import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerConsoleRoute } from '../../src/http/console-route.js';

describe('serving the web console at /console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duotoken-console-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 404 with how to build it when the console build is missing', async () => {
    const app = Fastify();
    await registerConsoleRoute(app, { root: join(dir, 'missing') });
    for (const url of ['/console', '/console/', '/console/assets/x.js']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('npm run build');
    }
    await app.close();
  });

  it('serves index.html with a strict CSP, redirects /console, and caches hashed assets', async () => {
    mkdirSync(join(dir, 'dist/assets'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dir, 'dist/assets/index-abc.js'), 'console.log(1)');
    const app = Fastify();
    await registerConsoleRoute(app, { root: join(dir, 'dist') });

    expect((await app.inject('/console')).headers.location).toBe('/console/');
    const index = await app.inject('/console/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = await app.inject('/console/assets/index-abc.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/console/nope.js')).statusCode).toBe(404);
    await app.close();
  });
});
