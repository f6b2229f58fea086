import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { httpFrom } from './helpers/http-from.js';
import { SETUP, startSecurityServer } from './helpers/security-server.js';

const A = '127.0.0.2';
const B = '127.0.0.3';
const C = '127.0.0.4';

/**
 * Captcha policy `after-failures` (DUOTOKEN_CAPTCHA_AFTER_FAILURES=3): a
 * captcha is demanded only once an account, or an address, has failed 3
 * times (OWASP ASVS 5.0 V6.3.1 and V2.4 anti-automation; CWE-307).
 */
describe('captcha after failures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({
      DUOTOKEN_CAPTCHA: 'after-failures',
      DUOTOKEN_CAPTCHA_AFTER_FAILURES: '3',
      DUOTOKEN_RATE_LIMITS: 'off',
    });
    for (const account of ['ann', 'ben', 'cat'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  async function challenge(from: string, solve: boolean): Promise<{ t: string; captcha?: string; required: boolean }> {
    const res = await httpFrom(server, from, 'GET', '/auth/get_t');
    const data = res.body!.data as { t: string; captcha_required: boolean };
    if (!solve) return { t: data.t, required: data.captcha_required };
    await httpFrom(server, from, 'GET', `/auth/captcha?t=${data.t}`);
    return { t: data.t, captcha: await captchaAnswer(server, data.t), required: data.captcha_required };
  }
  async function login(from: string, account: string, password: string, solve = false) {
    const { t, captcha } = await challenge(from, solve);
    return httpFrom(server, from, 'POST', '/auth/login', { account, password, t, captcha });
  }

  it('a fresh client is told no captcha is needed and logs in without one (t still required)', async () => {
    expect((await challenge(A, false)).required).toBe(false);
    expect((await login(A, 'ann', 'ann-password')).status).toBe(200);
    const noT = await httpFrom(server, A, 'POST', '/auth/login', { account: 'ann', password: 'ann-password' });
    expect(noT.body?.code).toBe('10010');
  });

  it('after 3 failures of an account, its login demands a captcha from any address; solving it lets the right password in', async () => {
    for (const from of [A, B, A]) expect((await login(from, 'ben', 'wrong-password')).body?.code).toBe('10020');
    const demanded = await login(C, 'ben', 'ben-password');
    expect(demanded.status).toBe(400);
    expect(demanded.body).toMatchObject({ code: '10011', data: { captcha_required: true } });
    expect((await login(C, 'ben', 'ben-password', true)).status).toBe(200);
    // Success reset the account's counter: no captcha any more.
    expect((await login(C, 'ben', 'ben-password')).status).toBe(200);
  });

  it('unknown account names count the same way', async () => {
    for (let i = 0; i < 3; i++) await login(C, 'no-such-user', 'whatever-password', true);
    expect((await login(C, 'no-such-user', 'whatever-password')).body?.code).toBe('10011');
  });

  it("after 3 failures from an address, get_t says captcha_required and every login from it needs one; other addresses don't", async () => {
    const spray = '127.0.0.9';
    expect((await challenge(spray, false)).required).toBe(false);
    for (const account of ['x1', 'x2', 'x3']) await login(spray, account, 'guess-password');
    expect((await challenge(spray, false)).required).toBe(true);
    expect((await login(spray, 'cat', 'cat-password')).body?.code).toBe('10011');
    expect((await login(spray, 'cat', 'cat-password', true)).status).toBe(200);
    expect((await challenge('127.0.0.10', false)).required).toBe(false);
    expect((await login('127.0.0.10', 'cat', 'cat-password')).status).toBe(200);
  });

  it('the address is forgiven after the window (15 min by default)', async () => {
    const spray = '127.0.0.11';
    for (const account of ['y1', 'y2', 'y3']) await login(spray, account, 'guess-password');
    expect((await challenge(spray, false)).required).toBe(true);
    server.clock.advance(15 * 60);
    expect((await challenge(spray, false)).required).toBe(false);
  });
});
