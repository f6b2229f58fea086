import type { Kysely } from 'kysely';
import { auditRepo } from './audit-repo.js';
import { companiesRepo, companyQueries } from './companies-repo.js';
import type { DialectTraits } from './dialect-traits.js';
import { loginFailuresRepo } from './login-failures-repo.js';
import type { OpenedDatabase } from './opened-database.js';
import { refreshTokenQueries, refreshTokensRepo } from './refresh-tokens-repo.js';
import type { Database } from './schema.js';
import { sessionQueries, sessionsRepo } from './sessions-repo.js';
import { signingKeysRepo } from './signing-keys-repo.js';
import { userQueries, usersRepo } from './users-repo.js';
import { toAuthError } from './map-db-error.js';

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

type BoundRepos = ReturnType<typeof usersRepo> &
  ReturnType<typeof companiesRepo> &
  ReturnType<typeof sessionsRepo> &
  ReturnType<typeof refreshTokensRepo> &
  ReturnType<typeof signingKeysRepo> &
  ReturnType<typeof auditRepo> &
  ReturnType<typeof loginFailuresRepo>;

/** The hot path's prepared queries; compiled on first use with the store's dialect. */
type PreparedQueries = ReturnType<typeof preparedQueries>;

function preparedQueries(traits: DialectTraits) {
  return { users: userQueries(), companies: companyQueries(), sessions: sessionQueries(), refreshTokens: refreshTokenQueries(traits) };
}

function bindRepos(db: Kysely<Database>, q: PreparedQueries): BoundRepos {
  // Object.assign, not an object literal of seven spreads: on V8 the spread
  // literal costs ~25× more (≈70 µs on a 2-vCPU box), paid by every transaction.
  return Object.assign(
    {},
    usersRepo(db, q.users),
    companiesRepo(db, q.companies),
    sessionsRepo(db, q.sessions),
    refreshTokensRepo(db, q.refreshTokens),
    signingKeysRepo(db),
    auditRepo(db),
    loginFailuresRepo(db),
  );
}

/**
 * The durable store: purpose-named methods over Kysely, and `transaction()`
 * for work that must land whole or not at all. Driver errors leave here
 * classified (`CONFLICT`, `STORE_UNAVAILABLE`).
 */
export interface Store extends Repos {
  transaction<T>(work: (tx: Repos) => Promise<T>): Promise<T>;
  /** Cheap round trip for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly opened: OpenedDatabase;
}

/** Wraps an opened database in the Store interface. */
export function createStore(opened: OpenedDatabase): Store {
  const prepared = preparedQueries(opened.traits);
  const repos = bindRepos(opened.db, prepared);
  const guarded = Object.fromEntries(
    Object.entries(repos).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (error) {
          throw toAuthError(error);
        }
      },
    ]),
  ) as unknown as Repos;
  return {
    ...guarded,
    whenSettled: (effect) => effect(),
    opened,
    async transaction(work) {
      const effects: Array<() => void> = [];
      const whenSettled = (effect: () => void) => void effects.push(effect);
      try {
        return await opened.db.transaction().execute((trx) => work(Object.assign(bindRepos(trx, prepared), { whenSettled })));
      } catch (error) {
        throw toAuthError(error);
      } finally {
        for (const effect of effects) effect();
      }
    },
    async ping() {
      try {
        await opened.db.selectFrom('users').select('id').limit(1).execute();
      } catch (error) {
        throw toAuthError(error);
      }
    },
    async close() {
      await opened.release?.();
      await opened.db.destroy();
    },
  };
}
