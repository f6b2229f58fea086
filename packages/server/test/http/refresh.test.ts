import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call, type Answer } from '@duotoken/test-kit/standard-client';

type PairAnswer = Answer<StandardTokenPair>;

describe('POST|GET /auth/refresh-token', () => {
  let server: TestServer;
  const login = async () =>
    (await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } })).body
      .data;
  const refresh = (token: string): Promise<PairAnswer> => call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: token } });
  const me = (access: string) => call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${access}` } });

  beforeAll(async () => {
    server = await startTestServer({
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_REFRESH_GRACE: '10s',
      DUOTOKEN_REFRESH_TTL: '1d',
      DUOTOKEN_SESSION_MAX_AGE: '2d',
    });
  });
  afterAll(() => server.close());

  it('signs the access tokens of logins and refreshes on the signing thread, not the event loop', async () => {
    const thread = server.runtime.services.signingThread!;
    const before = thread.counts();
    const pair = await login();
    expect((await refresh(pair.refresh_token)).status).toBe(200);
    const after = thread.counts();
    expect(after.onThread - before.onThread).toBe(2);
    expect(after.onCaller).toBe(before.onCaller);
  });

  it('rotates: a new pair in the same session, with no-store; the presented token is spent, its successor is the live one', async () => {
    const first = await login();
    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.data.refresh_token).not.toBe(first.refresh_token);
    expect(res.body.data.access_token).not.toBe(first.access_token);
    const a = await me(first.access_token);
    const b = await me(res.body.data.access_token);
    expect(b.status).toBe(200);
    expect((b.body.data as { session: { id: string } }).session.id).toBe((a.body.data as { session: { id: string } }).session.id);
    // The successor rotates in turn; past the grace window the first token buys nothing more.
    const next = await refresh(res.body.data.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.data.refresh_token).not.toBe(res.body.data.refresh_token);
    server.clock.advance(11);
    expect((await refresh(first.refresh_token)).body.code).toBe('10024');
  });

  it.each([
    ['Authorization: Bearer', (t: string) => ({ headers: { authorization: `Bearer ${t}` } }), 'POST'],
    ['header refresh-token', (t: string) => ({ headers: { 'refresh-token': t } }), 'POST'],
    ['body refresh_token', (t: string) => ({ json: { refresh_token: t } }), 'POST'],
    ['form refresh_token', (t: string) => ({ form: { refresh_token: t } }), 'POST'],
    ['GET with header refresh-token', (t: string) => ({ headers: { 'refresh-token': t } }), 'GET'],
  ])('takes the refresh token from %s', async (_name, where, method) => {
    const pair = await login();
    const res = await call<StandardTokenPair>(server, method, '/auth/refresh-token', where(pair.refresh_token));
    expect(res.status).toBe(200);
    expect(res.body.data.refresh_token).toMatch(/^[\w-]+\.[\w-]{43}$/);
    expect(res.body.data.refresh_token).not.toBe(pair.refresh_token);
    expect((await me(res.body.data.access_token)).status).toBe(200);
  });

  it('no refresh token, garbage, or a forged one is 10024', async () => {
    const pair = await login();
    const [jti] = pair.refresh_token.split('.');
    for (const token of [undefined, 'garbage', `${jti}.${'A'.repeat(43)}`, pair.refresh_token.slice(0, -1)]) {
      const res = token === undefined ? await call(server, 'POST', '/auth/refresh-token', { json: {} }) : await refresh(token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('10024');
    }
  });

  it('the database holds nothing that works as a refresh token (dump replay)', async () => {
    const pair = await login();
    const [jti] = pair.refresh_token.split('.') as [string];
    const { db } = server.runtime.services.store.opened;
    const stored = await db.selectFrom('refresh_tokens').selectAll().where('jti', '=', jti).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(pair.refresh_token);
    expect(JSON.stringify(stored)).not.toContain(pair.refresh_token.split('.')[1]);
    // Every stored value, alone and as the MAC half of `<jti>.<mac>`, plus a well-formed forgery.
    const values = Object.values(stored).map(String);
    const candidates = [...values, ...values.map((v) => `${stored.jti}.${v}`), `${stored.jti}.${'A'.repeat(43)}`];
    for (const candidate of candidates) {
      expect((await refresh(candidate)).body.code).toBe('10024');
    }
    expect((await refresh(pair.refresh_token)).status).toBe(200);
  });

  it('within the grace window a reused token returns the same successor and a fresh access token', async () => {
    const pair = await login();
    const first = await refresh(pair.refresh_token);
    server.clock.advance(9);
    const second = await refresh(pair.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.data.refresh_token).toBe(first.body.data.refresh_token);
    expect(second.body.data.access_token).not.toBe(pair.access_token);
    // The successor is still the one live token: it rotates normally.
    const third = await refresh(first.body.data.refresh_token);
    expect(third.status).toBe(200);
  });

  it('after the grace window a reused token revokes the whole session (10024), cutting off its access tokens', async () => {
    const pair = await login();
    const sessionId = ((await me(pair.access_token)).body.data as { session: { id: string } }).session.id;
    const rotated = await refresh(pair.refresh_token);
    server.clock.advance(11);
    const reuse = await refresh(pair.refresh_token);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('10024');
    // The legitimate holder's successor is dead too, and so is the outstanding access token.
    expect((await refresh(rotated.body.data.refresh_token)).body.code).toBe('10024');
    const access = await me(rotated.body.data.access_token);
    expect(access.status).toBe(401);
    expect(access.body.code).toBe('10028');
    const audit = await server.runtime.services.store.queryAuditEvents({ type: 'refresh.reuse_detected', sessionId, limit: 10 });
    expect(audit).toHaveLength(1);
  });

  it('an expired refresh token is 10024', async () => {
    const pair = await login();
    server.clock.advance(86400 + 1);
    expect((await refresh(pair.refresh_token)).body.code).toBe('10024');
  });

  it('refresh tokens never outlive the absolute session lifetime', async () => {
    const pair = await login();
    let token = pair.refresh_token;
    let last: StandardTokenPair | undefined;
    // Rotate every 20 h: each refresh token lives 1 d, the session 2 d.
    for (let i = 0; i < 2; i++) {
      server.clock.advance(20 * 3600);
      const res = await refresh(token);
      expect(res.status).toBe(200);
      last = res.body.data;
      token = last.refresh_token;
    }
    const sessionEnd = Math.floor(server.clock.now() / 1000) - 40 * 3600 + 2 * 86400;
    expect(last!.refresh_expires_at).toBe(sessionEnd);
    server.clock.advance(8 * 3600 + 1);
    expect((await refresh(token)).body.code).toBe('10024');
  });

  it('an access token is not a refresh token, and a refresh token is not an access token', async () => {
    const pair = await login();
    expect((await refresh(pair.access_token)).body.code).toBe('10024');
    const asAccess = await me(pair.refresh_token);
    expect(asAccess.status).toBe(401);
    expect(asAccess.body.code).toBe('10028');
  });

  it('a refresh token of a logged-out session is 10024', async () => {
    const pair = await login();
    const out = await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(out.status).toBe(200);
    expect((await refresh(pair.refresh_token)).body.code).toBe('10024');
  });

  it('a refresh token of a disabled user is 10024', async () => {
    const admin = server.runtime.services.admin;
    await admin.createUser({ account: 'dora', password: 'dora-password' }, { userId: null, ip: null });
    const pair = (await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account: 'dora', password: 'dora-password' } }))
      .body.data;
    await admin.setUserStatus('dora', 'disabled', { userId: null, ip: null });
    expect((await refresh(pair.refresh_token)).body.code).toBe('10024');
  });
});
