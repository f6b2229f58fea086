import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import { likeText } from './like-pattern.js';
import { PreparedQuery } from './prepared-query.js';
import type { CompaniesTable, Database } from './schema.js';

export type CompanyRow = Selectable<CompaniesTable>;

/** A company with its number of members. */
export type CompanyWithMembers = CompanyRow & { members: number };

/** What a company listing filters on; every field optional. */
export interface CompanyFilter {
  /** Substring of the name (case-insensitive; `%` and `_` literal). */
  search?: string;
  status?: 'active' | 'disabled';
  /** Only these companies (an empty list matches none). */
  ids?: readonly number[];
}

/** A member of a company, with what an administrator sees of the user. */
export interface CompanyMemberRow {
  userId: number;
  account: string;
  name: string;
  status: 'active' | 'disabled';
  roles: string[];
  isDefault: boolean;
}

function whereCompanies<O>(query: SelectQueryBuilder<Database, 'companies', O>, f: CompanyFilter) {
  let q = query;
  if (f.search) q = q.where(likeText(sql`lower(companies.name)`, f.search.toLowerCase(), 'anywhere'));
  if (f.status) q = q.where('companies.status', '=', f.status);
  if (f.ids !== undefined) q = f.ids.length ? q.where('companies.id', 'in', [...f.ids]) : q.where(sql<boolean>`1 = 0`);
  return q;
}

/** A user's membership of a company, joined with the company. */
export interface MembershipView {
  companyId: number;
  companyName: string;
  companyStatus: 'active' | 'disabled';
  roles: string[];
  isDefault: boolean;
}

/**
 * The membership columns of a read that left-joins `memberships` and
 * `companies` to a user: one row per membership, one row of nulls when there
 * is none (`/auth/me`'s read, the second step's).
 */
export const MEMBERSHIP_COLUMNS = [
  'companies.id as m_company_id',
  'companies.name as m_company_name',
  'companies.status as m_company_status',
  'memberships.roles as m_roles',
  'memberships.is_default as m_is_default',
] as const;

/** A row of such a read, as far as its membership goes. */
export interface MembershipColumns {
  m_company_id: number | null;
  m_company_name: string | null;
  m_company_status: 'active' | 'disabled' | null;
  m_roles: string | null;
  m_is_default: number | null;
}

/** The memberships of such a read's rows (the row of nulls left out). */
export function membershipsOf(rows: readonly MembershipColumns[]): MembershipView[] {
  const memberships: MembershipView[] = [];
  for (const r of rows) {
    if (r.m_company_id === null || r.m_company_name === null || r.m_company_status === null || r.m_roles === null) continue;
    memberships.push({
      companyId: r.m_company_id,
      companyName: r.m_company_name,
      companyStatus: r.m_company_status,
      roles: JSON.parse(r.m_roles) as string[],
      isDefault: r.m_is_default === 1,
    });
  }
  return memberships;
}

/** Statements of the hot paths (`/auth/me`), compiled once per store. */
export function companyQueries() {
  return {
    memberships: new PreparedQuery((db, p: { userId: number }) =>
      db
        .selectFrom('memberships')
        .innerJoin('companies', 'companies.id', 'memberships.company_id')
        .select([
          'companies.id as companyId',
          'companies.name as companyName',
          'companies.status as companyStatus',
          'memberships.roles as roles',
          'memberships.is_default as isDefault',
        ])
        .where('memberships.user_id', '=', p.userId)
        .orderBy('companies.id'),
    ),
  };
}

/** Companies (tenants) and memberships. */
export function companiesRepo(db: Kysely<Database>, q: ReturnType<typeof companyQueries>) {
  return {
    createCompany(input: { name: string; now: number }): Promise<CompanyRow> {
      return db
        .insertInto('companies')
        .values({ name: input.name, status: 'active', created_at: input.now })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    findCompany(id: number): Promise<CompanyRow | undefined> {
      return db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** A page of companies matching the filter, by id, each with its number of members. */
    async listCompaniesPage(page: CompanyFilter & { limit: number; offset: number }): Promise<CompanyWithMembers[]> {
      const rows = await whereCompanies(db.selectFrom('companies').selectAll('companies'), page)
        .select((eb) =>
          eb
            .selectFrom('memberships')
            .select((m) => m.fn.countAll<number | string | bigint>().as('n'))
            .whereRef('memberships.company_id', '=', 'companies.id')
            .as('members'),
        )
        .orderBy('companies.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return rows.map((r) => ({ ...r, members: Number(r.members ?? 0) }));
    },
    /** How many companies match the filter. */
    async countCompanies(filter: CompanyFilter): Promise<number> {
      const row = await whereCompanies(db.selectFrom('companies'), filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Renames and/or enables/disables a company; the updated row, or undefined when there is none. */
    updateCompany(id: number, change: { name?: string; status?: 'active' | 'disabled' }): Promise<CompanyRow | undefined> {
      return db.updateTable('companies').set(change).where('id', '=', id).returningAll().executeTakeFirst();
    },
    /** A page of a company's members, by user id. */
    async listCompanyMembers(companyId: number, page: { limit: number; offset: number }): Promise<CompanyMemberRow[]> {
      const rows = await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.account', 'users.name', 'users.status', 'memberships.roles', 'memberships.is_default'])
        .where('memberships.company_id', '=', companyId)
        .orderBy('users.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return rows.map((r) => ({
        userId: r.id,
        account: r.account,
        name: r.name,
        status: r.status,
        roles: JSON.parse(r.roles) as string[],
        isDefault: r.is_default === 1,
      }));
    },
    async countCompanyMembers(companyId: number): Promise<number> {
      const row = await db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('company_id', '=', companyId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Adds a membership, or replaces its roles when it exists. */
    async upsertMembership(input: { userId: number; companyId: number; roles: string[]; isDefault: boolean; now: number }) {
      await db
        .insertInto('memberships')
        .values({
          user_id: input.userId,
          company_id: input.companyId,
          roles: JSON.stringify(input.roles),
          is_default: input.isDefault ? 1 : 0,
          created_at: input.now,
        })
        .onConflict((oc) =>
          oc.columns(['user_id', 'company_id']).doUpdateSet({ roles: JSON.stringify(input.roles), is_default: input.isDefault ? 1 : 0 }),
        )
        .execute();
    },
    async removeMembership(userId: number, companyId: number): Promise<boolean> {
      const r = await db.deleteFrom('memberships').where('user_id', '=', userId).where('company_id', '=', companyId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** Roles of a user in an active company, or undefined when not a member (or the company is disabled). */
    async findMembershipRoles(userId: number, companyId: number): Promise<string[] | undefined> {
      const row = await db
        .selectFrom('memberships')
        .innerJoin('companies', 'companies.id', 'memberships.company_id')
        .select('memberships.roles')
        .where('memberships.user_id', '=', userId)
        .where('memberships.company_id', '=', companyId)
        .where('companies.status', '=', 'active')
        .executeTakeFirst();
      return row ? (JSON.parse(row.roles) as string[]) : undefined;
    },
    async listMemberships(userId: number): Promise<MembershipView[]> {
      const rows = await q.memberships.execute(db, { userId });
      return rows.map((r) => ({ ...r, roles: JSON.parse(r.roles) as string[], isDefault: r.isDefault === 1 }));
    },
  };
}
