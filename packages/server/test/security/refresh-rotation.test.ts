import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { loginOk, me, refresh, SETUP, sidOf, startSecurityServer } from './helpers/security-server.js';

const GRACE = 10;

/**
 * Refresh-token rotation under races and replay (RFC 9700 §4.14.2 refresh
 * token rotation with reuse detection; OWASP ASVS 5.0 V10.4 / V7; Auth0 and
 * Supabase "refresh token reuse detection").
 */
describe('refresh rotation, grace window and reuse detection', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_REFRESH_GRACE: `${GRACE}s` });
    await server.runtime.services.admin.createUser({ account: 'racer', password: 'racer-password' }, SETUP);
  });
  afterAll(() => server.close());

  const liveRefreshTokens = (sid: string) => server.runtime.services.store.countLiveRefreshTokens(sid, server.clock.now());

  it('50 concurrent refreshes of one token: no 5xx, one successor string, exactly one live refresh token (RFC 9700 §4.14.2)', async () => {
    const pair = await loginOk(server, 'racer', 'racer-password');
    const answers = await Promise.all(Array.from({ length: 50 }, () => refresh(server, pair.refresh_token)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const successors = new Set(answers.map((a) => a.body.data.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    expect(successor).not.toBe(pair.refresh_token);
    expect(await liveRefreshTokens(sidOf(pair.access_token))).toBe(1);
    // 49 grace answers of the one unused successor: none of them is reuse (#12.2's rule keeps honest races alive).
    const events = await server.runtime.services.store.queryAuditEvents({ sessionId: sidOf(pair.access_token), limit: 50 });
    expect(events.map((e) => e.type)).toEqual(['login.success']);
    // Every access token handed out works, and the one successor still rotates.
    for (const a of answers.slice(0, 5)) expect((await me(server, a.body.data.access_token)).status).toBe(200);
    expect((await refresh(server, successor)).status).toBe(200);
  });

  it(`a reuse at the last instant of the ${GRACE} s grace window gets the same successor; 1 ms later the session is revoked`, async () => {
    const pair = await loginOk(server, 'racer', 'racer-password');
    const first = await refresh(server, pair.refresh_token);
    const successor = first.body.data.refresh_token;

    server.clock.advance(GRACE);
    const retry = await refresh(server, pair.refresh_token);
    expect(retry.status).toBe(200);
    expect(retry.body.data.refresh_token).toBe(successor);
    expect(await liveRefreshTokens(sidOf(pair.access_token))).toBe(1);

    server.clock.advance(0.001);
    const reuse = await refresh(server, pair.refresh_token);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('10024');
    // The whole family is dead: the legitimate successor and every access token of the session.
    expect((await refresh(server, successor)).body.code).toBe('10024');
    expect((await me(server, retry.body.data.access_token)).body.code).toBe('10028');
    const session = await server.runtime.services.store.findSession(sidOf(pair.access_token));
    expect(session?.revoke_reason).toBe('refresh_reuse');
    const audit = await server.runtime.services.store.queryAuditEvents({
      type: 'refresh.reuse_detected',
      sessionId: sidOf(pair.access_token),
      limit: 5,
    });
    expect(audit).toHaveLength(1);
  });

  it('a reuse long after rotation, by an attacker holding a stolen token, kills the victim session too', async () => {
    const pair = await loginOk(server, 'racer', 'racer-password');
    const victim = await refresh(server, pair.refresh_token);
    server.clock.advance(3600);
    expect((await refresh(server, pair.refresh_token)).body.code).toBe('10024');
    const sessions = await call(server, 'GET', '/auth/sessions', { headers: { authorization: `Bearer ${victim.body.data.access_token}` } });
    expect(sessions.body.code).toBe('10028');
  });

  it('#12.2 within the grace window a consumed token answers only its own unused successor: a thief replaying R1 after the victim used R2 revokes the session, never reaches R3 (RFC 9700 §4.14.2)', async () => {
    const victim = await loginOk(server, 'racer', 'racer-password');
    const sid = sidOf(victim.access_token);
    const stolen = victim.refresh_token;
    const r2 = (await refresh(server, stolen)).body.data;
    // A replay of R1 while R2 is unused is indistinguishable from a lost answer retried: R2, the same string.
    server.clock.advance(1);
    const retried = await refresh(server, stolen);
    expect(retried.status).toBe(200);
    expect(retried.body.data.refresh_token).toBe(r2.refresh_token);

    server.clock.advance(1);
    const r3 = (await refresh(server, r2.refresh_token)).body.data;
    server.clock.advance(1);
    // R1 is two generations back, well inside the window: reuse, whoever presents it.
    const replay = await refresh(server, stolen);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('10024');
    expect(JSON.stringify(replay.body)).not.toContain(r3.refresh_token);
    for (let i = 0; i < 20; i++) expect((await refresh(server, stolen)).status).toBe(401);
    // The family is dead: the victim's R3, its access token, and the audit trail says why.
    expect((await refresh(server, r3.refresh_token)).body.code).toBe('10024');
    expect((await me(server, r3.access_token)).body.code).toBe('10028');
    expect((await server.runtime.services.store.findSession(sid))?.revoke_reason).toBe('refresh_reuse');
    const events = await server.runtime.services.store.queryAuditEvents({ sessionId: sid, limit: 50 });
    // Every replay is a detection; the first one ended the session.
    expect(events.filter((e) => e.type === 'refresh.reuse_detected')).toHaveLength(21);
    expect(events.filter((e) => e.type === 'session.revoked').map((e) => JSON.parse(e.details))).toEqual([
      expect.objectContaining({ reason: 'refresh_reuse', sessions: [sid] }),
    ]);
  });
});
