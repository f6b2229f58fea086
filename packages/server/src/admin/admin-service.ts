import type { MfaFactorCounts } from '../store/mfa-repo.js';
import type { SessionView } from '@duotoken/protocol';
import { HARD_LOCK_UNTIL } from '../auth/lockout.js';
import { AuthError } from '../errors/auth-error.js';
import type { MembershipView } from '../store/companies-repo.js';
import type { Repos } from '../store/store.js';
import { normalizeAccount, type UserPageQuery, type UserRow } from '../store/users-repo.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminScope, type Actor, type AdminRights } from './admin-scope.js';
import { pageOf, userView, type AdminCompanyView, type Page, type UserDetail, type UserView } from './admin-views.js';
import { AuditAdmin } from './audit-admin.js';
import { checkName } from './check-name.js';
import { CompanyAdmin } from './company-admin.js';
import { SessionAdmin } from './session-admin.js';
import { recordAdminAction } from './record-admin-action.js';
import { SystemAdmin } from './system-admin.js';

export type { Actor } from './admin-scope.js';
export type { AuditEventView, AdminCompanyView, UserDetail, UserView } from './admin-views.js';

const ACCOUNT_PATTERN = /^[\p{L}\p{N}._@+-]{1,128}$/u;
const ROLE_PATTERN = /^[\p{L}\p{N}:._-]{1,64}$/u;

function checkRoles(roles: readonly string[]): void {
  if (roles.length > 64 || roles.some((r) => !ROLE_PATTERN.test(r)))
    throw new AuthError('INVALID_REQUEST', { details: { field: 'roles' } });
}

/**
 * Administration shared by the CLI and the admin API: users and memberships
 * here; companies, sessions across users, the audit trail, keys and the
 * overview in the parts it holds. Every entry point takes the actor and
 * resolves its `AdminScope` (the one authorization check) before anything
 * else. Every change that affects outstanding tokens revokes or re-versions
 * the sessions concerned through `SessionChanges`, in the change's transaction.
 */
export class AdminService {
  readonly companies: CompanyAdmin;
  readonly sessions: SessionAdmin;
  readonly audit: AuditAdmin;
  readonly system: SystemAdmin;

  constructor(private readonly deps: AdminDeps) {
    this.companies = new CompanyAdmin(deps);
    this.sessions = new SessionAdmin(deps);
    this.audit = new AuditAdmin(deps);
    this.system = new SystemAdmin(deps);
  }

  /** What the actor may administer (`GET /admin/whoami`): the console shows its pages by it; the API enforces. */
  whoami(actor: Actor): Promise<AdminRights> {
    return AdminScope.rightsOf(this.deps.store, actor);
  }

  /**
   * Creates a user, with a membership of `companyId` (roles `roles`, their
   * default company) when given. Company admins must name one of their
   * companies and cannot create platform admins.
   */
  async createUser(
    input: { account: string; password: string; name?: string; isAdmin?: boolean; companyId?: number; roles?: string[] },
    actor: Actor,
  ): Promise<UserView> {
    const scope = await this.scopeOf(actor);
    scope.requireUserCreation(input);
    const account = normalizeAccount(input.account);
    if (!ACCOUNT_PATTERN.test(account)) throw new AuthError('INVALID_REQUEST', { details: { field: 'account' } });
    const name = input.name === undefined ? account : checkName(input.name);
    if (input.roles !== undefined && input.companyId === undefined)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'company_id' } });
    checkRoles(input.roles ?? []);
    const { store, clock } = this.deps;
    if (input.companyId !== undefined && !(await store.findCompany(input.companyId)))
      throw new AuthError('NOT_FOUND', { details: { field: 'company_id' } });
    this.deps.checkPassword(input.password);
    const passwordHash = await this.deps.hasher.hash(input.password);
    if (await store.findUserByAccount(account)) throw new AuthError('CONFLICT', { details: { field: 'account' } });
    const now = clock.now();
    const user = await store.transaction(async (tx) => {
      const created = await tx.createUser({ account, name, passwordHash, isAdmin: input.isAdmin ?? false, now });
      if (input.companyId !== undefined)
        await tx.upsertMembership({ userId: created.id, companyId: input.companyId, roles: input.roles ?? [], isDefault: true, now });
      return created;
    });
    await this.record(actor, 'user.create', { user_id: user.id, account, company_id: input.companyId, roles: input.roles });
    return userView(user);
  }

  /** A page of the users the actor may see, with the total. */
  async listUsersPage(query: Omit<UserPageQuery, 'memberOfAny'> & { companyId?: number }, actor: Actor): Promise<Page<UserView>> {
    const scope = await this.scopeOf(actor);
    const { companyId, ...rest } = query;
    if (companyId !== undefined) scope.requireCompany(companyId);
    const filter = { ...rest, memberOfAny: companyId !== undefined ? [companyId] : scope.companyFilter };
    const [rows, total] = await Promise.all([this.deps.store.listUsers(filter), this.deps.store.countUsersMatching(filter)]);
    return pageOf(rows.map(userView), total, query.offset);
  }

  /** A user with their memberships (those the actor may see) and lockout state. */
  async userDetail(idOrAccount: string | number, actor: Actor): Promise<UserDetail> {
    const scope = await this.scopeOf(actor);
    const { user, memberships } = await this.requireUser(idOrAccount);
    scope.requireVisibleUser(memberships);
    const state = await this.deps.lockout.state(this.deps.lockout.keyOf(user.account));
    const hard = state?.lockedUntil === HARD_LOCK_UNTIL;
    return {
      ...userView(user),
      companies: scope
        .visibleMemberships(memberships)
        .map((m) => ({ id: m.companyId, name: m.companyName, roles: m.roles, is_default: m.isDefault })),
      lockout: {
        failures: state?.failures ?? 0,
        locked_until: state?.lockedUntil && !hard ? Math.ceil(state.lockedUntil / 1000) : null,
        admin_unlock_required: hard,
      },
    };
  }

  /** Changes a user's display name. */
  async updateUser(idOrAccount: string | number, change: { name: string }, actor: Actor): Promise<UserView> {
    const user = await this.requireManageable(idOrAccount, actor);
    const name = checkName(change.name);
    await this.deps.store.setUserName(user.id, name, this.deps.clock.now());
    await this.record(actor, 'user.update', { user_id: user.id, fields: ['name'] });
    return userView({ ...user, name });
  }

  /** Clears a user's failed-login counter and lockout (also one past the hard limit). */
  async unlock(idOrAccount: string | number, actor: Actor): Promise<void> {
    const user = await this.requireManageable(idOrAccount, actor);
    await this.deps.lockout.reset(this.deps.lockout.keyOf(user.account));
    await this.record(actor, 'user.unlock', { user_id: user.id });
  }

  /** A user's live sessions (a company admin sees those in their companies). */
  async listUserSessions(idOrAccount: string | number, actor: Actor): Promise<SessionView[]> {
    const scope = await this.scopeOf(actor);
    const { user, memberships } = await this.requireUser(idOrAccount);
    scope.requireVisibleUser(memberships);
    return (await this.deps.sessions.list(user.id, null)).filter((s) => scope.hasCompany(s.company_id));
  }

  /**
   * Revokes every session of a user (`sessionId` undefined; the user must be
   * wholly the actor's), or one (NOT_FOUND when it is not theirs, not live or
   * not visible to the actor).
   */
  async revokeUserSessions(idOrAccount: string | number, sessionId: string | undefined, actor: Actor): Promise<string[]> {
    if (sessionId === undefined) {
      const user = await this.requireManageable(idOrAccount, actor);
      return this.deps.changes.revoke({ userId: user.id }, 'revoked_by_admin', actor);
    }
    const scope = await this.scopeOf(actor);
    const { user, memberships } = await this.requireUser(idOrAccount);
    scope.requireVisibleUser(memberships);
    return [await this.sessions.revokeInScope(sessionId, scope, actor, user.id)];
  }

  /** Disables (revoking every session at once) or re-enables a user. */
  async setUserStatus(idOrAccount: string | number, status: 'active' | 'disabled', actor: Actor): Promise<UserView> {
    const user = await this.requireManageable(idOrAccount, actor);
    // An admin cannot lock themselves out through the API (the CLI acts as nobody and can).
    if (status === 'disabled' && actor.userId === user.id)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'user', reason: 'cannot disable yourself' } });
    await this.deps.store.transaction(async (tx) => {
      await tx.setUserStatus(user.id, status, this.deps.clock.now());
      if (status === 'disabled') await this.deps.changes.revoke({ userId: user.id }, 'user_disabled', actor, tx);
      await this.record(actor, status === 'disabled' ? 'user.disable' : 'user.enable', { user_id: user.id }, tx);
    });
    return userView({ ...user, status });
  }

  /** Sets a new password and revokes every session of the user. */
  async resetPassword(idOrAccount: string | number, password: string, actor: Actor): Promise<void> {
    const user = await this.requireManageable(idOrAccount, actor);
    this.deps.checkPassword(password);
    const hash = await this.deps.hasher.hash(password);
    await this.deps.store.transaction(async (tx) => {
      await tx.setPasswordHash(user.id, hash, this.deps.clock.now());
      await tx.deleteMfaDevices(user.id);
      await this.deps.changes.revoke({ userId: user.id }, 'password_reset', actor, tx);
    });
    await this.deps.lockout.reset(this.deps.lockout.keyOf(user.account));
    await this.record(actor, 'user.password_reset', { user_id: user.id });
  }

  /**
   * Resets a user's second factors (TOTP, recovery codes, passkeys,
   * remembered devices) and ends every session of theirs, in one transaction
   * with its audit event (#15): the next login starts over (under the
   * `required` policies, with enrollment).
   */
  async resetMfa(idOrAccount: string | number, actor: Actor): Promise<void> {
    const user = await this.requireManageable(idOrAccount, actor);
    await this.deps.store.transaction(async (tx) => {
      await tx.deleteAllMfa(user.id);
      await this.deps.changes.revoke({ userId: user.id }, 'mfa_reset', actor, tx);
      await this.record(actor, 'user.mfa_reset', { user_id: user.id }, tx);
    });
  }

  /** A user's second factors, never a secret (visible users only). */
  async listMfa(idOrAccount: string | number, actor: Actor): Promise<MfaFactorCounts & { rememberedDevices: number }> {
    const scope = await this.scopeOf(actor);
    const { user, memberships } = await this.requireUser(idOrAccount);
    scope.requireVisibleUser(memberships);
    const counts = await this.deps.store.countMfaFactors(user.id);
    return { ...counts, rememberedDevices: (await this.deps.store.listMfaDevices(user.id, this.deps.clock.now())).length };
  }

  /** Creates a company (platform admins). */
  createCompany(name: string, actor: Actor): Promise<AdminCompanyView> {
    return this.companies.create(name, actor);
  }

  /**
   * Adds a member or changes its roles. The user's sessions in that company
   * are fenced (version bump): access tokens with the old roles stop working
   * at once, and the next refresh carries the new roles. Company admins act
   * on their companies' members only.
   */
  async setMembership(user: string | number, companyId: number, roles: string[], actor: Actor, isDefault = false) {
    const scope = await this.scopeOf(actor);
    scope.requireCompany(companyId);
    const { user: u, memberships } = await this.requireUser(user);
    scope.requireVisibleUser(memberships);
    if (!(await this.deps.store.findCompany(companyId))) throw new AuthError('NOT_FOUND', { details: { field: 'company_id' } });
    checkRoles(roles);
    await this.deps.store.transaction(async (tx) => {
      await tx.upsertMembership({ userId: u.id, companyId, roles, isDefault, now: this.deps.clock.now() });
      const fenced = await this.deps.changes.bumpVersions({ userId: u.id, companyId }, tx);
      await this.record(actor, 'member.set', { user_id: u.id, company_id: companyId, roles, sessions_fenced: fenced.length }, tx);
    });
    return { user_id: u.id, company_id: companyId, roles, is_default: isDefault };
  }

  /** Removes a membership and revokes the user's sessions in that company. */
  async removeMembership(user: string | number, companyId: number, actor: Actor): Promise<void> {
    const scope = await this.scopeOf(actor);
    scope.requireCompany(companyId);
    const { user: u, memberships } = await this.requireUser(user);
    scope.requireVisibleUser(memberships);
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.removeMembership(u.id, companyId))) throw new AuthError('NOT_FOUND');
      await this.deps.changes.revoke({ userId: u.id, companyId }, 'membership_removed', actor, tx);
      await this.record(actor, 'member.remove', { user_id: u.id, company_id: companyId }, tx);
    });
  }

  private scopeOf(actor: Actor): Promise<AdminScope> {
    return AdminScope.resolve(this.deps.store, actor);
  }

  /** The user (NOT_FOUND when there is none) and their memberships, for the scope to judge. */
  private async requireUser(idOrAccount: string | number): Promise<{ user: UserRow; memberships: MembershipView[] }> {
    const { store } = this.deps;
    const user =
      typeof idOrAccount === 'number' || /^\d+$/.test(idOrAccount)
        ? ((await store.findUserById(Number(idOrAccount))) ?? (await store.findUserByAccount(String(idOrAccount))))
        : await store.findUserByAccount(idOrAccount);
    if (!user) throw new AuthError('NOT_FOUND', { details: { field: 'user' } });
    return { user, memberships: await store.listMemberships(user.id) };
  }

  /** The user, when the actor may manage them (see `AdminScope.requireManageableUser`). */
  private async requireManageable(idOrAccount: string | number, actor: Actor): Promise<UserRow> {
    const scope = await this.scopeOf(actor);
    const { user, memberships } = await this.requireUser(idOrAccount);
    scope.requireManageableUser(user, memberships);
    return user;
  }

  private record(actor: Actor, action: string, details: Record<string, unknown>, tx?: Repos): Promise<void> {
    return recordAdminAction(this.deps.audit, actor, action, details, tx);
  }
}
