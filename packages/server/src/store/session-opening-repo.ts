import type { Kysely } from 'kysely';
import { auditColumns, type AuditEventInsert, type auditQueries } from './audit-repo.js';
import type { DatabaseTraits } from './database-traits.js';
import { forgiveAttempt, type loginFailureQueries } from './login-failures-repo.js';
import type { RefreshTokenInsert, refreshTokenQueries } from './refresh-tokens-repo.js';
import type { Database } from './schema.js';
import type { SessionInsert } from './sessions-repo.js';

/** The rows a login writes when it opens a session: the session, its first refresh token, its audit events. */
export interface SessionOpening {
  session: SessionInsert;
  refresh: RefreshTokenInsert;
  /** At least the login's own event. */
  events: readonly [AuditEventInsert, ...AuditEventInsert[]];
  /**
   * The lockout key whose attempt this login ends as right (its failures
   * forgiven, any lock lifted), written with the session: the second step
   * leaves its attempt open until then (`Lockout.attemptReading`).
   */
  forgive?: string | undefined;
}

/**
 * A login's session opened as one capability: on PostgreSQL one statement
 * (data-modifying CTEs; the refresh token's foreign key is checked at the
 * statement's end, when its session is there), so one round trip instead of
 * five or six (BEGIN, three inserts, the lockout's forgiveness, COMMIT);
 * elsewhere the same writes in one transaction. Either way all of it lands,
 * or none.
 */
export function sessionOpeningRepo(
  db: Kysely<Database>,
  tokens: ReturnType<typeof refreshTokenQueries>,
  audit: ReturnType<typeof auditQueries>,
  lockout: ReturnType<typeof loginFailureQueries>,
  traits: DatabaseTraits,
) {
  const inTransaction = async (o: SessionOpening, tx: Kysely<Database>) => {
    await tx.insertInto('sessions').values(o.session).execute();
    await tokens.insert.execute(tx, o.refresh);
    for (const event of o.events) await audit.insert.execute(tx, auditColumns(event));
    if (o.forgive !== undefined) await lockout.forgive.execute(tx, { key: o.forgive });
  };
  return {
    async openLoginSession(o: SessionOpening): Promise<void> {
      if (db.isTransaction) return inTransaction(o, db);
      if (!traits.supportsWritableCtes) return db.transaction().execute((tx) => inTransaction(o, tx));
      const forgive = o.forgive;
      const opening = db
        .with('s', (d) => d.insertInto('sessions').values(o.session).returning('id'))
        .with('r', (d) => d.insertInto('refresh_tokens').values(o.refresh).returning('jti'));
      await (forgive === undefined ? opening : opening.with('f', (d) => forgiveAttempt(d, forgive).returning('key')))
        .insertInto('audit_events')
        .values([...o.events])
        .execute();
    },
  };
}
