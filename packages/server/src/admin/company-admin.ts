import { AuthError } from '../errors/auth-error.js';
import type { CompanyFilter } from '../store/companies-repo.js';
import { AdminScope, type Actor } from './admin-scope.js';
import type { AdminDeps } from './admin-deps.js';
import { checkName } from './check-name.js';
import { companyMemberView, adminCompanyView, pageOf, type CompanyMemberView, type AdminCompanyView, type Page } from './admin-views.js';
import { recordAdminAction } from './record-admin-action.js';

const notFound = () => new AuthError('NOT_FOUND', { details: { field: 'company_id' } });

/**
 * Companies as administrators manage them: platform admins create, rename,
 * disable and enable any; company admins see and rename their own. Disabling
 * a company revokes the sessions bound to it.
 */
export class CompanyAdmin {
  constructor(private readonly deps: Pick<AdminDeps, 'store' | 'clock' | 'changes' | 'audit'>) {}

  /** A page of the companies the actor may see, by id, with their number of members. */
  async list(query: Omit<CompanyFilter, 'ids'> & { limit: number; offset: number }, actor: Actor): Promise<Page<AdminCompanyView>> {
    const scope = await AdminScope.resolve(this.deps.store, actor);
    const filter = { ...query, ids: scope.companyFilter };
    const [rows, total] = await Promise.all([this.deps.store.listCompaniesPage(filter), this.deps.store.countCompanies(filter)]);
    return pageOf(
      rows.map((r) => adminCompanyView(r, r.members)),
      total,
      query.offset,
    );
  }

  /** One company (NOT_FOUND outside the actor's scope). */
  async get(companyId: number, actor: Actor): Promise<AdminCompanyView> {
    const scope = await AdminScope.resolve(this.deps.store, actor);
    scope.requireCompany(companyId);
    const company = await this.deps.store.findCompany(companyId);
    if (!company) throw notFound();
    return adminCompanyView(company, await this.deps.store.countCompanyMembers(companyId));
  }

  /** Creates a company (platform admins). */
  async create(name: string, actor: Actor): Promise<AdminCompanyView> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    const company = await this.deps.store.createCompany({ name: checkName(name), now: this.deps.clock.now() });
    await recordAdminAction(this.deps.audit, actor, 'company.create', { company_id: company.id });
    return adminCompanyView(company, 0);
  }

  /**
   * Renames a company (its admins may) and/or sets its status (platform
   * admins only). Disabling revokes every live session bound to it; its
   * members can no longer switch to it or log in to it.
   */
  async update(companyId: number, change: { name?: string; status?: 'active' | 'disabled' }, actor: Actor): Promise<AdminCompanyView> {
    const scope = await AdminScope.resolve(this.deps.store, actor);
    scope.requireCompany(companyId);
    if (change.status !== undefined) scope.requirePlatform();
    if (change.name === undefined && change.status === undefined) throw new AuthError('INVALID_REQUEST', { details: { field: 'name' } });
    const name = change.name === undefined ? undefined : checkName(change.name);
    const company = await this.deps.store.transaction(async (tx) => {
      const updated = await tx.updateCompany(companyId, { name, status: change.status });
      if (!updated) throw notFound();
      const disabling = change.status === 'disabled';
      const revoked = disabling ? await this.deps.changes.revoke({ companyId }, 'company_disabled', actor, tx) : [];
      const details = { company_id: companyId, name, status: change.status, sessions_revoked: disabling ? revoked.length : undefined };
      await recordAdminAction(this.deps.audit, actor, 'company.update', details, tx);
      return updated;
    });
    return adminCompanyView(company, await this.deps.store.countCompanyMembers(companyId));
  }

  /** A page of a company's members with their roles (NOT_FOUND outside the actor's scope). */
  async members(companyId: number, page: { limit: number; offset: number }, actor: Actor): Promise<Page<CompanyMemberView>> {
    const scope = await AdminScope.resolve(this.deps.store, actor);
    scope.requireCompany(companyId);
    if (!(await this.deps.store.findCompany(companyId))) throw notFound();
    const [rows, total] = await Promise.all([
      this.deps.store.listCompanyMembers(companyId, page),
      this.deps.store.countCompanyMembers(companyId),
    ]);
    return pageOf(rows.map(companyMemberView), total, page.offset);
  }
}
