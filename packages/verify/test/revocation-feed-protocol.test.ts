import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, parseConfig, type Store } from '@duotoken/server';
import { call, startTestServer, switchable, type TestServer } from '@duotoken/test-kit';
import { createMember, eventually, login, startDuotoken, VERIFIER_TOKEN, type Member } from './helpers/duotoken.js';

interface Batch {
  cursor: string;
  entries: Array<{ sid: string; version: number; revoked: boolean; at: number }>;
  retention_ms: number;
}

const auth = { authorization: `Bearer ${VERIFIER_TOKEN}` };

async function poll(server: TestServer, query = ''): Promise<{ status: number; body: { code: string; data: Batch } }> {
  const res = await server.fetch(`/auth/revocations${query}`, { headers: { ...auth, accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as { code: string; data: Batch } };
}

async function logout(server: TestServer, accessToken: string): Promise<string> {
  const me = await call<{ session: { id: string } }>(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${accessToken}` } });
  await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${accessToken}` } });
  return me.body.data.session.id;
}

describe('GET /auth/revocations (the feed protocol)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-feed-'));
  let server: TestServer;
  let member: Member;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_VERIFIER_TOKENS: VERIFIER_TOKEN, DUOTOKEN_RATE_LIMITS: 'off' }, { dataDir });
    member = await createMember(server, ['admin']);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses callers without a verifier token (10025) or with a wrong one (10028)', async () => {
    const none = await call(server, 'GET', '/auth/revocations');
    expect({ status: none.status, code: none.body.code }).toEqual({ status: 401, code: '10025' });
    const wrong = await call(server, 'GET', '/auth/revocations', { headers: { authorization: `Bearer ${'x'.repeat(40)}` } });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 401, code: '10028' });
    const pair = await login(server, member);
    const userToken = await call(server, 'GET', '/auth/revocations', { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(userToken.status).toBe(401);
  });

  it('answers a long-poll with the revocations after the cursor, waking up on a change', async () => {
    const first = await poll(server);
    expect(first.status).toBe(200);
    const waiting = poll(server, `?since=${first.body.data.cursor}&wait=20`);
    const sid = await logout(server, (await login(server, member)).access_token);
    const woken = await waiting;
    expect(woken.body.data.entries).toEqual([expect.objectContaining({ sid, revoked: true })]);
    const idle = await poll(server, `?since=${woken.body.data.cursor}`);
    expect(idle.body.data.entries).toEqual([]);
    const foreign = await poll(server, '?since=another-instance.7');
    expect(foreign.body.data.entries.map((e) => e.sid)).toContain(sid);
  });

  it('streams server-sent events: the snapshot first, then each change', async () => {
    const controller = new AbortController();
    const res = await server.fetch('/auth/revocations', { headers: { ...auth, accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(text); i++) text += decoder.decode((await reader.read()).value, { stream: true });
      expect(text).toMatch(pattern);
    };
    await readUntil(/event: revocations\ndata: .*\n\n/);
    expect(text.startsWith('retry: 1000\n\n')).toBe(true);
    const sid = await logout(server, (await login(server, member)).access_token);
    await readUntil(new RegExp(`"sid":"${sid}"`));
    controller.abort();
  });

  it('publishes revocations made before a restart (start-up snapshot)', async () => {
    const sid = await logout(server, (await login(server, member)).access_token);
    await server.close();
    server = await startTestServer({ DUOTOKEN_VERIFIER_TOKENS: VERIFIER_TOKEN }, { dataDir, clock: server.clock });
    const snapshot = await poll(server);
    expect(snapshot.body.data.entries).toEqual(expect.arrayContaining([expect.objectContaining({ sid, revoked: true })]));
    expect(snapshot.body.data.retention_ms).toBeGreaterThan(server.runtime.config.accessTtl * 1000);
  });
});

describe('DUOTOKEN_VERIFIER_TOKENS', () => {
  it('refuses tokens shorter than 32 characters, naming the setting', () => {
    expect(() => parseConfig({ DUOTOKEN_VERIFIER_TOKENS: `${'a'.repeat(40)},short` })).toThrow(ConfigError);
    expect(() => parseConfig({ DUOTOKEN_VERIFIER_TOKENS: 'short' })).toThrow(/DUOTOKEN_VERIFIER_TOKENS/);
    expect(parseConfig({ DUOTOKEN_VERIFIER_TOKENS: ` ${'A'.repeat(32)} ` }).verifierTokens).toEqual(['A'.repeat(32)]);
  });

  it('leaves the feed unmounted when unset', async () => {
    const server = await startDuotoken({ DUOTOKEN_VERIFIER_TOKENS: '' });
    try {
      expect((await call(server, 'GET', '/auth/revocations', { headers: auth })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('the feed vouches for itself only while the server can', () => {
  it('answers 503 (10051) while the server cannot read revocations from its store, and serves again, with what was revoked meanwhile, once it can', async () => {
    let real: Store | undefined;
    let state = { down: false };
    const server = await startDuotoken({}, undefined, (store) => {
      real = store;
      const failing = switchable(store, () => new AuthError('STORE_UNAVAILABLE'));
      state = failing.state;
      return failing.wrapped;
    });
    try {
      const member = await createMember(server, ['admin']);
      const victim = await login(server, member);
      expect((await poll(server)).status).toBe(200);
      state.down = true;
      // Revoked by another process while this server cannot read its store.
      const sid = (JSON.parse(Buffer.from(victim.access_token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
      await real!.revokeSessions({ id: sid }, 'elsewhere', server.clock.now());
      await eventually(async () => {
        const res = await poll(server);
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: '10051' });
      }, 2_000);
      state.down = false;
      await eventually(async () => {
        const res = await poll(server);
        expect(res.status).toBe(200);
        expect(res.body.data.entries).toEqual(expect.arrayContaining([expect.objectContaining({ sid, revoked: true })]));
      }, 2_000);
    } finally {
      state.down = false;
      await server.close();
    }
  });
});
