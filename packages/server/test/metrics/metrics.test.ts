import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** The value of one sample in Prometheus text, matching every given label; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics on the main port (DUOTOKEN_METRICS_TOKEN)', () => {
  let server: TestServer;
  const scrape = async () => {
    const res = await server.fetch('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  const login = (password: string) =>
    call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password } });
  const refresh = (token: string) => call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', { json: { refresh_token: token } });

  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_METRICS_TOKEN: METRICS_TOKEN, DUOTOKEN_REFRESH_GRACE: '10s' });
  });
  afterAll(() => server.close());

  it('is refused without the token (10025) and with a wrong one (10028)', async () => {
    const missing = await call(server, 'GET', '/metrics');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('10025');
    const wrong = await call(server, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('10028');
    const otherScheme = await call(server, 'GET', '/metrics', { headers: { authorization: `Basic ${METRICS_TOKEN}` } });
    expect(otherScheme.status).toBe(401);
    expect(otherScheme.body.code).toBe('10025');
  });

  it('counts logins by outcome, requests per route pattern, and active sessions', async () => {
    // Past the 10 s for which a scraped active-session count is reused: `before` counts afresh.
    server.clock.advance(11);
    const before = await scrape();
    expect((await login(ADMIN.password)).status).toBe(200);
    expect((await login('wrong password')).status).toBe(401);
    const pair = (await login(ADMIN.password)).body.data;
    const session = await call(server, 'DELETE', `/auth/sessions/no-such-session`, {
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    expect([session.status, session.body.code]).toEqual([404, '10044']);
    // The active-session count is reused for 10 s between scrapes.
    server.clock.advance(11);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('duotoken_logins_total', { outcome: 'success' })).toBe(2);
    expect(delta('duotoken_logins_total', { outcome: 'bad_credentials' })).toBe(1);
    expect(delta('duotoken_http_requests_total', { method: 'POST', route: '/auth/login', status: '200' })).toBe(2);
    expect(delta('duotoken_http_request_duration_seconds_count', { method: 'POST', route: '/auth/login' })).toBe(3);
    expect(delta('duotoken_audit_events_total', { type: 'login.failure' })).toBe(1);
    // The route pattern is the label, never the raw URL with its id.
    expect(delta('duotoken_http_requests_total', { method: 'DELETE', route: '/auth/sessions/:id', status: String(session.status) })).toBe(
      1,
    );
    expect(after).not.toContain('no-such-session');
    expect(delta('duotoken_active_sessions', {})).toBe(2);
    // The key's age follows the (fake) clock: 11 s passed between the scrapes.
    expect(delta('duotoken_signing_key_age_seconds', {})).toBe(11);
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts refreshes, grace-window hits and reuse detections', async () => {
    const before = await scrape();
    const pair = (await login(ADMIN.password)).body.data;
    const rotated = await refresh(pair.refresh_token);
    expect(rotated.status).toBe(200);
    expect((await refresh(pair.refresh_token)).status).toBe(200); // inside the grace window
    server.clock.advance(11);
    const reused = await refresh(pair.refresh_token);
    expect(reused.status).toBe(401);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('duotoken_refreshes_total', { outcome: 'success' })).toBe(2);
    expect(delta('duotoken_refreshes_total', { outcome: 'refresh_token_invalid' })).toBe(1);
    expect(delta('duotoken_refresh_grace_hits_total')).toBe(1);
    expect(delta('duotoken_refresh_reuse_detected_total')).toBe(1);
  });

  it('counts lockouts from the audit log', async () => {
    const locking = await startTestServer({
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_METRICS_TOKEN: METRICS_TOKEN,
      DUOTOKEN_LOCKOUT_THRESHOLD: '2',
    });
    try {
      for (let i = 0; i < 3; i++) await call(locking, 'POST', '/auth/login', { json: { account: 'nobody', password: 'wrong password' } });
      const res = await locking.fetch('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      // The second failure locks the account; the third is refused while locked and locks nothing more.
      expect(sample(await res.text(), 'duotoken_lockouts_total', { kind: 'timed' })).toBe(1);
    } finally {
      await locking.close();
    }
  });

  it('store state and retention batches (#13.1, #13.2): duotoken_store_up, rows deleted and time per batch by table', async () => {
    const before = await scrape();
    expect(sample(before, 'duotoken_store_up')).toBe(1);
    const pair = (await login(ADMIN.password)).body.data;
    await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${pair.access_token}` } });
    server.clock.advance(40 * 86_400); // past the refresh tokens' 30-day expiry and the access-token window
    const db = server.runtime.services.store.opened.db;
    const rows = async (table: 'refresh_tokens' | 'sessions') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const held = { refresh_tokens: await rows('refresh_tokens'), sessions: await rows('sessions') };
    await server.runtime.services.retention.runOnce();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    for (const table of ['refresh_tokens', 'sessions'] as const) {
      const deleted = held[table] - (await rows(table));
      expect(deleted, table).toBeGreaterThanOrEqual(1);
      expect(delta('duotoken_retention_deleted_rows_total', { table }), table).toBe(deleted);
      expect(delta('duotoken_retention_batch_seconds_count', { table }), table).toBeGreaterThanOrEqual(1);
    }
    expect(delta('duotoken_retention_batch_seconds_sum', { table: 'sessions' })).toBeGreaterThan(0);
  });

  it('access log lines carry a request id and no token', async () => {
    const pair = (await login(ADMIN.password)).body.data;
    const from = server.logs.length;
    expect((await server.fetch(`/auth/me?access-token=${pair.access_token}`)).status).toBe(200);
    expect((await refresh(pair.refresh_token)).status).toBe(200);
    const lines = server.logs.slice(from).map((l) => JSON.parse(l) as { reqId?: string; req?: { url?: string } });
    const me = lines.find((l) => l.req?.url?.startsWith('/auth/me'));
    expect(me?.reqId, 'the /auth/me request is logged with its id').toEqual(expect.any(String));
    expect(lines.filter((l) => l.req?.url === '/auth/refresh-token')).toHaveLength(1);
    for (const line of server.logs) {
      expect(line).not.toContain(pair.access_token);
      expect(line).not.toContain(pair.refresh_token);
      expect(line).not.toContain(METRICS_TOKEN);
    }
  });
});

describe('metrics endpoints off and on a separate listener', () => {
  it('without DUOTOKEN_METRICS_TOKEN the main port serves no /metrics', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
    try {
      const res = await server.fetch('/metrics');
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    } finally {
      await server.close();
    }
  });

  it('DUOTOKEN_METRICS_PORT serves /metrics on its own listener only', async () => {
    const server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_METRICS_PORT: '0' });
    try {
      const address = server.runtime.app.metrics.listenerAddress;
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } });
      const res = await fetch(`${address}/metrics`);
      expect(res.status).toBe(200);
      expect(sample(await res.text(), 'duotoken_logins_total', { outcome: 'success' })).toBe(1);
      const elsewhere = await fetch(`${address}/auth/me`);
      expect(elsewhere.status).toBe(404);
      await elsewhere.arrayBuffer();
      const main = await server.fetch('/metrics');
      expect(main.status).toBe(404);
      await main.arrayBuffer();
    } finally {
      await server.close();
    }
  });
});
