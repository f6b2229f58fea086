import { describe, expect, it } from 'vitest';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { httpFrom, type RawAnswer } from './helpers/http-from.js';
import { bearer, login, loginOk, serversPerTest, SETUP } from './helpers/security-server.js';

const A = '127.0.0.2';
const B = '127.0.0.3';
const C = '127.0.0.4';
const D = '127.0.0.5';

/**
 * `POST /auth/password` checks the old password, so it is a password oracle
 * for anyone holding an access token: its checks count toward the account
 * lockout and the login limits like a login's, and they wait in the same
 * bounded hash queue, which refuses at once (10023) when full instead of
 * making every other login wait (issue #12 finding 4; CWE-307, CWE-770;
 * OWASP ASVS 5.0 V6.3.1; OWASP API4:2023).
 */
describe('the old-password check of POST /auth/password', () => {
  const start = serversPerTest(async (s) => {
    await s.runtime.services.admin.createUser({ account: 'mallory', password: 'mallory-password' }, SETUP);
  });
  const guess = (s: TestServer, token: string, oldPassword: string, from = A): Promise<RawAnswer> =>
    httpFrom(s, from, 'POST', '/auth/password', { old_password: oldPassword, new_password: 'a-new-long-password' }, bearer(token));
  const tally = (answers: RawAnswer[]) =>
    answers.reduce<Record<string, number>>((t, a) => ({ ...t, [a.body!.code]: (t[a.body!.code] ?? 0) + 1 }), {});

  it('#12.4 wrong old passwords count toward the account lockout: the 11th answers 10021, and so does a login with the right password (CWE-307)', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMITS: 'off' });
    const token = (await loginOk(s, 'mallory', 'mallory-password')).access_token;
    for (let i = 0; i < 10; i++)
      expect((await guess(s, token, `guess-${i}`)).body).toMatchObject({ code: '10020', data: { field: 'old_password' } });
    const locked = await guess(s, token, 'mallory-password');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: '10021', data: { retry_after: 60 } });
    expect(locked.headers['retry-after']).toBe('60');
    expect((await login(s, 'mallory', 'mallory-password')).body.code).toBe('10021');
  });

  it('#12.4 of 50 parallel old-password guesses with one token at most 10 are evaluated', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_ARGON2_MEMORY_KIB: '4096', DUOTOKEN_ARGON2_ITERATIONS: '2' });
    const token = (await loginOk(s, 'mallory', 'mallory-password')).access_token;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => guess(s, token, `guess-${i}`)));
    expect(tally(answers)).toEqual({ '10020': 10, '10021': 40 });
  });

  it('#12.4 old-password checks count toward the per-address and the global login limits (429/10023)', async () => {
    const s = await start({ DUOTOKEN_RATE_LIMIT_LOGIN_IP: '3', DUOTOKEN_RATE_LIMIT_LOGIN_GLOBAL: '5' });
    const token = (
      (await httpFrom(s, B, 'POST', '/auth/login', { account: 'mallory', password: 'mallory-password' })).body!.data as {
        access_token: string;
      }
    ).access_token;
    for (let i = 0; i < 3; i++) expect((await guess(s, token, `guess-${i}`, A)).body?.code).toBe('10020');
    const perAddress = await guess(s, token, 'guess-3', A);
    expect(perAddress.status).toBe(429);
    expect(perAddress.body).toMatchObject({ code: '10023' });
    expect(perAddress.headers['retry-after']).toBe('60');
    // One login and three guesses so far: the fifth check in the window is the last one everyone gets.
    expect((await guess(s, token, 'guess-4', C)).body?.code).toBe('10020');
    expect((await guess(s, token, 'guess-5', D)).body?.code).toBe('10023');
  });

  it('#12.4 a flood of password checks is refused with 10023 and Retry-After once the hash queue is full; refused checks are not counted as failures', async () => {
    const s = await start({
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_LOCKOUT_THRESHOLD: '100',
      DUOTOKEN_LOCKOUT_HARD_LIMIT: '0',
      DUOTOKEN_HASH_CONCURRENCY: '1',
      DUOTOKEN_HASH_QUEUE: '2',
      DUOTOKEN_ARGON2_MEMORY_KIB: '8192',
      DUOTOKEN_ARGON2_ITERATIONS: '3',
    });
    const token = (await loginOk(s, 'mallory', 'mallory-password')).access_token;
    const answers = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => guess(s, token, `guess-${i}`)),
      httpFrom(s, B, 'POST', '/auth/login', { account: ADMIN.account, password: ADMIN.password }),
    ]);
    const flood = answers.slice(0, 40);
    const counts = tally(flood);
    expect(Object.keys(counts).sort()).toEqual(['10020', '10023']);
    expect(counts['10020']).toBeGreaterThanOrEqual(3);
    for (const refused of flood.filter((a) => a.body!.code === '10023')) {
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
    }
    const { lockout } = s.runtime.services;
    expect(await lockout.failures(lockout.keyOf('mallory'))).toBe(counts['10020']);
    // The login in the middle of the flood was answered one way or the other, never left waiting behind it.
    expect(['00000', '10023']).toContain(answers[40]!.body?.code);
  });
});
