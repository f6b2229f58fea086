import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RevocationLog } from '../../server/src/revocations/revocation-log.js';
import { SessionFence } from '../../server/src/sessions/session-fence.js';
import type { FencedSession } from '../../server/src/store/sessions-repo.js';
import type { Store } from '../../server/src/store/store.js';
import { FakeClock } from '../../server/test/helpers/fake-clock.js';
import { ConfigError, parseConfig } from '../../server/src/index.js';
import { call } from '../../server/test/helpers/standard-client.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/test-server.js';
import { createMember, login, startDuotoken, VERIFIER_TOKEN, type Member } from './helpers/duotoken.js';

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

describe('RevocationLog (server side of the feed)', () => {
  it('re-reads the store before answering when nobody kept it in step, and stops vouching when it cannot', async () => {
    const clock = new FakeClock();
    const rows: FencedSession[] = [];
    let storeDown = false;
    const store = {
      listFencedSince: async () => {
        if (storeDown) throw new Error('store down');
        return rows;
      },
    } as unknown as Store;
    const log = new RevocationLog({ store, fence: new SessionFence(clock, 60_000), clock, logger: pino({ level: 'silent' }) }, 60_000);
    await log.start();
    const realNow = Date.now();
    const later = vi.spyOn(Date, 'now').mockReturnValue(realNow + 60_000);
    try {
      rows.push({ id: 's-elsewhere', version: 3, revoked: false, fencedAt: clock.now() });
      expect(log.isHealthy()).toBe(false);
      expect(await log.ensureFresh()).toBe(true);
      expect(log.since(undefined).entries).toEqual([{ sid: 's-elsewhere', version: 3, revoked: false, at: clock.now() }]);
      later.mockReturnValue(realNow + 120_000);
      storeDown = true;
      expect(await log.ensureFresh()).toBe(false);
    } finally {
      later.mockRestore();
      log.close();
    }
  });
});
