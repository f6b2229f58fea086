import { describe, expect, it } from 'vitest';
import { addressBucket } from '../../src/auth/rate-limiter.js';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { FakeClock } from '@duotoken/test-kit/fake-clock';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { httpFrom, type RawAnswer } from './helpers/http-from.js';
import { serversPerTest, SETUP } from './helpers/security-server.js';

const A = '127.0.0.2';
const B = '127.0.0.3';
const C = '127.0.0.4';

/** The request of each limited action, as any client may send it (no valid credentials needed). */
const ACTIONS = {
  get_t: ['GET', '/auth/get_t', undefined],
  captcha: ['GET', '/auth/captcha?t=some-challenge-value', undefined],
  login: ['POST', '/auth/login', { account: 'someone', password: 'some-password' }],
  refresh: ['POST', '/auth/refresh-token', { refresh_token: 'not-a-refresh-token' }],
} as const;
type Action = keyof typeof ACTIONS;
const hit = (server: TestServer, from: string, action: Action) => {
  const [method, path, json] = ACTIONS[action];
  return httpFrom(server, from, method, path, json);
};

/**
 * Per-IP and global request limits on the unauthenticated endpoints, 429 +
 * Retry-After (RFC 6585 §4; OWASP ASVS 5.0 V2.4.1 anti-automation, V6.3.1;
 * OWASP API4:2023 unrestricted resource consumption; CWE-770, CWE-799),
 * counted in the EphemeralStore so that instances sharing it share the limits.
 */
describe('request rate limits', () => {
  const start = serversPerTest();

  for (const action of Object.keys(ACTIONS) as Action[])
    it(`${action}: 3 per IP per minute, the 4th is 429/10023 with Retry-After; other IPs unaffected; the window reopens`, async () => {
      const upper = action.toUpperCase();
      const s = await start({ [`DUOTOKEN_RATE_LIMIT_${upper}_IP`]: '3', DUOTOKEN_RATE_LIMIT_WINDOW: '1m' });
      for (let i = 0; i < 3; i++) expect((await hit(s, A, action)).status).not.toBe(429);
      const limited = await hit(s, A, action);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: '10023', data: { retry_after: 60 } });
      expect(limited.headers['retry-after']).toBe('60');
      expect((await hit(s, B, action)).status).not.toBe(429);
      s.clock.advance(30);
      expect((await hit(s, A, action)).headers['retry-after']).toBe('30');
      s.clock.advance(30);
      expect((await hit(s, A, action)).status).not.toBe(429);
    });

  it('the global limit holds across addresses', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMIT_LOGIN_GLOBAL: '4' });
    for (const from of [A, A, B, B]) expect((await hit(s, from, 'login')).body?.code).toBe('10020');
    const limited = await hit(s, C, 'login');
    expect(limited.status).toBe(429);
    expect(limited.body?.code).toBe('10023');
  });

  it('a request refused for its address does not use up the global budget', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMIT_LOGIN_IP: '1', DUOTOKEN_RATE_LIMIT_LOGIN_GLOBAL: '3' });
    await hit(s, A, 'login');
    for (let i = 0; i < 10; i++) expect((await hit(s, A, 'login')).status).toBe(429);
    expect((await hit(s, B, 'login')).body?.code).toBe('10020');
    expect((await hit(s, C, 'login')).body?.code).toBe('10020');
  });

  it('two instances sharing one EphemeralStore share the limits (what a Redis store gives a cluster)', async () => {
    const clock = new FakeClock();
    const shared = new MemoryEphemeralStore(clock);
    const env = { DUOTOKEN_RATE_LIMIT_LOGIN_IP: '3' };
    const one = await start(env, { ephemeral: shared, clock });
    const two = await start(env, { ephemeral: shared, clock });
    await hit(one, A, 'login');
    await hit(one, A, 'login');
    await hit(two, A, 'login');
    expect((await hit(two, A, 'login')).status).toBe(429);
    expect((await hit(one, A, 'login')).status).toBe(429);
  });

  it('DUOTOKEN_RATE_LIMITS=off lifts the request limits, and account lockout still holds', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_RATE_LIMIT_LOGIN_IP: '3' });
    await s.runtime.services.admin.createUser({ account: 'flood', password: 'flood-password' }, SETUP);
    const codes: string[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await httpFrom(s, A, 'POST', '/auth/login', { account: 'flood', password: 'wrong-password' })).body!.code);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('10020'));
    expect(codes.slice(10)).toEqual(['10021', '10021']);
  });

  it('IPv6 clients are counted per /64, IPv4-mapped addresses as IPv4', () => {
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(addressBucket('2001:db8:1:2::1')).not.toBe(addressBucket('2001:db8:1:3::1'));
    expect(addressBucket('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressBucket('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressBucket('192.0.2.7')).toBe('192.0.2.7');
  });
});

/**
 * Everyone's budget counts only requests that passed their cheap checks (a
 * live `t` and its captcha, a refresh token whose HMAC verifies, an account
 * that is not locked): 21 addresses sending junk must not lock real users
 * out (issue #12 finding 3; OWASP API4:2023; CWE-770).
 */
describe('junk does not use up the global budgets (#12.3)', () => {
  const start = serversPerTest(async (s) => {
    await s.runtime.services.admin.createUser({ account: 'real-user', password: 'real-user-password' }, SETUP);
  });
  /** Sends `n` requests, alternating between the addresses A and B (the attacker). */
  const junk = async (n: number, send: (from: string, i: number) => Promise<RawAnswer>) => {
    const codes = new Set<string | undefined>();
    for (let i = 0; i < n; i++) codes.add((await send(i % 2 ? A : B, i)).body?.code);
    return [...codes];
  };
  /** get_t, captcha and a login with the right password from `from`, as a real client does. */
  const realLogin = async (s: TestServer, from: string) => {
    const t = ((await httpFrom(s, from, 'GET', '/auth/get_t')).body!.data as { t: string }).t;
    await httpFrom(s, from, 'GET', `/auth/captcha?t=${t}`);
    const captcha = await captchaAnswer(s, t);
    return httpFrom(s, from, 'POST', '/auth/login', { account: 'real-user', password: 'real-user-password', t, captcha });
  };

  it('#12.3 logins with a bogus t or a wrong captcha (no hash) leave the global login budget to real users', async () => {
    const s = await start({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMIT_LOGIN_GLOBAL: '5' });
    const bogusT = await junk(20, (from, i) =>
      httpFrom(s, from, 'POST', '/auth/login', { account: 'real-user', password: 'x', t: `bogus-${i}` }),
    );
    expect(bogusT).toEqual(['10010']);
    const wrongCaptcha = await junk(6, async (from) => {
      const t = ((await httpFrom(s, from, 'GET', '/auth/get_t')).body!.data as { t: string }).t;
      return httpFrom(s, from, 'POST', '/auth/login', { account: 'real-user', password: 'x', t, captcha: 'nope' });
    });
    expect(wrongCaptcha).toEqual(['10011']);
    const real = await realLogin(s, C);
    expect(real.status).toBe(200);
    expect(real.body?.code).toBe('00000');
  });

  it('#12.3 garbage refresh tokens (HMAC does not verify) leave the global refresh budget to real sessions', async () => {
    const s = await start({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_RATE_LIMIT_REFRESH_GLOBAL: '5' });
    const pair = (await httpFrom(s, C, 'POST', '/auth/login', { account: 'real-user', password: 'real-user-password' })).body!.data as {
      refresh_token: string;
    };
    const [jti] = pair.refresh_token.split('.');
    const forged = await junk(20, (from, i) =>
      httpFrom(s, from, 'POST', '/auth/refresh-token', { refresh_token: i % 3 ? `garbage-${i}` : `${jti}.${'A'.repeat(43)}` }),
    );
    expect(forged).toEqual(['10024']);
    const real = await httpFrom(s, C, 'POST', '/auth/refresh-token', { refresh_token: pair.refresh_token });
    expect(real.status).toBe(200);
  });

  it('#12.3 captcha drawings for an unknown t leave the global captcha budget to real clients', async () => {
    const s = await start({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMIT_CAPTCHA_GLOBAL: '5' });
    expect(await junk(20, (from, i) => httpFrom(s, from, 'GET', `/auth/captcha?t=bogus-${i}&format=json`))).toEqual(['10010']);
    expect((await realLogin(s, C)).status).toBe(200);
  });

  it('#12.3 logins without t (mmm, lin-cms): refused by the account lock they cost no hash and are not counted; each one that costs a hash is', async () => {
    const s = await start({ DUOTOKEN_DIALECTS: 'standard,mmm', DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMIT_LOGIN_GLOBAL: '12' });
    const mmmLogin = (from: string, account: string, password: string) => httpFrom(s, from, 'POST', '/auth/login', { account, password });
    // 10 guesses cost 10 hashes and use 10 of the 12; the account is then locked.
    expect(await junk(10, (from) => mmmLogin(from, 'real-user', 'guess-password'))).toEqual(['10020']);
    expect(await junk(30, (from) => mmmLogin(from, 'real-user', 'guess-password'))).toEqual(['10021']);
    // The locked account's 30 refusals were not counted: two more logins fit, the third is over budget.
    await s.runtime.services.admin.createUser({ account: 'other-user', password: 'other-user-password' }, SETUP);
    expect((await mmmLogin(C, 'other-user', 'other-user-password')).status).toBe(200);
    expect((await mmmLogin(C, 'nobody-at-all', 'guess-password')).body?.code).toBe('10020');
    const over = await mmmLogin(C, 'other-user', 'other-user-password');
    expect(over.status).toBe(429);
    expect(over.body?.code).toBe('10023');
  });
});
