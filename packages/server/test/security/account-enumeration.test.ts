import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Answer } from '../helpers/standard-client.js';
import type { TestServer } from '../helpers/test-server.js';
import { login, SETUP, startSecurityServer } from './helpers/security-server.js';

/** Status, body and headers of an answer, without what differs per request anyway. */
function shape(answer: Answer) {
  const headers = Object.fromEntries([...answer.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)));
  return { status: answer.status, body: answer.body, headers };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * A guesser learns nothing about which accounts exist (OWASP ASVS 5.0
 * V6.3.8; CWE-203 observable discrepancy, CWE-204 response discrepancy,
 * CWE-208 timing discrepancy; SPEC §6 10020/10021/10022).
 */
describe('unknown accounts and wrong passwords look the same', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_LOCKOUT_THRESHOLD: '100',
      DUOTOKEN_LOCKOUT_HARD_LIMIT: '0',
    });
    for (const account of ['real0', 'lockme'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  it('same status, body and headers (minus date and request id) for an unknown account and a wrong password', async () => {
    for (const lang of ['zh-CN', 'en']) {
      const attempt = (account: string) =>
        call(server, 'POST', '/auth/login', { json: { account, password: 'some-password' }, headers: { 'accept-language': lang } }).then(
          shape,
        );
      const unknown = await attempt('ghost-account');
      const wrong = await attempt('real0');
      expect(unknown.status).toBe(401);
      expect(unknown.body.code).toBe('10020');
      expect(wrong).toEqual(unknown);
    }
  });

  it('a lockout looks the same for a real and an unknown account', async () => {
    const { lockout } = server.runtime.services;
    // Lock both at the same instant through the public route, 100 failures each (threshold 100 here).
    for (let i = 0; i < 100; i++) {
      await login(server, 'lockme', 'wrong-password');
      await login(server, 'ghost-lockme', 'wrong-password');
    }
    expect(await lockout.failures(lockout.keyOf('lockme'))).toBe(100);
    const real = await login(server, 'lockme', 'lockme-password').then(shape);
    const ghost = await login(server, 'ghost-lockme', 'lockme-password').then(shape);
    expect(real.status).toBe(423);
    expect(ghost).toEqual(real);
  });
});

describe('unknown accounts and wrong passwords take the same time (CWE-208)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // argon2 a little dearer than the 1 MiB of the other tests (about 10 ms a verify), so that skipping
    // the dummy verification for unknown accounts would show as a difference well above 5 ms.
    server = await startSecurityServer({
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_LOCKOUT_THRESHOLD: '100',
      DUOTOKEN_LOCKOUT_HARD_LIMIT: '0',
      DUOTOKEN_ARGON2_MEMORY_KIB: '8192',
      DUOTOKEN_ARGON2_ITERATIONS: '5',
    });
    for (let i = 0; i < 8; i++) {
      const account = `real${i}`;
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
    }
  });
  afterAll(() => server.close());

  it('the median time of the two answers differs by less than 5 ms over 200 interleaved tries each', async () => {
    const timed = async (account: string, into: number[]) => {
      const start = performance.now();
      const res = await login(server, account, 'definitely-wrong');
      into.push(performance.now() - start);
      expect(res.body.code).toBe('10020');
    };
    // Warm-up: the dummy hash is computed on first use, JIT and connection pool settle.
    for (let i = 0; i < 10; i++) await timed(i % 2 ? 'real0' : 'ghost-warm', []);
    // A second round only when the first was over the bound, so that a burst of load on a shared
    // 2-core box does not fail the test; a missing defence (about 10 ms) fails both rounds.
    const rounds: string[] = [];
    for (let round = 0; round < 2; round++) {
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 200; i++) {
        // 4 accounts of each kind per round, 50 tries each: below the lockout threshold (100), so every try does the full work.
        const real = `real${round * 4 + (i % 4)}`;
        const ghost = `ghost-${round}-${i % 4}`;
        if (i % 2) {
          await timed(real, known);
          await timed(ghost, unknown);
        } else {
          await timed(ghost, unknown);
          await timed(real, known);
        }
      }
      const difference = Math.abs(median(known) - median(unknown));
      rounds.push(`median known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms`);
      if (difference < 5) return;
    }
    expect.fail(`timing differs by 5 ms or more: ${rounds.join('; ')}`);
  });
});
