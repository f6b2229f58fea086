import { sql, type Kysely, type Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { Database, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

/** Normalises a login name: NFKC, trimmed, lower-case. Accounts are unique in this form. */
export function normalizeAccount(account: string): string {
  return account.normalize('NFKC').trim().toLowerCase();
}

/** Statements of the hot paths (`/auth/me`), compiled once per store. */
export function userQueries() {
  return {
    byId: new PreparedQuery((db, p: { id: number }) => db.selectFrom('users').selectAll().where('id', '=', p.id)),
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
      return db.selectFrom('users').selectAll().where('account', '=', normalizeAccount(account)).executeTakeFirst();
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
    /** A page of users, optionally filtered by a substring of account or name. */
    listUsers(page: { search?: string; limit: number; offset: number }): Promise<UserRow[]> {
      let query = db.selectFrom('users').selectAll().orderBy('id').limit(page.limit).offset(page.offset);
      if (page.search) {
        const like = `%${page.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        // ESCAPE is explicit: SQLite has no default escape character (PostgreSQL's is the backslash).
        query = query.where(sql<boolean>`(account like ${like} escape '\\' or lower(name) like ${like} escape '\\')`);
      }
      return query.execute();
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
