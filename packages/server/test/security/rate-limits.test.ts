import { afterEach, describe, expect, it } from 'vitest';
import { addressBucket } from '../../src/auth/rate-limiter.js';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import type { TestServer } from '../helpers/test-server.js';
import { httpFrom } from './helpers/http-from.js';
import { SETUP, startSecurityServer } from './helpers/security-server.js';

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
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const start = async (env: Record<string, string>, overrides = {}) => {
    const s = await startSecurityServer(env, overrides);
    servers.push(s);
    return s;
  };

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
