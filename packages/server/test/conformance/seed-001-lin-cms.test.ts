import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { ALL_DIALECTS, bearer, claimsOf, createUser } from './dialect-fixtures.js';
import { send } from '@duotoken/test-kit/send';
import { LinCmsVueClient } from './lin-cms-vue-client.js';

/**
 * Seed 001 (lin-cms「令牌」), statement by statement, over real HTTP against
 * one server with every dialect mounted. Each title quotes the sentence it checks.
 * The access lifetime is lin-cms's default (1 hour), as a lin-cms deployment would set it, and
 * the captcha is off, lin-cms's default (the seed's login takes username and password alone);
 * lin-cms-vue's captcha under each DUOTOKEN_CAPTCHA policy: lin-cms-vue-login.test.ts.
 */

const HOUR = 3600;
type Pair = { access_token: string; refresh_token: string };
type LinError = { code: number; message: string; request: string };

let server: TestServer;
let userId: number;
let companyId: number;
const USER = { username: 'pedro', password: 'lin-cms pedro password' };

const login = async (username = USER.username, password = USER.password) =>
  send<Pair>(server, 'POST', '/cms/user/login', { json: { username, password } });
const information = (token: string) => send(server, 'GET', '/cms/user/information', { headers: bearer(token) });
const refresh = (token: string) => send<Pair>(server, 'GET', '/cms/user/refresh', { headers: bearer(token) });

function expectLinError(res: { status: number; body: unknown }, code: number, status: number, request: string) {
  expect(res.status).toBe(status);
  const body = res.body as LinError;
  expect(body).toEqual({ code, message: expect.any(String), request });
}

beforeAll(async () => {
  server = await startTestServer({
    ...ALL_DIALECTS,
    DUOTOKEN_ACCESS_TTL: '1h',
    DUOTOKEN_REFRESH_TTL: '30d',
    DUOTOKEN_LOCKOUT_THRESHOLD: '3',
    DUOTOKEN_CAPTCHA: 'off',
  });
  const created = await createUser(server, USER.username, USER.password, [{ name: 'Lin', roles: ['editor'], isDefault: true }]);
  [userId, companyId] = [created.id, created.companyIds[0]!];
});
afterAll(() => server.close());

describe('seed 001 — 为何选择 jwt', { shuffle: true }, () => {
  it('「lin-cms 选择 jwt 作为用户认证鉴权的核心机制」: the access token is a JWT', async () => {
    const { body } = await login();
    expect(body.access_token.split('.')).toHaveLength(3);
    expect(claimsOf(body.access_token).sub).toBe(String(userId));
  });

  it('「jwt 可以通过公钥和私钥对信息进行加密，双方通信后，互得数据」: anyone can verify it with the published public key', async () => {
    const { body } = await login();
    const jwks = (await send<JSONWebKeySet>(server, 'GET', '/.well-known/jwks.json')).body;
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: 'duotoken',
      audience: 'duotoken',
      currentDate: new Date(server.clock.now()),
    });
    expect(payload).toMatchObject({ identity: userId, scope: 'lin', type: 'access' });
  });

  it('「前端将其放在特定的 header 字段 中…服务器收到请求后，解析 jwt 判断用户身份」: lin-cms reads the Authorization header only', async () => {
    const { body } = await login();
    const viaHeader = await information(body.access_token);
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({ id: userId, username: USER.username });
    // lin-cms never looks in params or body: a token there is no token (10000).
    const viaQuery = await send(server, 'GET', `/cms/user/information?access_token=${body.access_token}`);
    expectLinError(viaQuery, 10000, 401, 'GET /cms/user/information');
  });
});

describe('seed 001 — access_token 和 refresh_token', { shuffle: true }, () => {
  it('「用户登陆成功后，服务器会颁发 access_token 和 refresh_token」', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token']);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('「access_token…其生存周期较短…在 lin-cms 中默认为 1 个小时」: it lives DUOTOKEN_ACCESS_TTL (set to 1h here)', async () => {
    const { body } = await login();
    const c = claimsOf(body.access_token) as { iat: number; exp: number };
    expect(c.exp - c.iat).toBe(HOUR);
  });

  it('「refresh_token 的生命周期较长，一般为 30 天左右」: usable after the access token died, dead after DUOTOKEN_REFRESH_TTL', async () => {
    const { body } = await login();
    server.clock.advance(HOUR + 1);
    expect((await refresh(body.refresh_token)).status).toBe(200);
    server.clock.advance(30 * 24 * HOUR);
    expectLinError(await refresh(body.refresh_token), 10052, 401, 'GET /cms/user/refresh');
  });

  it('「refresh_token 不能被用来用户身份鉴权和获取资源，它只能被用来重新获取 access_token」: 10250 in lin-cms, refused by the other dialects too', async () => {
    const { body } = await login();
    expectLinError(await information(body.refresh_token), 10250, 401, 'GET /cms/user/information');
    const standard = await send(server, 'GET', '/auth/me', { headers: bearer(body.refresh_token) });
    expect([standard.status, standard.body.code]).toEqual([401, '10028']);
    const mmm = await send(server, 'GET', '/v1/auth/me', { headers: { 'x-mmm-accesstoken': body.refresh_token } });
    expect([mmm.status, mmm.body.code]).toEqual([401, '10028']);
    // …and the reverse: an access token is no refresh token.
    expectLinError(await refresh(body.access_token), 10250, 401, 'GET /cms/user/refresh');
  });

  it('「当前端发现 access_token 过期时，会自动通过 refresh_token 重新获取 access_token」: expired → 10051 → refresh → retry', async () => {
    const { body } = await login();
    server.clock.advance(HOUR + 1);
    expectLinError(await information(body.access_token), 10051, 401, 'GET /cms/user/information');
    const renewed = await refresh(body.refresh_token);
    expect((await information(renewed.body.access_token)).status).toBe(200);
  });
});

describe('seed 001 — 用户登录获取 access_token、refresh_token', { shuffle: true }, () => {
  it('「path: /cms/user/login, method: post, 参数: username, password」 as JSON or as a form', async () => {
    expect((await login()).status).toBe(200);
    const form = await send<Pair>(server, 'POST', '/cms/user/login', { form: USER });
    expect(form.status).toBe(200);
    expect(form.body.access_token).toBeTruthy();
  });

  it("a missing parameter is lin-cms 10030 (400) in lin-cms's error shape", async () => {
    const res = await send(server, 'POST', '/cms/user/login', { json: { username: USER.username } });
    expectLinError(res, 10030, 400, 'POST /cms/user/login');
    expect(res.body.message).toContain('password');
  });

  it('a wrong password is lin-cms 10031 (400); repeated failures lock the account: 10140 (429) with Retry-After', async () => {
    await createUser(server, 'guessed', 'the guessed password');
    for (let i = 0; i < 3; i++) expectLinError(await login('guessed', 'wrong'), 10031, 400, 'POST /cms/user/login');
    const locked = await login('guessed', 'the guessed password');
    expectLinError(locked, 10140, 429, 'POST /cms/user/login');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('「结果」: `{ access_token, refresh_token }` and nothing else, no envelope', async () => {
    const { body } = await login();
    expect(body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
  });

  it('「在 HTTP 请求的 Header 中加入Authorization字段，字段值为Bearer加上access_token，注意两个字段中间必须有一个空格」', async () => {
    const { body } = await login();
    expect((await information(body.access_token)).status).toBe(200);
    const noSpace = await send(server, 'GET', '/cms/user/information', { headers: { authorization: `Bearer${body.access_token}` } });
    expectLinError(noSpace, 10000, 401, 'GET /cms/user/information');
  });

  it('「服务器会解析该字段并得到用户信息，对用户进行鉴权」: information in lin-cms fields; claims identity/scope/type', async () => {
    const { body } = await login();
    const info = await information(body.access_token);
    expect(info.body).toEqual({
      id: userId,
      username: USER.username,
      nickname: USER.username,
      avatar: null,
      email: null,
      admin: false,
      groups: [{ id: expect.any(Number), name: 'Lin', info: 'editor' }],
    });
    expect(claimsOf(body.access_token)).toMatchObject({ identity: userId, scope: 'lin', type: 'access' });
    const permissions = await send(server, 'GET', '/cms/user/permissions', { headers: bearer(body.access_token) });
    expect(permissions.body.permissions).toEqual([{ Lin: [{ permission: 'editor', module: 'Lin' }] }]);
  });
});

describe('seed 001 — 通过 refresh_token 获取 access_token', { shuffle: true }, () => {
  it('「path: /cms/user/refresh, method: get, 参数: 无…必须在 HTTP 的 Header 中加上Authorization字段，字段值为 Bearer ${refresh_token}」', async () => {
    const { body } = await login();
    const res = await refresh(body.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expectLinError(await send(server, 'GET', '/cms/user/refresh'), 10000, 401, 'GET /cms/user/refresh');
    expectLinError(await refresh('not-a-token'), 10042, 401, 'GET /cms/user/refresh');
  });

  it('「如 refresh_token 未过期则会颁发新的 access_token」: a new access token; lin-cms does not rotate, so the refresh token stays', async () => {
    const { body } = await login();
    server.clock.advance(1);
    const res = await refresh(body.refresh_token);
    expect(res.body.access_token).not.toBe(body.access_token);
    expect(res.body.refresh_token).toBe(body.refresh_token);
  });

  it('a refresh token of a logged-out session is 10052: lin-cms-vue logs out', async () => {
    const { body } = await login();
    await send(server, 'POST', '/auth/logout', { headers: bearer(body.access_token) });
    expectLinError(await refresh(body.refresh_token), 10052, 401, 'GET /cms/user/refresh');
  });

  it('an unknown /cms path answers in lin-cms shape (10020, 404)', async () => {
    expectLinError(await send(server, 'GET', '/cms/user/nothing?x=1'), 10020, 404, 'GET /cms/user/nothing');
  });
});

describe('seed 001 —「在 lin-cms 的前端框架中，已经默认实现了以上机制」: the lin-cms-vue admin, replayed', { shuffle: true }, () => {
  it('stays logged in across several access expiries, well past the grace window, sending only its login refresh token', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    const loginRefreshToken = client.refreshToken;
    for (let i = 0; i < 5; i++) {
      server.clock.advance(HOUR + 1);
      expect(await client.get('cms/user/information')).toMatchObject({ id: userId });
    }
    expect(client.loggedOut).toBe(false);
    expect(client.refreshes).toBe(5);
    expect(client.seenCodes).toEqual([10051, 10051, 10051, 10051, 10051]);
    expect(client.refreshToken).toBe(loginRefreshToken);
  });

  it('a damaged access token makes it refresh (10041) and carry on', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    client.accessToken = `${client.accessToken!.slice(0, -4)}AAAA`;
    expect(await client.get('cms/user/information')).toMatchObject({ id: userId });
    expect(client.seenCodes).toEqual([10041]);
  });

  it('a role change elsewhere supersedes its access token: 10041, a refresh, and it carries on with the new roles', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    const setRoles = (roles: string[]) =>
      server.runtime.services.admin.setMembership(userId, companyId, roles, { userId: null, ip: null }, true);
    await setRoles(['editor', 'publisher']);
    try {
      const answer = await client.get<{ permissions: unknown }>('cms/user/permissions');
      expect(answer?.permissions).toEqual([
        { Lin: [expect.objectContaining({ permission: 'editor' }), expect.objectContaining({ permission: 'publisher' })] },
      ]);
      expect(client.seenCodes).toEqual([10041]);
    } finally {
      await setRoles(['editor']);
    }
  });

  it('a session revoked elsewhere (password change, logout) makes it log out at once (10050)', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    await send(server, 'POST', '/auth/logout', { headers: bearer(client.accessToken!) });
    expect(await client.get('cms/user/information')).toBeNull();
    expect(client.loggedOut).toBe(true);
    expect(client.seenCodes).toEqual([10050]);
  });

  it('logs out when its refresh token has expired (10052)', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    server.clock.advance(30 * 24 * HOUR + 1);
    expect(await client.get('cms/user/information')).toBeNull();
    expect(client.seenCodes).toEqual([10051, 10052]);
    expect(client.loggedOut).toBe(true);
  });
});

describe('DUOTOKEN_LINCMS_REFRESH=rotate: the trade-off, shown', { shuffle: true }, () => {
  let rotating: TestServer;
  beforeAll(async () => {
    rotating = await startTestServer({ DUOTOKEN_DIALECTS: 'lin-cms', DUOTOKEN_ACCESS_TTL: '1h', DUOTOKEN_LINCMS_REFRESH: 'rotate' });
    await createUser(rotating, USER.username, USER.password);
  });
  afterAll(() => rotating.close());

  it('each refresh returns a new refresh token; lin-cms-vue, which keeps its first one, is logged out once the grace window has passed', async () => {
    const client = new LinCmsVueClient(rotating);
    await client.login(USER.username, USER.password);
    rotating.clock.advance(HOUR + 1);
    expect(await client.get('cms/user/information')).not.toBeNull();
    rotating.clock.advance(HOUR + 1);
    expect(await client.get('cms/user/information')).toBeNull();
    expect(client.seenCodes).toEqual([10051, 10051, 10052]);
  });
});
