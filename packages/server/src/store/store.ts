import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditQueries, auditRepo } from './audit-repo.js';
import { companiesRepo, companyQueries } from './companies-repo.js';
import type { DatabaseTraits } from './database-traits.js';
import { liveRotationQueries, liveRotationRepo } from './live-rotation-repo.js';
import { loginFailureQueries, loginFailuresRepo } from './login-failures-repo.js';
import { mfaQueries, mfaRepo } from './mfa-repo.js';
import type { OpenedDatabase } from './opened-database.js';
import type { BoundRepos } from './repos.js';
import { refreshTokenQueries, refreshTokensRepo } from './refresh-tokens-repo.js';
import type { Database } from './schema.js';
import type { GroupCommit } from './sqlite-group-commit.js';
import { secondStepQueries, secondStepRepo } from './second-step-repo.js';
import { sessionOpeningRepo } from './session-opening-repo.js';
import { sessionQueries, sessionsRepo } from './sessions-repo.js';
import { signingKeysRepo } from './signing-keys-repo.js';
import { userQueries, usersRepo } from './users-repo.js';
import { whoAmIQueries, whoAmIRepo } from './who-am-i-repo.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import { toAuthError } from './map-db-error.js';
import { retentionRepo, type RetentionRepo } from './retention-repo.js';
import { StoreHealth } from './store-health.js';

/**
 * Random bytes the write probe writes (as base64, so about 64 KiB). A full
 * disk leaves room for as much as the write that failed had claimed (SQLite's
 * WAL keeps the space a rolled-back transaction wrote into), so a one-row
 * probe would pass while a login still fails; a probe larger than any
 * request's write passes only once there is real room (#13.1). Random, so that
 * PostgreSQL cannot compress it away.
 */
const PROBE_BYTES = 48 * 1024;

/** Effects that must follow a transaction's end (the session fence: sessions/session-changes.ts). */
export interface SettledEffects {
  /**
   * Runs `effect` once the transaction these repos belong to has ended,
   * committed or not (a COMMIT that fails cannot tell whether it landed);
   * outside a transaction, at once. Effects are synchronous and must not throw.
   */
  whenSettled(effect: () => void): void;
}

/** Every repository, bound to one executor (the pool or a transaction), and the effects that wait for its end. */
export type Repos = BoundRepos & SettledEffects;

/** The hot path's prepared queries, compiled on first use with the store's dialect, and what the repos share beside them. */
type PreparedQueries = ReturnType<typeof preparedQueries>;

function preparedQueries(traits: DatabaseTraits, groupCommit: GroupCommit | undefined) {
  return {
    traits,
    groupCommit,
    users: userQueries(),
    companies: companyQueries(),
    sessions: sessionQueries(),
    refreshTokens: refreshTokenQueries(traits),
    liveRotation: liveRotationQueries(traits),
    whoAmI: whoAmIQueries(),
    audit: auditQueries(),
    loginFailures: loginFailureQueries(),
    mfa: mfaQueries(),
    secondStep: secondStepQueries(),
  };
}

function bindRepos(db: Kysely<Database>, q: PreparedQueries): BoundRepos {
  // Object.assign, not an object literal of nine spreads: on V8 the spread
  // literal costs ~25× more (≈70 µs on a 2-vCPU box), paid by every transaction.
  return Object.assign(
    {},
    usersRepo(db, q.users),
    companiesRepo(db, q.companies),
    sessionsRepo(db, q.sessions),
    refreshTokensRepo(db, q.refreshTokens),
    liveRotationRepo(db, q.liveRotation, q.sessions, q.refreshTokens, q.traits, q.groupCommit),
    sessionOpeningRepo(db, q.refreshTokens, q.audit, q.loginFailures, q.traits),
    whoAmIRepo(db, q.whoAmI),
    signingKeysRepo(db),
    auditRepo(db, q.audit),
    loginFailuresRepo(db, q.loginFailures, q.audit, q.traits),
    mfaRepo(db, q.mfa),
    secondStepRepo(db, q.secondStep, q.loginFailures, q.traits),
  );
}

/**
 * The durable store: purpose-named methods over Kysely, and `transaction()`
 * for work that must land whole or not at all. Driver errors leave here
 * classified (`CONFLICT`, `STORE_UNAVAILABLE`); every STORE_UNAVAILABLE is
 * also reported to `health`.
 */
export interface Store extends Repos, RetentionRepo {
  transaction<T>(work: (tx: Repos) => Promise<T>): Promise<T>;
  /**
   * For `/readyz`: a cheap read while the store is up; while it is down (a
   * call failed), a write probe, so that readiness stays false until writes
   * work again.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly opened: OpenedDatabase;
  /** Up, or down since a call failed with STORE_UNAVAILABLE; state changes are heard once each. */
  readonly health: StoreHealth;
}

/** Wraps an opened database in the Store interface. */
export function createStore(opened: OpenedDatabase): Store {
  const prepared = preparedQueries(opened.traits, opened.groupCommit);
  const repos = bindRepos(opened.db, prepared);
  const retention = retentionRepo(opened.db, opened.traits);
  const health = new StoreHealth(async () => {
    const row = { probed_at: Date.now(), payload: randomBytes(PROBE_BYTES).toString('base64') };
    await opened.db
      .insertInto('store_probe')
      .values({ id: 1, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  });
  const classify = (error: unknown): unknown => {
    const mapped = toAuthError(error);
    if (isAuthError(mapped) && mapped.code === 'STORE_UNAVAILABLE') health.failed(error);
    return mapped;
  };
  const guarded = Object.fromEntries(
    Object.entries({ ...repos, ...retention }).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (error) {
          throw classify(error);
        }
      },
    ]),
  ) as unknown as Repos & RetentionRepo;
  return {
    ...guarded,
    whenSettled: (effect) => effect(),
    opened,
    health,
    async transaction(work) {
      const effects: Array<() => void> = [];
      const whenSettled = (effect: () => void) => void effects.push(effect);
      try {
        return await opened.db.transaction().execute((trx) => work(Object.assign(bindRepos(trx, prepared), { whenSettled })));
      } catch (error) {
        throw classify(error);
      } finally {
        for (const effect of effects) effect();
      }
    },
    async ping() {
      if (!health.up) {
        if (await health.recover()) return;
        throw new AuthError('STORE_UNAVAILABLE', { message: 'the store cannot write yet' });
      }
      try {
        await opened.db.selectFrom('users').select('id').limit(1).execute();
      } catch (error) {
        throw classify(error);
      }
    },
    async close() {
      health.stop();
      await opened.release?.();
      await opened.db.destroy();
    },
  };
}
