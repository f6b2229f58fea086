import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call, captchaAnswer } from '@duotoken/test-kit/standard-client';

describe('GET /auth/get_t and GET /auth/captcha', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('get_t answers a fresh t, its lifetime, the captcha policy and the captcha URL', async () => {
    const a = await call<{ t: string; expires_in: number; captcha_required: boolean; captcha_url: string }>(server, 'GET', '/auth/get_t');
    const b = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    expect(a.status).toBe(200);
    expect(a.body.code).toBe('00000');
    expect(a.body.data.t).toMatch(/^[\w-]{20,}$/);
    expect(a.body.data.t).not.toBe(b.body.data.t);
    expect(a.body.data.expires_in).toBe(300);
    expect(a.body.data.captcha_required).toBe(true);
    expect(a.body.data.captcha_url).toBe(`/auth/captcha?t=${a.body.data.t}`);
    expect(a.headers.get('cache-control')).toBe('no-store');
  });

  it('captcha answers an SVG image for a known t, and a data URL with format=json', async () => {
    const { body } = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    const svg = await server.fetch(`/auth/captcha?t=${body.data.t}`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const json = await call<{ image: string }>(server, 'GET', `/auth/captcha?t=${body.data.t}&format=json`);
    expect(json.status).toBe(200);
    expect(json.body.data.image).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('captcha for an unknown or expired t is 10010', async () => {
    const unknown = await call(server, 'GET', '/auth/captcha?t=no-such-challenge-value&format=json');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('10010');
    const { body } = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    server.clock.advance(301);
    const expired = await call(server, 'GET', `/auth/captcha?t=${body.data.t}&format=json`);
    expect(expired.body.code).toBe('10010');
  });

  it('captcha without t is 10001 naming the field', async () => {
    const res = await call(server, 'GET', '/auth/captcha');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('10001');
    expect(JSON.stringify(res.body.data)).toContain('t');
  });

  it('each captcha draw voids the previous answer', async () => {
    const { body } = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    const t = body.data.t;
    let first = '';
    let second = '';
    // Two draws can produce the same 4 characters by chance; draw until they differ (bounded).
    for (let i = 0; i < 10 && first === second; i++) {
      await (await server.fetch(`/auth/captcha?t=${t}`)).text();
      first = await captchaAnswer(server, t);
      await (await server.fetch(`/auth/captcha?t=${t}`)).text();
      second = await captchaAnswer(server, t);
    }
    expect(first).not.toBe(second);
    const res = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t, captcha: first },
    });
    expect(res.body.code).toBe('10011');
  });

  it('the captcha is case-insensitive, bound to its t, and single-use', async () => {
    const one = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
    const two = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
    await (await server.fetch(`/auth/captcha?t=${one}`)).text();
    await (await server.fetch(`/auth/captcha?t=${two}`)).text();
    const answerOne = await captchaAnswer(server, one);
    const answerTwo = await captchaAnswer(server, two);

    // Answer of t=one presented with t=two: wrong captcha (unless the draws collide, then the binding is untestable).
    if (answerOne !== answerTwo) {
      const crossed = await call(server, 'POST', '/auth/login', {
        json: { account: ADMIN.account, password: ADMIN.password, t: two, captcha: answerOne },
      });
      expect(crossed.body.code).toBe('10011');
    }
    const okLogin = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t: one, captcha: answerOne.toUpperCase() },
    });
    expect(okLogin.status).toBe(200);
    const replay = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t: one, captcha: answerOne },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('10010');
    // t=two was consumed by the crossed attempt: a login consumes t whatever its outcome.
    if (answerOne !== answerTwo) {
      const afterFailure = await call(server, 'POST', '/auth/login', {
        json: { account: ADMIN.account, password: ADMIN.password, t: two, captcha: answerTwo },
      });
      expect(afterFailure.body.code).toBe('10010');
    }
  });

  it('a login without t under the always policy is 10010; with a t but no drawn captcha it is 10011', async () => {
    const noT = await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } });
    expect(noT.status).toBe(400);
    expect(noT.body.code).toBe('10010');
    const { body } = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    const undrawn = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t: body.data.t, captcha: 'abcd' },
    });
    expect(undrawn.body.code).toBe('10011');
  });
});

describe('captcha policy off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' });
  });
  afterAll(() => server.close());

  it('get_t says no captcha is required and login works without t', async () => {
    const t = await call<{ captcha_required: boolean }>(server, 'GET', '/auth/get_t');
    expect(t.body.data.captcha_required).toBe(false);
    const res = await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password } });
    expect(res.status).toBe(200);
  });

  it('a t that is sent is still checked and consumed', async () => {
    const { body } = await call<{ t: string }>(server, 'GET', '/auth/get_t');
    const first = await call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, password: ADMIN.password, t: body.data.t } });
    expect(first.status).toBe(200);
    const replay = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t: body.data.t },
    });
    expect(replay.body.code).toBe('10010');
    const bogus = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t: 'made-up-challenge' },
    });
    expect(bogus.body.code).toBe('10010');
  });
});
