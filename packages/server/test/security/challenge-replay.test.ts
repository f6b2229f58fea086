import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, captchaAnswer } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { startSecurityServer } from './helpers/security-server.js';

/**
 * The challenge `t` and its captcha are single-use and bound together
 * (OWASP ASVS 5.0 V6.3 anti-automation; CWE-294 authentication bypass by
 * capture-replay; CWE-804 guessable captcha).
 */
describe('challenge t and captcha replay', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_CHALLENGE_TTL: '5m' });
  });
  afterAll(() => server.close());

  async function challenge(): Promise<{ t: string; answer: string }> {
    const t = (await call<{ t: string; captcha_required: boolean }>(server, 'GET', '/auth/get_t')).body.data.t;
    await (await server.fetch(`/auth/captcha?t=${t}`)).text();
    return { t, answer: await captchaAnswer(server, t) };
  }
  const login = (body: Record<string, unknown>) => call(server, 'POST', '/auth/login', { json: { account: ADMIN.account, ...body } });

  it('a t that logged in once cannot log in again (one-time challenge)', async () => {
    const { t, answer } = await challenge();
    expect((await login({ password: ADMIN.password, t, captcha: answer })).status).toBe(200);
    const replay = await login({ password: ADMIN.password, t, captcha: answer });
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('10010');
  });

  it('a failed login also consumes t: the right password cannot follow on the same t', async () => {
    const { t, answer } = await challenge();
    expect((await login({ password: 'wrong-password', t, captcha: answer })).body.code).toBe('10020');
    expect((await login({ password: ADMIN.password, t, captcha: answer })).body.code).toBe('10010');
  });

  it('a wrong captcha consumes t too, so answers cannot be tried one after another', async () => {
    const { t, answer } = await challenge();
    expect((await login({ password: ADMIN.password, t, captcha: `${answer}x` })).body.code).toBe('10011');
    expect((await login({ password: ADMIN.password, t, captcha: answer })).body.code).toBe('10010');
  });

  it("a captcha answer is bound to its t: another t's answer is refused", async () => {
    const first = await challenge();
    let second = await challenge();
    for (let i = 0; i < 5 && second.answer === first.answer; i++) second = await challenge();
    const res = await login({ password: ADMIN.password, t: second.t, captcha: first.answer });
    expect(res.body.code).toBe('10011');
  });

  it('drawing a new captcha voids the previous answer', async () => {
    const { t, answer } = await challenge();
    let redrawn = answer;
    for (let i = 0; i < 5 && redrawn === answer; i++) {
      await (await server.fetch(`/auth/captcha?t=${t}`)).text();
      redrawn = await captchaAnswer(server, t);
    }
    expect((await login({ password: ADMIN.password, t, captcha: answer })).body.code).toBe('10011');
  });

  it('a login without a captcha, or without t, or with a made-up t, is refused', async () => {
    const { t } = await challenge();
    expect((await login({ password: ADMIN.password, t })).body.code).toBe('10011');
    expect((await login({ password: ADMIN.password })).body.code).toBe('10010');
    expect((await login({ password: ADMIN.password, t: 'made-up-challenge-value', captcha: 'abcd' })).body.code).toBe('10010');
    const drawUnknown = await call(server, 'GET', '/auth/captcha?t=made-up-challenge-value&format=json');
    expect(drawUnknown.body.code).toBe('10010');
  });

  it('a t expires after its lifetime (5 min), captcha solved or not', async () => {
    const { t, answer } = await challenge();
    server.clock.advance(301);
    expect((await login({ password: ADMIN.password, t, captcha: answer })).body.code).toBe('10010');
  });
});
