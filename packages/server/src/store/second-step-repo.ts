import type { Kysely, QueryCreator } from 'kysely';
import { MEMBERSHIP_COLUMNS, membershipsOf, type MembershipColumns, type MembershipView } from './companies-repo.js';
import type { DatabaseTraits } from './database-traits.js';
import { perSchedule, reserveAttempt, type LockSchedule, type loginFailureQueries } from './login-failures-repo.js';
import type { MfaTotpRow } from './mfa-repo.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database } from './schema.js';
import type { UserRow } from './users-repo.js';

/** The second step's reservation and the user it is for. */
export interface SecondStepArgs {
  /** The lockout key of the login (the password's). */
  key: string;
  now: number;
  schedule: LockSchedule;
  userId: number;
}

/** What the second step of a login needs before it checks the code, read with its attempt reserved. */
export interface SecondStepStart {
  /** False when the key is locked, or at its bound of attempts in flight: nothing was reserved. */
  reserved: boolean;
  /** Undefined when the user is gone. */
  user: UserRow | undefined;
  /** By company id (for the session the login opens). */
  memberships: MembershipView[];
  /** The TOTP row (sealed secret), if the user has one. */
  totp: MfaTotpRow | undefined;
}

/**
 * The user, memberships and TOTP row, one row per membership (one row when
 * there is none); on PostgreSQL joined to the reservation (a data-modifying
 * CTE) so that there is always one row saying whether it reserved.
 */
function selectStart(db: QueryCreator<Database>) {
  return db
    .selectFrom('users')
    .leftJoin('memberships', 'memberships.user_id', 'users.id')
    .leftJoin('companies', 'companies.id', 'memberships.company_id')
    .leftJoin('mfa_totp', 'mfa_totp.user_id', 'users.id')
    .selectAll('users')
    .select([
      ...MEMBERSHIP_COLUMNS,
      'mfa_totp.secret_sealed as t_secret_sealed',
      'mfa_totp.enabled_at as t_enabled_at',
      'mfa_totp.last_step as t_last_step',
      'mfa_totp.created_at as t_created_at',
    ]);
}

/** The second step's statements, compiled once per store (and lock schedule). */
export function secondStepQueries() {
  return {
    /** PostgreSQL: the reservation and the read in one statement, one round trip. */
    reserveAndRead: perSchedule(
      (schedule) =>
        new PreparedQuery((db, p: { key: string; now: number; staleBefore: number; userId: number }) =>
          db
            .with('r', (d) => reserveAttempt(d, schedule, p))
            .selectFrom((eb) =>
              eb
                .selectFrom('r')
                .select((e) => e.fn.countAll<number | string>().as('reserved'))
                .as('rr'),
            )
            .leftJoin(selectStart(db).where('users.id', '=', p.userId).as('s'), (join) => join.onTrue())
            .selectAll()
            .orderBy('s.m_company_id'),
        ),
    ),
    /** Elsewhere: the read alone, after the reservation (SQLite runs in-process: no round trip to save). */
    read: new PreparedQuery((db, p: { userId: number }) => selectStart(db).where('users.id', '=', p.userId).orderBy('companies.id')),
  };
}

type StartRow = Partial<UserRow> &
  MembershipColumns & {
    t_secret_sealed: string | null;
    t_enabled_at: number | null;
    t_last_step: number | null;
    t_created_at: number | null;
  };

/** The rows of `selectStart` as one `SecondStepStart`. */
function startOf(reserved: boolean, rows: readonly StartRow[]): SecondStepStart {
  const first = rows[0];
  if (!first || first.id === null || first.id === undefined) return { reserved, user: undefined, memberships: [], totp: undefined };
  const user: UserRow = {
    id: first.id,
    account: first.account!,
    name: first.name!,
    password_hash: first.password_hash!,
    status: first.status!,
    is_admin: first.is_admin!,
    created_at: first.created_at!,
    updated_at: first.updated_at!,
  };
  const memberships = membershipsOf(rows);
  const totp =
    first.t_secret_sealed === null
      ? undefined
      : {
          user_id: user.id,
          secret_sealed: first.t_secret_sealed,
          enabled_at: first.t_enabled_at,
          last_step: Number(first.t_last_step),
          created_at: Number(first.t_created_at),
        };
  return { reserved, user, memberships, totp };
}

/**
 * The start of a login's second step as one capability: its attempt reserved
 * in the password's lockout, and what the check and the session need read
 * (user, memberships, TOTP). On PostgreSQL one statement instead of four
 * round trips; elsewhere the reservation, then the read.
 */
export function secondStepRepo(
  db: Kysely<Database>,
  q: ReturnType<typeof secondStepQueries>,
  lockout: ReturnType<typeof loginFailureQueries>,
  traits: DatabaseTraits,
) {
  return {
    async startSecondStep(a: SecondStepArgs): Promise<SecondStepStart> {
      const reservation = { key: a.key, now: a.now, staleBefore: a.now - a.schedule.inflightStaleMs };
      if (traits.supportsWritableCtes) {
        const rows = await q.reserveAndRead(a.schedule).execute(db, { ...reservation, userId: a.userId });
        return startOf(Number(rows[0]?.reserved ?? 0) === 1, rows as unknown as StartRow[]);
      }
      const reserved = (await lockout.reserve(a.schedule).execute(db, reservation)).length === 1;
      try {
        return startOf(reserved, (await q.read.execute(db, { userId: a.userId })) as StartRow[]);
      } catch (error) {
        // A read that fails leaves no attempt in flight: the caller sees the error, not a reservation.
        if (reserved) await lockout.release.execute(db, { key: a.key });
        throw error;
      }
    },
  };
}
