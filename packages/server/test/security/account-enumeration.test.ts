import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Answer } from '@duotoken/test-kit/standard-client';
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

/** How far apart (as a ratio) the two answers' times may be: a missing dummy verify makes unknown names 2-4× faster here. */
const MAX_RATIO = 1.4;

/**
 * Times wrong-password logins of a known and an unknown account back to
 * back, in pairs (alternating which goes first), and judges the median of the
 * per-pair ratios unknown ÷ known: load on a shared machine slows both halves
 * of a pair alike, so the ratio stays near 1 when the paths are equal, on a
 * fast, slow or loaded machine. At most `pairs` pairs or `budgetMs` (at least
 * 20 pairs), so the time is bounded; up to two rounds, the second only when
 * the first was out of bounds, so that a burst of other work does not decide.
 * A missing defence fails both.
 */
async function sameTime(server: TestServer, known: string[], { pairs = 60, budgetMs = 10_000 } = {}) {
  const timed = async (account: string) => {
    const start = performance.now();
    const res = await login(server, account, 'definitely-wrong');
    expect(res.body.code).toBe('10020');
    return performance.now() - start;
  };
  // Warm-up: the dummy hash is made on first use; JIT and connections settle.
  for (let i = 0; i < 6; i++) await timed(i % 2 ? known[0]! : 'ghost-warm');
  const rounds: string[] = [];
  for (let round = 0; round < 2; round++) {
    const ratios: number[] = [];
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    const deadline = performance.now() + budgetMs;
    for (let i = 0; i < pairs && (i < 20 || performance.now() < deadline); i++) {
      const real = known[i % known.length]!;
      const ghost = `ghost-${round}-${i % known.length}`;
      let k: number;
      let u: number;
      if (i % 2) {
        k = await timed(real);
        u = await timed(ghost);
      } else {
        u = await timed(ghost);
        k = await timed(real);
      }
      knownMs.push(k);
      unknownMs.push(u);
      ratios.push(u / k);
    }
    const ratio = median(ratios);
    rounds.push(
      `${ratios.length} pairs: median unknown/known ${ratio.toFixed(2)} (known ${median(knownMs).toFixed(1)} ms, unknown ${median(unknownMs).toFixed(1)} ms)`,
    );
    if (ratio < MAX_RATIO && ratio > 1 / MAX_RATIO) return;
  }
  expect.fail(`timing differs: ${rounds.join('; ')}`);
}

/** Accounts `real0` … `real3` with their own passwords. */
async function createKnown(server: TestServer): Promise<string[]> {
  const accounts = ['real0', 'real1', 'real2', 'real3'];
  for (const account of accounts) await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  return accounts;
}

const NO_LOCKS = { DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_LOCKOUT_THRESHOLD: '100', DUOTOKEN_LOCKOUT_HARD_LIMIT: '0' };

describe('unknown accounts and wrong passwords take the same time (CWE-208)', () => {
  // The property is "the same path", not the cost: argon2 only needs to cost clearly more than the
  // rest of a login (here about twice as much), so that a missing dummy verify shows in the ratio.
  const COST = { memoryCost: 8192, timeCost: 3 };
  let server: TestServer;
  let known: string[];
  beforeAll(async () => {
    server = await startSecurityServer({
      ...NO_LOCKS,
      DUOTOKEN_ARGON2_MEMORY_KIB: String(COST.memoryCost),
      DUOTOKEN_ARGON2_ITERATIONS: String(COST.timeCost),
    });
    known = await createKnown(server);
  });
  afterAll(() => server.close());

  it('#12.14 the times of the two answers differ by less than 1.4× (median of paired ratios), in bounded time on any machine', async () => {
    await sameTime(server, known);
  });
});

describe('right after the argon2 cost is raised, unknown accounts still cost what known ones do (CWE-208)', () => {
  const OLD = { memoryCost: 2048, timeCost: 2 };
  const NEW = { memoryCost: 16384, timeCost: 4 };
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-raised-'));
  const costEnv = (p: typeof OLD) => ({ DUOTOKEN_ARGON2_MEMORY_KIB: String(p.memoryCost), DUOTOKEN_ARGON2_ITERATIONS: String(p.timeCost) });
  let server: TestServer;
  let known: string[];
  beforeAll(async () => {
    const before = await startSecurityServer({ ...NO_LOCKS, ...costEnv(OLD) }, { dataDir });
    known = await createKnown(before);
    await before.close();
    // Every stored hash has the old parameters: they are upgraded one successful login at a time.
    server = await startSecurityServer({ ...NO_LOCKS, ...costEnv(NEW) }, { dataDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('#12.7 the dummy verify takes the parameters of the stored hashes, not the configured ones', async () => {
    await sameTime(server, known);
  });
});
