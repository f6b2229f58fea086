import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, loginOk, refresh, sidOf, startSecurityServer } from '../security/helpers/security-server.js';
import { call } from '@duotoken/test-kit/standard-client';

const DAY_S = 86_400;

/**
 * #13.2: the retention job deletes what no request can use any more, and
 * nothing that a request still could: a consumed refresh token stays until it
 * expires, so a late replay still trips reuse detection.
 */
describe('retention job (#13.2)', () => {
  let server: TestServer;
  const db = () => server.runtime.services.store.opened.db;
  const tokenRows = async (sessionId: string) =>
    (await db().selectFrom('refresh_tokens').select('jti').where('session_id', '=', sessionId).execute()).length;
  const pass = () => server.runtime.services.retention.runOnce();

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_REFRESH_TTL: '1d', DUOTOKEN_AUDIT_RETENTION: '7d' });
  });
  afterAll(() => server.close());

  it('#13.2 a consumed refresh token replayed after a retention pass, before it expires, still revokes the session (RFC 9700 §4.14.2)', async () => {
    const first = await loginOk(server, ADMIN.account, ADMIN.password);
    const rotated = await refresh(server, first.refresh_token);
    expect(rotated.status).toBe(200);
    server.clock.advance(3_600); // far past the grace window, well before the 1-day expiry
    await pass();
    const replay = await refresh(server, first.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('10024');
    // Reuse detected: the legitimate successor dies with the session.
    expect((await refresh(server, rotated.body.data.refresh_token)).status).toBe(401);
    const audit = await server.runtime.services.store.queryAuditEvents({ type: 'refresh.reuse_detected', limit: 10 });
    expect(audit.map((e) => e.session_id)).toContain(sidOf(first.access_token));
  });

  it('#13.2 an expired refresh token row goes (after the access-token window), then its ended session; a live session and its rows stay', async () => {
    const ended = await loginOk(server, ADMIN.account, ADMIN.password);
    const endedSid = sidOf(ended.access_token);
    await refresh(server, ended.refresh_token).then((r) => expect(r.status).toBe(200));
    expect((await call(server, 'POST', '/auth/logout', { headers: bearer(ended.access_token) })).status).toBe(200);

    server.clock.advance(DAY_S - 60); // the tokens are not expired yet
    await pass();
    expect(await tokenRows(endedSid)).toBe(2);
    expect(await server.runtime.services.store.findSession(endedSid)).toBeDefined();

    server.clock.advance(120); // expired, but within the access-token window (15 min + 5 s + 60 s): kept
    await pass();
    expect(await tokenRows(endedSid)).toBe(2);

    const live = await loginOk(server, ADMIN.account, ADMIN.password);
    server.clock.advance(20 * 60);
    const result = await pass();
    expect(await tokenRows(endedSid)).toBe(0);
    expect(await server.runtime.services.store.findSession(endedSid)).toBeUndefined();
    expect(result.deleted.sessions).toBeGreaterThanOrEqual(1);
    expect(await tokenRows(sidOf(live.access_token))).toBe(1);
    expect((await refresh(server, live.refresh_token)).status).toBe(200);
  });

  it('#13.2 audit events older than DUOTOKEN_AUDIT_RETENTION go; newer ones stay', async () => {
    const before = await server.runtime.services.store.queryAuditEvents({ type: 'login.success', limit: 100 });
    expect(before.length).toBeGreaterThan(0);
    server.clock.advance(7 * DAY_S + 1);
    await loginOk(server, ADMIN.account, ADMIN.password);
    const result = await pass();
    expect(result.deleted.audit_events).toBeGreaterThanOrEqual(before.length);
    const after = await server.runtime.services.store.queryAuditEvents({ type: 'login.success', limit: 100 });
    expect(after).toHaveLength(1);
    expect(after[0]!.at).toBe(server.clock.now());
  });
});
