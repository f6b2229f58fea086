import type { Kysely, Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { CompaniesTable, Database } from './schema.js';

export type CompanyRow = Selectable<CompaniesTable>;

/** A user's membership of a company, joined with the company. */
export interface MembershipView {
  companyId: number;
  companyName: string;
  companyStatus: 'active' | 'disabled';
  roles: string[];
  isDefault: boolean;
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
    listCompanies(): Promise<CompanyRow[]> {
      return db.selectFrom('companies').selectAll().orderBy('id').execute();
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
