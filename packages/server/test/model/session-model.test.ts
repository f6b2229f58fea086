import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireServices, type WiredServices } from '../helpers/wire-services.js';
import { openPostgresTarget, openSqliteTarget, PG_URL, warnNotRun, type StoreTarget } from '../store/store-targets.js';
import { Coverage } from './life-cycle-observer.js';
import { loginEveryUser, sessionCommands, type Real } from './session-commands.js';
import type { ModelLimits, ModelState } from './session-model.js';

/**
 * Issue #14 item 8: random interleavings of logins, refreshes, replays of any
 * earlier token, concurrent refreshes, logouts, password changes, company
 * switches, role changes and clock advances, run against the real services
 * beside a reference model (session-model.ts); after every step the rows are
 * checked for the four invariants, against the model, and against the
 * declared life cycle (src/sessions/session-states.ts). docs/architecture.md
 * "The session life cycle" says what is checked; a failure prints the seed
 * and the shrunk command sequence.
 */

const SEED = Number(process.env.DUOTOKEN_MODEL_SEED ?? 1414);
const PASSWORD = 'Correct-Horse-Battery-0';

/**
 * Two sets of short lifetimes, so that runs of a few dozen steps cross the
 * grace window, the idle limit and both lifetimes. Between them every
 * declared transition is reachable: a token that expires while its session
 * lives needs refresh tokens shorter-lived than the idle limit (`short`), the
 * reuse of a token of an idle session needs them longer-lived (`long`).
 */
const PROFILES = {
  short: { accessTtlS: 20, refreshTtlS: 60, sessionMaxAgeS: 150, idleTimeoutS: 80 },
  long: { accessTtlS: 20, refreshTtlS: 100, sessionMaxAgeS: 90, idleTimeoutS: 40 },
} as const;

function limitsFor(target: StoreTarget['name'], profile: keyof typeof PROFILES): ModelLimits {
  return {
    ...PROFILES[profile],
    // PostgreSQL judges the window on its own clock: real time must pass to cross it, so it is short there.
    graceS: target === 'postgres' ? 1 : 10,
    realTimeGrace: target === 'postgres',
  };
}

/** One model run per profile over a store of `open`, each adding to `coverage`. */
function sessionModel(
  name: StoreTarget['name'],
  open: () => Promise<StoreTarget>,
  profile: keyof typeof PROFILES,
  options: { runs: number; maxCommands: number },
  coverage: Coverage,
) {
  let wired: WiredServices;
  let companies: number[];
  const limits = limitsFor(name, profile);

  beforeAll(async () => {
    wired = await wireServices(open, {
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_ACCESS_TTL: String(limits.accessTtlS),
      DUOTOKEN_REFRESH_TTL: String(limits.refreshTtlS),
      DUOTOKEN_SESSION_MAX_AGE: String(limits.sessionMaxAgeS),
      DUOTOKEN_SESSION_IDLE_TIMEOUT: String(limits.idleTimeoutS),
      DUOTOKEN_REFRESH_GRACE: String(limits.graceS),
    });
    const now = wired.clock.now();
    companies = [
      (await wired.services.store.createCompany({ name: 'North', now })).id,
      (await wired.services.store.createCompany({ name: 'South', now })).id,
    ];
  });
  afterAll(() => wired?.dispose());

  /** A fresh pair of users (both members of both companies) in the shared store, logged in once each, and the model of them. */
  async function setup(): Promise<{ model: ModelState; real: Real }> {
    const { services, clock } = wired;
    const now = clock.now();
    const hash = await services.hasher.hash(PASSWORD);
    const users = [];
    for (let i = 0; i < 2; i++) {
      const account = `m${randomBytes(5).toString('hex')}`;
      const user = await services.store.createUser({ account, name: account, passwordHash: hash, isAdmin: false, now });
      for (const [c, companyId] of companies.entries())
        await services.store.upsertMembership({ userId: user.id, companyId, roles: ['staff'], isDefault: c === 0, now });
      users.push({ id: user.id, account, password: PASSWORD });
    }
    const model: ModelState = { limits, nowMs: now, users, companies, sessions: [], tokens: [] };
    const real: Real = { services, clock, coverage, runStartMs: now };
    await loginEveryUser(model, real);
    return { model, real };
  }

  it(`#14.8 ${options.runs} random interleavings (${profile} lifetimes) keep the four invariants, agree with the model and take only declared transitions`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(sessionCommands(limits), { maxCommands: options.maxCommands, size: 'max' }), (commands) =>
        fc.asyncModelRun(setup, commands),
      ),
      { numRuns: options.runs, seed: SEED },
    );
  }, 120_000);
}

const RUNS = Number(process.env.DUOTOKEN_MODEL_RUNS ?? 80);

describe('session life cycle model: sqlite', () => {
  const coverage = new Coverage();
  sessionModel('sqlite', openSqliteTarget, 'short', { runs: RUNS, maxCommands: 40 }, coverage);
  sessionModel('sqlite', openSqliteTarget, 'long', { runs: RUNS, maxCommands: 40 }, coverage);
  it('#14.8 the runs took every transition and every REFRESH_STEPS cell the table declares (none is fiction)', () => {
    // With another DUOTOKEN_MODEL_SEED a rare transition can be missed: more DUOTOKEN_MODEL_RUNS reach it.
    expect(coverage.missing(), `declared in session-states.ts but never taken (seed ${SEED}, ${RUNS} runs per profile)`).toEqual([]);
  });
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'session life cycle model on PostgreSQL');
describe.skipIf(!PG_URL)('session life cycle model: postgres (DUOTOKEN_TEST_PG_URL)', () => {
  const coverage = new Coverage();
  // Fewer runs: crossing the window there takes a real second. Coverage is the SQLite half's to prove; here it is reported.
  sessionModel('postgres', () => openPostgresTarget(PG_URL!, { poolSize: 8 }), 'long', { runs: 8, maxCommands: 30 }, coverage);
  afterAll(() => {
    const missing = coverage.missing();
    if (missing.length) console.warn(`session model on PostgreSQL: not reached in these runs: ${missing.join('; ')}`);
  });
});
