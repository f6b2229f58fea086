import type { MmmTokenPair, StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse-config.js';
import { call, captchaAnswer, loginStandard } from '@duotoken/test-kit/standard-client';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { ALL_DIALECTS, bearer, claimsOf, createUser, linCmsLogin } from './dialect-fixtures.js';
import { send } from '@duotoken/test-kit/send';

/** Several dialects in one server: the shared login route, one session model, mounting rules. */

const BOTH = { account: 'carol', password: 'carol multi dialect' };
type Pair = { access_token: string; refresh_token: string };

describe('standard, lin-cms and mmm in one server', { shuffle: true }, () => {
  let server: TestServer;
  let carol: { id: number; companyIds: number[] };
  beforeAll(async () => {
    server = await startTestServer({ ...ALL_DIALECTS, DUOTOKEN_LOCKOUT_THRESHOLD: '3' });
    carol = await createUser(server, BOTH.account, BOTH.password, [
      { name: 'One', roles: ['a'], isDefault: true },
      { name: 'Two', roles: ['b'] },
    ]);
  });
  afterAll(() => server.close());

  const loginLin = async () => (await linCmsLogin<Pair>(server, BOTH.account, BOTH.password)).body;
  const loginMmm = async () => (await send<{ data: MmmTokenPair }>(server, 'POST', '/auth/login', { json: BOTH })).body.data;

  it('POST /auth/login with a `t` field is a standard login (standard pair), without one an mmm login (mmm pair)', async () => {
    const standard = await loginStandard(server, BOTH.account, BOTH.password);
    expect(standard).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const mmm = await loginMmm();
    expect(Object.keys(mmm).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires', 'refresh_token']);
    expect(mmm.expires_in).toBe(Math.floor(server.clock.now() / 1000) + 900);
  });

  it('a `t` field makes the challenge mandatory: a wrong or empty t is 10010, never an mmm login', async () => {
    for (const t of ['', 'made-up']) {
      const res = await call(server, 'POST', '/auth/login', { json: { ...BOTH, t } });
      expect([res.status, res.body.code]).toEqual([400, '10010']);
    }
    const form = await call(server, 'POST', '/auth/login', { form: { ...BOTH, t: 'made-up' } });
    expect(form.body.code).toBe('10010');
  });

  it('errors of the shared route use the common envelope (schema errors included)', async () => {
    const res = await call(server, 'POST', '/auth/login', { json: { account: BOTH.account } });
    expect([res.status, res.body.code]).toEqual([400, '10001']);
    expect(res.body.data).toMatchObject({ field: 'password' });
  });

  it('mmm logins are lockout-guarded, and the lock holds for every dialect', async () => {
    await createUser(server, 'dave', 'dave right password');
    for (let i = 0; i < 3; i++)
      expect((await call(server, 'POST', '/auth/login', { json: { account: 'dave', password: 'x' } })).body.code).toBe('10020');
    const mmm = await call<{ retry_after: number }>(server, 'POST', '/auth/login', {
      json: { account: 'dave', password: 'dave right password' },
    });
    expect([mmm.status, mmm.body.code]).toEqual([423, '10021']);
    // The lin-cms login checks its captcha first (DUOTOKEN_CAPTCHA=always), then meets the same lock.
    const lin = await linCmsLogin<{ code: number }>(server, 'dave', 'dave right password');
    expect([lin.status, lin.body.code]).toEqual([429, 10140]);
    const { t } = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data;
    await (await server.fetch(`/auth/captcha?t=${t}`)).text();
    const captcha = await captchaAnswer(server, t);
    const standard = await call(server, 'POST', '/auth/login', { json: { account: 'dave', password: 'dave right password', t, captcha } });
    expect(standard.body.code).toBe('10021');
  });

  it('one session model: a token of any dialect works on the protected routes of the others', async () => {
    const tokens = {
      standard: (await loginStandard(server, BOTH.account, BOTH.password)).access_token,
      lin: (await loginLin()).access_token,
      mmm: (await loginMmm()).access_token,
    };
    for (const token of Object.values(tokens)) {
      expect((await call(server, 'GET', '/auth/me', { headers: bearer(token) })).body.code).toBe('00000');
      expect((await send(server, 'GET', '/cms/user/information', { headers: bearer(token) })).body).toMatchObject({ id: carol.id });
      expect((await send(server, 'GET', '/v1/auth/me', { headers: { 'x-mmm-accesstoken': token } })).body.code).toBe('00000');
    }
    // Whatever header carried them, no token reaches the log.
    expect(server.logs.some((line) => Object.values(tokens).some((token) => line.includes(token)))).toBe(false);
  });

  it('refresh tokens cross dialects too, and a lin-cms session keeps its lin-cms claims whoever refreshes it', async () => {
    const lin = await loginLin();
    const viaStandard = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', {
      json: { refresh_token: lin.refresh_token },
    });
    expect(claimsOf(viaStandard.body.data.access_token)).toMatchObject({ identity: carol.id, scope: 'lin', type: 'access' });
    const mmm = await loginMmm();
    const viaLin = await send<Pair>(server, 'GET', '/cms/user/refresh', { headers: bearer(mmm.refresh_token) });
    expect(viaLin.status).toBe(200);
    expect(claimsOf(viaLin.body.access_token).scope).toBeUndefined();
  });

  it('a company switched through mmm is what standard and lin-cms see; a logout through standard ends the session everywhere', async () => {
    const pair = await loginMmm();
    const switched = await send<{ data: MmmTokenPair }>(server, 'POST', '/v1/auth/change_company', {
      headers: { 'x-mmm-accesstoken': pair.access_token },
      json: { company_id: carol.companyIds[1] },
    });
    const token = switched.body.data.access_token;
    const me = await call<{ company: { id: number } }>(server, 'GET', '/auth/me', { headers: bearer(token) });
    expect(me.body.data.company.id).toBe(carol.companyIds[1]);
    expect((await call(server, 'POST', '/auth/logout', { headers: bearer(token) })).body.code).toBe('00000');
    expect((await send(server, 'GET', '/cms/user/information', { headers: bearer(token) })).body.code).toBe(10050);
    expect((await send(server, 'GET', '/v1/auth/me', { headers: { 'x-mmm-accesstoken': token } })).body.code).toBe('10028');
  });

  it('the OpenAPI document lists the routes of all three dialects', async () => {
    const doc = (await send<{ paths: Record<string, unknown> }>(server, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/auth/login', '/cms/user/login', '/cms/user/refresh', '/v1/auth/refresh_token']),
    );
  });
});

describe('mounting rules', { shuffle: true }, () => {
  it("with only mmm mounted, /auth/login is mmm's (a `t` is ignored) and standard's routes are absent", async () => {
    const server = await startTestServer({ DUOTOKEN_DIALECTS: 'mmm' });
    try {
      await createUser(server, BOTH.account, BOTH.password);
      const res = await send<{ code: string; data: MmmTokenPair }>(server, 'POST', '/auth/login', { json: { ...BOTH, t: 'ignored' } });
      expect(res.body.code).toBe('00000');
      expect(res.body.data.refresh_expires).toBeGreaterThan(0);
      expect((await send(server, 'GET', '/auth/get_t')).status).toBe(404);
      expect((await send(server, 'GET', '/cms/user/information')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('with only standard mounted (the default), /auth/login requires its challenge and the other dialects are absent', async () => {
    const server = await startTestServer();
    try {
      const res = await call(server, 'POST', '/auth/login', { json: BOTH });
      expect(res.body.code).toBe('10010');
      expect((await send(server, 'POST', '/cms/user/login', { json: { username: 'a', password: 'b' } })).status).toBe(404);
      expect((await send(server, 'GET', '/v1/auth/refresh_token')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('DUOTOKEN_AUTO_RENEW refuses lin-cms, naming the setting', () => {
    expect(() => parseConfig({ DUOTOKEN_AUTO_RENEW: 'lin-cms' })).toThrow(/DUOTOKEN_AUTO_RENEW.*lin-cms/);
    expect(() => parseConfig({ DUOTOKEN_LINCMS_REFRESH: 'sometimes' })).toThrow(/DUOTOKEN_LINCMS_REFRESH/);
  });
});
