import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, captchaAnswer, loginStandard } from '@duotoken/test-kit/standard-client';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { ALL_DIALECTS, bearer } from './dialect-fixtures.js';

/**
 * Seed 000 (鉴权机制), statement by statement, over real HTTP against one
 * server with every dialect mounted (the standard dialect answers it).
 * Each title quotes the sentence or flowchart edge it checks.
 */

const ACCESS_TTL = 900;
const REFRESH_TTL = 3600;
const GRACE = 10;

let server: TestServer;
const login = () => loginStandard(server, ADMIN.account, ADMIN.password);

beforeAll(async () => {
  server = await startTestServer({
    ...ALL_DIALECTS,
    DUOTOKEN_ACCESS_TTL: String(ACCESS_TTL),
    DUOTOKEN_REFRESH_TTL: String(REFRESH_TTL),
    DUOTOKEN_REFRESH_GRACE: String(GRACE),
  });
});
afterAll(() => server.close());

describe('seed 000 — 无需鉴权接口', { shuffle: true }, () => {
  it('「1. 获取t」: GET /auth/get_t needs no token', async () => {
    const res = await call<{ t: string; captcha_url: string }>(server, 'GET', '/auth/get_t');
    expect(res.status).toBe(200);
    expect(res.body.data.t).toBeTruthy();
  });

  it('「2. 生成验证码图片」: GET /auth/captcha?t= draws an image without a token', async () => {
    const { t } = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data;
    const res = await server.fetch(`/auth/captcha?t=${encodeURIComponent(t)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
    expect(await res.text()).toContain('<svg');
  });

  it('「3. 用户登录」: POST /auth/login with t and captcha needs no token', async () => {
    const pair = await login();
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: ACCESS_TTL, refresh_expires_in: REFRESH_TTL });
  });

  it('「4. 刷新令牌」: POST /auth/refresh-token needs no access token', async () => {
    const pair = await login();
    const res = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect([res.status, res.body.code]).toEqual([200, '00000']);
  });

  it('「其它接口都需要在http header 或 url中携带access-token」: any other route without one is 401 (10025)', async () => {
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/auth/sessions'],
      ['POST', '/auth/logout'],
    ] as const) {
      const res = await call(server, method, path);
      expect([res.status, res.body.code]).toEqual([401, '10025']);
    }
  });
});

describe('seed 000 — 服务器端获取 access-token 的优先顺序: Http Header --未取到--> URL --未取到--> Form表单', { shuffle: true }, () => {
  it('the header is used first: a good header wins over a bad URL token, a bad header is refused, not skipped', async () => {
    const { access_token } = await login();
    const broken = `${access_token.slice(0, -4)}AAAA`;
    for (const header of [{ 'access-token': access_token }, bearer(access_token)])
      expect((await call(server, 'GET', `/auth/me?access-token=${broken}`, { headers: header })).status).toBe(200);
    for (const header of [{ 'access-token': broken }, bearer(broken)]) {
      const badHeader = await call(server, 'GET', `/auth/me?access-token=${access_token}`, { headers: header });
      expect([badHeader.status, badHeader.body.code]).toEqual([401, '10028']);
    }
  });

  it('「--未取到--> URL」: with no header, the URL token is used before the form, a bad one refused, not skipped', async () => {
    const { access_token } = await login();
    const broken = `${access_token.slice(0, -4)}AAAA`;
    const url = (token: string) => `/auth/verify?access-token=${encodeURIComponent(token)}`;
    expect((await call(server, 'POST', url(access_token), { form: { 'access-token': broken } })).status).toBe(200);
    const badUrl = await call(server, 'POST', url(broken), { form: { 'access-token': access_token } });
    expect([badUrl.status, badUrl.body.code]).toEqual([401, '10028']);
  });

  it('「--未取到--> Form表单」: with no header and no URL token, the form field is used', async () => {
    const { access_token } = await login();
    const res = await call(server, 'POST', '/auth/verify', { form: { 'access-token': access_token } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-auth-user-id')).toBe('1');
  });
});

describe('seed 000 — 鉴权流程', { shuffle: true }, () => {
  it('「1. 若http method 为 POST…需要在http head中携带 access-token」', async () => {
    const { access_token } = await login();
    const res = await call(server, 'POST', '/auth/verify', { headers: { 'access-token': access_token }, json: { key_1: 'val_1' } });
    expect([res.status, res.body.code]).toEqual([200, '00000']);
  });

  it('「2. 若http method 为 GET…需要在url后拼接access-token」, URL-encoded as in the example; the token never reaches the log', async () => {
    const { access_token } = await login();
    const res = await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(access_token)}&key_1=val_1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(server.logs.some((line) => line.includes(access_token))).toBe(false);
  });

  it('「3. 若系统返回http code为401，则使用 刷新令牌 接口刷新 access-token和refresh_token」「6. 保存或更新…」「7. 重新发起调用」', async () => {
    const pair = await login();
    server.clock.advance(ACCESS_TTL + 1);
    const expired = await call(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) });
    expect([expired.status, expired.body.code]).toEqual([401, '10027']);
    const refreshed = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', {
      headers: { 'refresh-token': pair.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    // Both tokens are updated: the client saves the two.
    expect(refreshed.body.data.access_token).not.toBe(pair.access_token);
    expect(refreshed.body.data.refresh_token).not.toBe(pair.refresh_token);
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(refreshed.body.data.access_token) })).status).toBe(200);
    // Not saving the new refresh token is a mistake the server notices once the grace window has passed.
    server.clock.advance(GRACE + 1);
    const stale = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect([stale.status, stale.body.code]).toEqual([401, '10024']);
  });

  it('「4. 若调用 刷新令牌 返回http code为401则需调用 用户登录 获取access-token 和 refresh-token」', async () => {
    const pair = await login();
    server.clock.advance(REFRESH_TTL + 1);
    const dead = await call(server, 'GET', '/auth/refresh-token', { headers: bearer(pair.refresh_token) });
    expect([dead.status, dead.body.code]).toEqual([401, '10024']);
    const again = await login();
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(again.access_token) })).status).toBe(200);
  });
});

describe('seed 000 — 鉴权流程图', { shuffle: true }, () => {
  it('the whole chart in one run: login → call → access expires (10027) → refresh → retry → the refreshed token expires (10024) → login', async () => {
    const pair = await login();
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: ACCESS_TTL });
    const me = await call<{ user: { account: string } }>(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) });
    expect([me.status, me.body.data.user.account]).toEqual([200, ADMIN.account]);
    server.clock.advance(ACCESS_TTL + 1);
    const expired = await call(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) });
    expect([expired.status, expired.body.code]).toEqual([401, '10027']);
    const refreshed = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data.refresh_token).not.toBe(pair.refresh_token);
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(refreshed.body.data.access_token) })).status).toBe(200);
    // The refreshed refresh token lives REFRESH_TTL from its own issue, not from the login.
    server.clock.advance(REFRESH_TTL - 1);
    const stillAlive = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', {
      json: { refresh_token: refreshed.body.data.refresh_token },
    });
    expect(stillAlive.status).toBe(200);
    server.clock.advance(REFRESH_TTL + 1);
    const dead = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: stillAlive.body.data.refresh_token } });
    expect([dead.status, dead.body.code]).toEqual([401, '10024']);
    const again = await login();
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(again.access_token) })).status).toBe(200);
  });

  it('「从客户端或浏览器取出访问令牌 --未取出--> 用户登录」: no stored token → 401 → log in', async () => {
    const res = await call(server, 'GET', '/auth/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('「服务器端 --返回 http code 为200--> 业务数据」', async () => {
    const { access_token } = await login();
    const res = await call<{ user: { account: string } }>(server, 'GET', '/auth/me', { headers: bearer(access_token) });
    expect(res.body.data.user.account).toBe(ADMIN.account);
  });

  it('「用户登录 --失败--> 用户登录」: a failed login can be retried (with a fresh t: each t is single use)', async () => {
    const { t } = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data;
    await (await server.fetch(`/auth/captcha?t=${t}`)).text();
    const captcha = await captchaAnswer(server, t);
    const failed = await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: 'wrong', t, captcha } });
    expect([failed.status, failed.body.code]).toEqual([401, '10020']);
    const reused = await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password, t, captcha } });
    expect(reused.body.code).toBe('10010');
    expect((await login()).access_token).toBeTruthy();
  });
});
