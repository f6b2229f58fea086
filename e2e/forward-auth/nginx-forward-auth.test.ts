import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  loginStandard,
  ADMIN,
  startTestServer,
  type TestServer,
  startEchoUpstream,
  type EchoUpstream,
  type SeenRequest,
  freePort,
  waitForPort,
} from '@duotoken/test-kit';
import { nginxConfig } from './nginx-config.js';

const nginxBinary = [...(process.env.PATH ?? '').split(':'), '/usr/sbin'].map((d) => join(d, 'nginx')).find((p) => existsSync(p));
if (!nginxBinary) console.warn('forward-auth e2e skipped: nginx is not installed (apt-get install nginx-light)');

describe.skipIf(!nginxBinary)('forward-auth: nginx auth_request in front of an app, checked by GET /auth/verify', () => {
  let server: TestServer;
  let upstream: EchoUpstream;
  let nginx: ChildProcess;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    upstream = await startEchoUpstream();
    dir = mkdtempSync(join(tmpdir(), 'duotoken-nginx-'));
    const listenPort = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      nginxConfig({
        dir,
        listenPort,
        duotokenPort: Number(new URL(server.url).port),
        upstreamPort: Number(new URL(upstream.url).port),
        asRoot: process.getuid?.() === 0,
      }),
    );
    nginx = spawn(nginxBinary!, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await waitForPort(listenPort, nginx);
    base = `http://127.0.0.1:${listenPort}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    await upstream?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function through(path: string, init: RequestInit = {}): Promise<{ status: number; seen?: SeenRequest }> {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    return { status: res.status, seen: res.status === 200 ? (JSON.parse(text) as SeenRequest) : undefined };
  }

  it('refuses a request without a valid token before it reaches the app', async () => {
    const before = upstream.seen.length;
    expect((await through('/orders')).status).toBe(401);
    expect((await through('/orders', { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
    expect(upstream.seen.length).toBe(before);
  });

  it('passes a verified request with the identity headers duotoken answered, replacing spoofed ones', async () => {
    const pair = await loginStandard(server, ADMIN.account, ADMIN.password);
    const me = await call<{ user: { id: number }; session: { id: string } }>(server, 'GET', '/auth/me', {
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    const res = await through('/orders/1', {
      method: 'PUT',
      headers: { authorization: `Bearer ${pair.access_token}`, 'x-auth-user-id': '999', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(res.seen).toMatchObject({ method: 'PUT', body: '{"a":1}' });
    expect(res.seen!.headers).toMatchObject({
      'x-auth-user-id': String(me.body.data.user.id),
      'x-auth-session-id': me.body.data.session.id,
    });
  });

  it('reads a token from the original URL (X-Original-URI) and keeps it out of the access log', async () => {
    const pair = await loginStandard(server, ADMIN.account, ADMIN.password);
    expect((await through(`/files?name=a&access-token=${pair.access_token}`)).status).toBe(200);
    expect(readFileSync(join(dir, 'access.log'), 'utf8')).not.toContain(pair.access_token);
  });

  it('refuses the token of a revoked session at once', async () => {
    const pair = await loginStandard(server, ADMIN.account, ADMIN.password);
    const headers = { authorization: `Bearer ${pair.access_token}` };
    expect((await through('/orders', { headers })).status).toBe(200);
    await call(server, 'POST', '/auth/logout', { headers });
    expect((await through('/orders', { headers })).status).toBe(401);
  });
});
