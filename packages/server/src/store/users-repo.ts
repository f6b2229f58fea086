import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import { likeText } from './like-pattern.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

/** What a user listing filters on; every field optional. */
export interface UserFilter {
  /** Substring of the account or the name (case-insensitive; `%` and `_` literal). */
  search?: string;
  /** Only members of at least one of these companies (an empty list matches nobody). */
  memberOfAny?: readonly number[];
  status?: 'active' | 'disabled';
}

/** A page of a user listing; ties are broken by id. */
export interface UserPageQuery extends UserFilter {
  sort?: 'id' | 'account' | 'name' | 'created_at';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

function whereUsers<O>(query: SelectQueryBuilder<Database, 'users', O>, f: UserFilter): SelectQueryBuilder<Database, 'users', O> {
  let q = query;
  if (f.search) {
    const search = f.search.toLowerCase();
    q = q.where((eb) => eb.or([likeText(sql.ref('account'), search, 'anywhere'), likeText(sql`lower(name)`, search, 'anywhere')]));
  }
  if (f.status) q = q.where('status', '=', f.status);
  const companies = f.memberOfAny;
  if (companies !== undefined)
    q = companies.length
      ? q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('memberships')
              .select('memberships.user_id')
              .whereRef('memberships.user_id', '=', 'users.id')
              .where('memberships.company_id', 'in', [...companies]),
          ),
        )
      : q.where(sql<boolean>`1 = 0`);
  return q;
}

/** Normalises a login name: NFKC, trimmed, lower-case. Accounts are unique in this form. */
export function normalizeAccount(account: string): string {
  return account.normalize('NFKC').trim().toLowerCase();
}

/** Statements of the hot paths (`/auth/me`, logins), compiled once per store. */
export function userQueries() {
  return {
    byId: new PreparedQuery((db, p: { id: number }) => db.selectFrom('users').selectAll().where('id', '=', p.id)),
    byAccount: new PreparedQuery((db, p: { account: string }) => db.selectFrom('users').selectAll().where('account', '=', p.account)),
  };
}

/** Users: accounts, password hashes, status. */
export function usersRepo(db: Kysely<Database>, q: ReturnType<typeof userQueries>) {
  return {
    async createUser(input: { account: string; name: string; passwordHash: string; isAdmin: boolean; now: number }): Promise<UserRow> {
      return db
        .insertInto('users')
        .values({
          account: normalizeAccount(input.account),
          name: input.name,
          password_hash: input.passwordHash,
          status: 'active',
          is_admin: input.isAdmin ? 1 : 0,
          created_at: input.now,
          updated_at: input.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    findUserByAccount(account: string): Promise<UserRow | undefined> {
      return q.byAccount.executeTakeFirst(db, { account: normalizeAccount(account) });
    },
    findUserById(id: number): Promise<UserRow | undefined> {
      return q.byId.executeTakeFirst(db, { id });
    },
    async countUsers(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** A page of users matching the filter, sorted (default: by id, ascending). */
    listUsers(page: UserPageQuery): Promise<UserRow[]> {
      const order = page.order ?? 'asc';
      let query = whereUsers(db.selectFrom('users').selectAll(), page);
      // Names sort case-insensitively (accounts are lower-case already); ties by id keep pages stable.
      if (page.sort === 'name') query = query.orderBy(sql`lower(name)`, order);
      else if (page.sort === 'account' || page.sort === 'created_at') query = query.orderBy(page.sort, order);
      return query.orderBy('id', order).limit(page.limit).offset(page.offset).execute();
    },
    /** How many users match the filter (the `total` beside a page). */
    async countUsersMatching(filter: UserFilter): Promise<number> {
      const row = await whereUsers(db.selectFrom('users'), filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async setUserName(id: number, name: string, now: number): Promise<boolean> {
      const r = await db.updateTable('users').set({ name, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async setUserStatus(id: number, status: 'active' | 'disabled', now: number): Promise<boolean> {
      const r = await db.updateTable('users').set({ status, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Password hashes of up to `limit` users picked at random (the dummy hash imitates their parameters). */
    async sampleUserPasswordHashes(limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('users')
        .select('password_hash')
        .orderBy(sql`random()`)
        .limit(limit)
        .execute();
      return rows.map((r) => r.password_hash);
    },
    async setPasswordHash(id: number, passwordHash: string, now: number): Promise<boolean> {
      const r = await db.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
