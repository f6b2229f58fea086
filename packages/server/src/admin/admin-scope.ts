import { AuthError } from '../errors/auth-error.js';
import type { MembershipView } from '../store/companies-repo.js';
import type { Store } from '../store/store.js';
import type { UserRow } from '../store/users-repo.js';

/** Who performs an administrative action: a user (over HTTP), or the operator (`userId: null`: the CLI, set-up code). */
export interface Actor {
  userId: number | null;
  ip: string | null;
}

/** The role that makes a member an administrator of that company. */
export const COMPANY_ADMIN_ROLE = 'admin';

/** What an actor may administer, as `GET /admin/whoami` tells the console. */
export interface AdminRights {
  platformAdmin: boolean;
  /** Active companies in which the actor holds the `admin` role. */
  companyAdminOf: number[];
}

const notFound = (field: string) => new AuthError('NOT_FOUND', { details: { field } });
const forbidden = (reason: string) => new AuthError('FORBIDDEN', { details: { reason } });

/**
 * The one authorization check of the admin API: every `AdminService` entry
 * point resolves the actor's scope first and asks it before reading or
 * changing anything. The rules, in one place:
 *
 * - **Platform admins** (`is_admin`, active) and the operator (CLI) may do everything.
 * - **Company admins** (role `admin` in an active company, read from the
 *   database on every call) act only inside the companies they administer:
 *   - a company outside them is NOT_FOUND, the same answer as one that does not exist;
 *   - a user is visible only as a member of one of them, else NOT_FOUND
 *     (exists elsewhere and does not exist answer alike);
 *   - a visible user is managed (name, password, unlock, disable/enable,
 *     revoke all sessions) only when every membership is in their companies
 *     and the user is no platform admin, else FORBIDDEN;
 *   - a session is visible only when its company is one of theirs (NOT_FOUND),
 *     and revoked only when it is not a platform admin's (FORBIDDEN);
 *   - they create users only into one of their companies and never as platform admins;
 *   - audit, keys, overview, creating and disabling companies: FORBIDDEN.
 * - Anyone else: FORBIDDEN on every admin route.
 */
export class AdminScope {
  private constructor(
    /** Platform admin or the operator: no restriction. */
    readonly platform: boolean,
    private readonly companies: ReadonlySet<number>,
  ) {}

  /** What `actor` may administer (no error: `whoami` answers it to anyone with a valid token). */
  static async rightsOf(store: Store, actor: Actor): Promise<AdminRights> {
    if (actor.userId === null) return { platformAdmin: true, companyAdminOf: [] };
    const user = await store.findUserById(actor.userId);
    if (!user || user.status !== 'active') return { platformAdmin: false, companyAdminOf: [] };
    const memberships = await store.listMemberships(user.id);
    return {
      platformAdmin: user.is_admin === 1,
      companyAdminOf: memberships
        .filter((m) => m.companyStatus === 'active' && m.roles.includes(COMPANY_ADMIN_ROLE))
        .map((m) => m.companyId),
    };
  }

  /** The scope of `actor`; FORBIDDEN when they administer nothing. */
  static async resolve(store: Store, actor: Actor): Promise<AdminScope> {
    const rights = await AdminScope.rightsOf(store, actor);
    if (!rights.platformAdmin && !rights.companyAdminOf.length) throw forbidden('admin only');
    return new AdminScope(rights.platformAdmin, new Set(rights.companyAdminOf));
  }

  /** FORBIDDEN unless a platform admin (or the operator). */
  requirePlatform(): void {
    if (!this.platform) throw forbidden('platform admin only');
  }

  /** Companies a listing is limited to: undefined for everything, else the administered ones. */
  get companyFilter(): readonly number[] | undefined {
    return this.platform ? undefined : [...this.companies];
  }

  /** Whether the company is inside the scope. */
  hasCompany(companyId: number | null): boolean {
    return this.platform || (companyId !== null && this.companies.has(companyId));
  }

  /** NOT_FOUND for a company outside the scope (whether it exists or not). */
  requireCompany(companyId: number): void {
    if (!this.hasCompany(companyId)) throw notFound('company_id');
  }

  /** NOT_FOUND for a user who is no member of a company inside the scope. */
  requireVisibleUser(memberships: readonly Pick<MembershipView, 'companyId'>[]): void {
    if (!this.platform && !memberships.some((m) => this.companies.has(m.companyId))) throw notFound('user');
  }

  /** A visible user's memberships as this scope may see them (a company admin sees their companies only). */
  visibleMemberships<T extends Pick<MembershipView, 'companyId'>>(memberships: readonly T[]): T[] {
    return memberships.filter((m) => this.hasCompany(m.companyId));
  }

  /** Visible (else NOT_FOUND), and wholly inside the scope and no platform admin (else FORBIDDEN). */
  requireManageableUser(user: Pick<UserRow, 'is_admin'>, memberships: readonly Pick<MembershipView, 'companyId'>[]): void {
    this.requireVisibleUser(memberships);
    if (this.platform) return;
    if (user.is_admin === 1) throw forbidden('platform admin');
    if (memberships.some((m) => !this.companies.has(m.companyId))) throw forbidden('member of another company');
  }

  /** NOT_FOUND for a session whose company is outside the scope. */
  requireVisibleSession(session: { company_id: number | null }): void {
    if (!this.hasCompany(session.company_id)) throw notFound('session');
  }

  /** Visible (else NOT_FOUND), and not a platform admin's unless this is the platform scope (else FORBIDDEN). */
  requireRevocableSession(session: { company_id: number | null }, ownerIsPlatformAdmin: boolean): void {
    this.requireVisibleSession(session);
    if (!this.platform && ownerIsPlatformAdmin) throw forbidden('platform admin');
  }

  /** Platform admins create any user; company admins only into one of their companies, never a platform admin. */
  requireUserCreation(input: { companyId?: number; isAdmin?: boolean }): void {
    if (this.platform) return;
    if (input.isAdmin) throw forbidden('platform admin only');
    if (input.companyId === undefined) throw new AuthError('INVALID_REQUEST', { details: { field: 'company_id' } });
    this.requireCompany(input.companyId);
  }
}
