import type { MmmTokenPair } from '@duotoken/protocol';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSecret, startTestServer, type TestServer } from '../helpers/test-server.js';
import { ALL_DIALECTS, claimsOf, createUser, serverNow } from './dialect-fixtures.js';
import { send } from '@duotoken/test-kit/send';
import { MmmClient, type MmmAnswer } from './mmm-client.js';

/**
 * Seed 002 (机会导向管理后台接口), statement by statement, over real HTTP
 * against one server with every dialect mounted. Each title quotes the sentence it checks.
 */

const ACCESS_TTL = 900;
const REFRESH_TTL = 3600;
const GRACE = 10;

let server: TestServer;
let user: { id: number; companyIds: number[] };
const ALICE = { account: 'alice', password: 'alice mmm password' };
const BOB = { account: 'bob', password: 'bob mmm password' };

const mmm = <T = unknown>(method: string, path: string, headers: Record<string, string> = {}, json?: unknown) =>
  send(server, method, path, { headers, ...(json === undefined ? {} : { json }) }) as Promise<MmmAnswer<T>>;
const both = (pair: MmmTokenPair) => ({ 'x-mmm-accesstoken': pair.access_token, 'x-mmm-refreshtoken': pair.refresh_token });
const loginAlice = async () => (await mmm<MmmTokenPair>('POST', '/auth/login', {}, ALICE)).body.data;

function expectCode(res: MmmAnswer, code: string, status: number) {
  expect([res.status, res.body.code]).toEqual([status, code]);
}

beforeAll(async () => {
  server = await startTestServer({
    ...ALL_DIALECTS,
    DUOTOKEN_ACCESS_TTL: String(ACCESS_TTL),
    DUOTOKEN_REFRESH_TTL: String(REFRESH_TTL),
    DUOTOKEN_REFRESH_GRACE: String(GRACE),
  });
  user = await createUser(server, ALICE.account, ALICE.password, [
    { name: 'Acme', roles: ['admin'], isDefault: true },
    { name: 'Globex', roles: ['viewer'] },
  ]);
  await createUser(server, BOB.account, BOB.password);
});
afterAll(() => server.close());

describe('seed 002 — 全局统一设定: 请求头', { shuffle: true }, () => {
  it('「x-mmm-accesstoken: 发起请求时使用时校验用 token」', async () => {
    const pair = await loginAlice();
    const me = await mmm<{ user: { id: number } }>('GET', '/v1/auth/me', { 'x-mmm-accesstoken': pair.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.user.id).toBe(user.id);
    expectCode(await mmm('GET', '/v1/auth/me'), '10025', 401);
  });

  it('「x-mmm-refreshtoken: 刷新 token 时使用的 token」', async () => {
    const pair = await loginAlice();
    const res = await mmm<MmmTokenPair>('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token });
    expectCode(res, '00000', 200);
    expectCode(await mmm('GET', '/v1/auth/refresh_token'), '10024', 401);
  });

  it('「token 使用 jwt 进行处理.其中包含有 user_id、company_id 的数据,登录时获取」', async () => {
    const pair = await loginAlice();
    expect(claimsOf(pair.access_token)).toMatchObject({ uid: user.id, company_id: user.companyIds[0] });
  });
});

describe('seed 002 — token 机制描述', { shuffle: true }, () => {
  it('「token 的响应内容」: { access_token, expires_in, refresh_token, refresh_expires }', async () => {
    const pair = await loginAlice();
    expect(Object.keys(pair).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires', 'refresh_token']);
  });

  it('「expires_in 指的是 access_token 的到期时间(时间戳)」: an absolute unix time, the JWT exp', async () => {
    const now = serverNow(server);
    const pair = await loginAlice();
    expect(pair.expires_in).toBe(now + ACCESS_TTL);
    expect(claimsOf(pair.access_token).exp).toBe(pair.expires_in);
  });

  it('「refresh_expires 指的是 refresh_token 的到期时间(时间戳),客户端可以依此判断 refresh_token 到期时间,然后决定是否退出重新登录」', async () => {
    const now = serverNow(server);
    const pair = await loginAlice();
    expect(pair.refresh_expires).toBe(now + REFRESH_TTL);
    server.clock.advance(pair.refresh_expires - serverNow(server) - 1);
    expectCode(await mmm('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token }), '00000', 200);
  });

  it('「刷新 toke 的依据是 refresh_token,如果 refresh_token 过期失效则只能退出系统重新登录」', async () => {
    const pair = await loginAlice();
    server.clock.advance(REFRESH_TTL + 1);
    expectCode(await mmm('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token }), '10024', 401);
    expect((await loginAlice()).access_token).toBeTruthy();
  });

  it('「当服务端发现 access_token 过期且 refresh_token 未过期时返回错误码【10026】,并附带刷新后的 token,影响的内容格式同上,客户端可依此刷新请求头」', async () => {
    const pair = await loginAlice();
    server.clock.advance(ACCESS_TTL + 1);
    const renewed = await mmm<MmmTokenPair>('GET', '/v1/auth/me', both(pair));
    expectCode(renewed, '10026', 401);
    expect(Object.keys(renewed.body.data).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires', 'refresh_token']);
    expect(renewed.body.data.expires_in).toBe(serverNow(server) + ACCESS_TTL);
    expect(renewed.headers.get('cache-control')).toBe('no-store');
    expectCode(await mmm('GET', '/v1/auth/me', both(renewed.body.data)), '00000', 200);
  });

  it('10026 does not run the request: an expired change_company renews and leaves the company as it was', async () => {
    const pair = await loginAlice();
    server.clock.advance(ACCESS_TTL + 1);
    const renewed = await mmm<MmmTokenPair>('POST', '/v1/auth/change_company', both(pair), { company_id: user.companyIds[1] });
    expectCode(renewed, '10026', 401);
    expect(claimsOf(renewed.body.data.access_token).company_id).toBe(user.companyIds[0]);
  });

  it('10026 rotates: the replaced refresh token gets the same successor within the grace window, and kills the session after it', async () => {
    const pair = await loginAlice();
    server.clock.advance(ACCESS_TTL + 1);
    const [a, b] = await Promise.all([
      mmm<MmmTokenPair>('GET', '/v1/auth/me', both(pair)),
      mmm<MmmTokenPair>('GET', '/v1/auth/me', both(pair)),
    ]);
    expect([a.body.code, b.body.code]).toEqual(['10026', '10026']);
    expect(a.body.data.refresh_token).toBe(b.body.data.refresh_token);
    expect(a.body.data.refresh_token).not.toBe(pair.refresh_token);
    server.clock.advance(GRACE + 1);
    expectCode(await mmm('GET', '/v1/auth/me', both(pair)), '10024', 401);
    // Reuse detected: the session is gone, successor included.
    expectCode(await mmm('GET', '/v1/auth/me', both(a.body.data)), '10028', 401);
  });

  it('「当服务端发现 refresh_token 过期时返回错误码【10024】,客户需要退出重新登录」', async () => {
    const pair = await loginAlice();
    server.clock.advance(REFRESH_TTL + 1);
    expectCode(await mmm('GET', '/v1/auth/me', both(pair)), '10024', 401);
    expectCode(await mmm('GET', '/v1/auth/me', { ...both(pair), 'x-mmm-refreshtoken': 'garbage' }), '10024', 401);
  });

  it('an mmm client that only ever sends both headers never calls the refresh endpoint, and must log in again after refresh_expires', async () => {
    const client = new MmmClient(server);
    await client.login(ALICE.account, ALICE.password);
    for (let i = 0; i < 3; i++) {
      server.clock.advance(ACCESS_TTL + 1);
      expectCode(await client.call('GET', '/v1/auth/me'), '00000', 200);
    }
    expect(client.renewals).toBe(3);
    server.clock.advance(REFRESH_TTL + 1);
    expectCode(await client.call('GET', '/v1/auth/me'), '10024', 401);
    expect(client.loggedOut).toBe(true);
  });
});

describe('seed 002 — auto-renew never trusts a token it cannot prove', { shuffle: true }, () => {
  it('an expired access token with a bad signature never renews, and the refresh token is not spent', async () => {
    const pair = await loginAlice();
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ ...claimsOf(pair.access_token) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'forged' })
      .sign(privateKey);
    server.clock.advance(ACCESS_TTL + 1);
    expectCode(await mmm('GET', '/v1/auth/me', { ...both(pair), 'x-mmm-accesstoken': forged }), '10028', 401);
    const tampered = `${pair.access_token.slice(0, -4)}AAAA`;
    expectCode(await mmm('GET', '/v1/auth/me', { ...both(pair), 'x-mmm-accesstoken': tampered }), '10028', 401);
    expectCode(await mmm('GET', '/v1/auth/me', both(pair)), '10026', 401);
  });

  it("an expired access token of one user's session never renews with another user's refresh token", async () => {
    const alice = await loginAlice();
    const bob = (await mmm<MmmTokenPair>('POST', '/auth/login', {}, BOB)).body.data;
    server.clock.advance(ACCESS_TTL + 1);
    const mixed = { 'x-mmm-accesstoken': alice.access_token, 'x-mmm-refreshtoken': bob.refresh_token };
    expectCode(await mmm('GET', '/v1/auth/me', mixed), '10024', 401);
    // Bob's token was not consumed by the refused attempt: it still renews Bob's own session.
    const bobs = await mmm<MmmTokenPair>('GET', '/v1/auth/me', both(bob));
    expectCode(bobs, '10026', 401);
    expect(claimsOf(bobs.body.data.access_token).sub).not.toBe(String(user.id));
  });

  it("an expired access token of the same user's other session never renews with this session's refresh token", async () => {
    const first = await loginAlice();
    const second = await loginAlice();
    server.clock.advance(ACCESS_TTL + 1);
    const crossed = { 'x-mmm-accesstoken': first.access_token, 'x-mmm-refreshtoken': second.refresh_token };
    expectCode(await mmm('GET', '/v1/auth/me', crossed), '10024', 401);
    expectCode(await mmm('GET', '/v1/auth/me', both(second)), '10026', 401);
  });

  it('a correctly signed, expired access token of another issuer never renews (HS256, so the test holds the key)', async () => {
    const secret = randomSecret();
    const hs = await startTestServer({ ...ALL_DIALECTS, DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: secret });
    try {
      await createUser(hs, ALICE.account, ALICE.password);
      const pair = (await send<{ data: MmmTokenPair }>(hs, 'POST', '/auth/login', { json: ALICE })).body.data;
      const { kid, typ } = decodeProtectedHeader(pair.access_token);
      const resign = (claims: Record<string, unknown>) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ }).sign(Buffer.from(secret, 'base64url'));
      const foreign = await resign({ ...claimsOf(pair.access_token), iss: 'someone-else' });
      const faithful = await resign(claimsOf(pair.access_token));
      hs.clock.advance(ACCESS_TTL + 1);
      const headers = (access: string) => ({ headers: { 'x-mmm-accesstoken': access, 'x-mmm-refreshtoken': pair.refresh_token } });
      expect((await send(hs, 'GET', '/v1/auth/me', headers(foreign))).body.code).toBe('10028');
      // The control: the same forgery with the right issuer is genuine, and renews.
      expect((await send(hs, 'GET', '/v1/auth/me', headers(faithful))).body.code).toBe('10026');
    } finally {
      await hs.close();
    }
  });

  it('an expired access token without the refresh header is 10027', async () => {
    const pair = await loginAlice();
    server.clock.advance(ACCESS_TTL + 1);
    expectCode(await mmm('GET', '/v1/auth/me', { 'x-mmm-accesstoken': pair.access_token }), '10027', 401);
  });
});

describe('seed 002 — 通用响应结构', { shuffle: true }, () => {
  it('「{ "code": "错误码字符串", "msg": "错误描述字符串", "data": {…} }」 for successes and errors alike', async () => {
    const ok = await mmm('POST', '/auth/login', {}, ALICE);
    expect(ok.body).toEqual({ code: '00000', msg: '成功', data: expect.any(Object) });
    const bad = await mmm('POST', '/auth/login', {}, { account: ALICE.account, password: 'wrong' });
    expect(bad.body).toEqual({ code: '10020', msg: expect.any(String), data: null });
    const en = await send(server, 'POST', '/auth/login', { json: ALICE, headers: { 'accept-language': 'en' } });
    expect(en.body.msg).toBe('Success');
  });
});

describe('seed 002 — 认证相关', { shuffle: true }, () => {
  it('「登录 /auth/login POST {account, password}…备注:该请求无需指定请求头」', async () => {
    const res = await mmm<MmmTokenPair>('POST', '/auth/login', {}, ALICE);
    expectCode(res, '00000', 200);
    expect(res.body.data.refresh_token).toBeTruthy();
  });

  it('「刷新 token /v1/auth/refresh_token get」: a new pair; the old refresh token is spent', async () => {
    const pair = await loginAlice();
    const res = await mmm<MmmTokenPair>('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token });
    expectCode(res, '00000', 200);
    expect(res.body.data.refresh_token).not.toBe(pair.refresh_token);
    server.clock.advance(GRACE + 1);
    expectCode(await mmm('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token }), '10024', 401);
  });

  it('「切换公司 /v1/auth/change_company post {"company_id": 2}…备注:切换公司实际是变更 token 信息」', async () => {
    const pair = await loginAlice();
    const target = user.companyIds[1]!;
    const res = await mmm<MmmTokenPair>(
      'POST',
      '/v1/auth/change_company',
      { 'x-mmm-accesstoken': pair.access_token },
      { company_id: target },
    );
    expectCode(res, '00000', 200);
    expect(claimsOf(res.body.data.access_token)).toMatchObject({ company_id: target, roles: ['viewer'] });
    // The tokens changed: the old access token no longer speaks for the session.
    expectCode(await mmm('GET', '/v1/auth/me', { 'x-mmm-accesstoken': pair.access_token }), '10028', 401);
    const stranger = await mmm(
      'POST',
      '/v1/auth/change_company',
      { 'x-mmm-accesstoken': res.body.data.access_token },
      { company_id: 9999 },
    );
    expectCode(stranger, '10030', 403);
  });

  it('duotoken extension: POST /v1/auth/logout ends the session', async () => {
    const pair = await loginAlice();
    expectCode(await mmm('POST', '/v1/auth/logout', both(pair)), '00000', 200);
    expectCode(await mmm('GET', '/v1/auth/me', both(pair)), '10028', 401);
    expectCode(await mmm('GET', '/v1/auth/refresh_token', { 'x-mmm-refreshtoken': pair.refresh_token }), '10024', 401);
  });
});

describe('DUOTOKEN_AUTO_RENEW switches auto-renew per dialect', { shuffle: true }, () => {
  let other: TestServer;
  beforeAll(async () => {
    other = await startTestServer({ ...ALL_DIALECTS, DUOTOKEN_AUTO_RENEW: 'standard', DUOTOKEN_ACCESS_TTL: String(ACCESS_TTL) });
    await createUser(other, ALICE.account, ALICE.password);
  });
  afterAll(() => other.close());

  it('without mmm in the list, mmm answers 10027; standard, opted in, answers 10026 with a standard pair', async () => {
    const pair = (await send<{ data: MmmTokenPair }>(other, 'POST', '/auth/login', { json: ALICE })).body.data;
    other.clock.advance(ACCESS_TTL + 1);
    const viaMmm = await send(other, 'GET', '/v1/auth/me', { headers: both(pair) });
    expect([viaMmm.status, viaMmm.body.code]).toEqual([401, '10027']);
    const viaStandard = await send<{ code: string; data: { token_type: string; expires_in: number } }>(other, 'GET', '/auth/me', {
      headers: { authorization: `Bearer ${pair.access_token}`, 'refresh-token': pair.refresh_token },
    });
    expect(viaStandard.body.code).toBe('10026');
    expect(viaStandard.body.data).toMatchObject({ token_type: 'Bearer', expires_in: ACCESS_TTL });
  });
});
