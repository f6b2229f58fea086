import type { AuditLog } from '../audit/audit-log.js';
import { HARD_LOCK_UNTIL, type Lockout } from '../auth/lockout.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { SessionView } from '@duotoken/protocol';
import type { PasswordPolicy, SessionService } from '../sessions/session-service.js';
import type { AuditFilter } from '../store/audit-repo.js';
import type { Store } from '../store/store.js';
import type { CompanyRow } from '../store/companies-repo.js';
import { normalizeAccount, type UserRow } from '../store/users-repo.js';

/** A user as administrators see it (never the hash). */
export interface UserView {
  id: number;
  account: string;
  name: string;
  status: 'active' | 'disabled';
  is_admin: boolean;
  created_at: number;
}

/** A user with memberships and lockout state (`GET /admin/users/:user`). */
export interface UserDetail extends UserView {
  companies: Array<{ id: number; name: string; roles: string[]; is_default: boolean }>;
  lockout: {
    failures: number;
    /** Unix seconds; null when not locked. */
    locked_until: number | null;
    /** Locked past the hard limit: waiting does not help, an unlock or password reset does. */
    admin_unlock_required: boolean;
  };
}

/** An audit event as administrators read it. */
export interface AuditEventView {
  id: number;
  /** Unix seconds. */
  at: number;
  type: string;
  user_id: number | null;
  session_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface CompanyView {
  id: number;
  name: string;
  status: 'active' | 'disabled';
  created_at: number;
}

/** Who performs an administrative action (a user, or the CLI operator). */
export interface Actor {
  userId: number | null;
  ip: string | null;
}

const ACCOUNT_PATTERN = /^[\p{L}\p{N}._@+-]{1,128}$/u;

/**
 * User, company and membership administration, shared by the CLI and the
 * admin API. Every change that affects outstanding tokens revokes or fences
 * the sessions concerned.
 */
export class AdminService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      hasher: PasswordHasher;
      sessions: SessionService;
      audit: AuditLog;
      checkPassword: PasswordPolicy;
      /** Lets admins unlock accounts; a password reset clears the lockout too. */
      lockout?: Lockout;
    },
  ) {}

  async createUser(input: { account: string; password: string; name?: string; isAdmin?: boolean }, actor: Actor): Promise<UserView> {
    const account = normalizeAccount(input.account);
    if (!ACCOUNT_PATTERN.test(account)) throw new AuthError('INVALID_REQUEST', { details: { field: 'account' } });
    this.deps.checkPassword(input.password);
    const passwordHash = await this.deps.hasher.hash(input.password);
    const { store, clock } = this.deps;
    if (await store.findUserByAccount(account)) throw new AuthError('CONFLICT', { details: { field: 'account' } });
    const user = await store.createUser({
      account,
      name: input.name ?? account,
      passwordHash,
      isAdmin: input.isAdmin ?? false,
      now: clock.now(),
    });
    await this.audit(actor, 'user.create', { user_id: user.id, account });
    return userView(user);
  }

  async listUsers(page: { search?: string; limit: number; offset: number }): Promise<UserView[]> {
    return (await this.deps.store.listUsers(page)).map(userView);
  }

  /** A page of users and the offset of the next page (null on the last). */
  async listUsersPage(page: {
    search?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: UserView[]; next_offset: number | null }> {
    const rows = await this.deps.store.listUsers({ ...page, limit: page.limit + 1 });
    return { items: rows.slice(0, page.limit).map(userView), next_offset: rows.length > page.limit ? page.offset + page.limit : null };
  }

  async findUser(idOrAccount: string | number): Promise<UserView> {
    return userView(await this.requireUser(idOrAccount));
  }

  /** A user with their memberships and lockout state. */
  async userDetail(idOrAccount: string | number): Promise<UserDetail> {
    const user = await this.requireUser(idOrAccount);
    const memberships = await this.deps.store.listMemberships(user.id);
    const state = this.deps.lockout ? await this.deps.lockout.state(this.deps.lockout.keyOf(user.account)) : undefined;
    const hard = state?.lockedUntil === HARD_LOCK_UNTIL;
    return {
      ...userView(user),
      companies: memberships.map((m) => ({ id: m.companyId, name: m.companyName, roles: m.roles, is_default: m.isDefault })),
      lockout: {
        failures: state?.failures ?? 0,
        locked_until: state?.lockedUntil && !hard ? Math.ceil(state.lockedUntil / 1000) : null,
        admin_unlock_required: hard,
      },
    };
  }

  /** Clears a user's failed-login counter and lockout (also one past the hard limit). */
  async unlock(idOrAccount: string | number, actor: Actor): Promise<void> {
    const user = await this.requireUser(idOrAccount);
    await this.deps.lockout?.reset(this.deps.lockout.keyOf(user.account));
    await this.audit(actor, 'user.unlock', { user_id: user.id });
  }

  /** A user's live sessions. */
  async listUserSessions(idOrAccount: string | number): Promise<SessionView[]> {
    const user = await this.requireUser(idOrAccount);
    return this.deps.sessions.list(user.id, null);
  }

  /** Revokes one session of a user (NOT_FOUND when it is not theirs or not live), or all with `sessionId` undefined. */
  async revokeUserSessions(idOrAccount: string | number, sessionId: string | undefined, actor: Actor): Promise<string[]> {
    const user = await this.requireUser(idOrAccount);
    const ids = await this.deps.sessions.revoke(
      sessionId === undefined ? { userId: user.id } : { id: sessionId, userId: user.id },
      'revoked_by_admin',
      actor,
    );
    if (sessionId !== undefined && ids.length === 0) throw new AuthError('NOT_FOUND', { details: { field: 'session' } });
    return ids;
  }

  /** Audit events, newest first, paged by `before_id`. */
  async queryAudit(filter: AuditFilter): Promise<{ items: AuditEventView[]; next_before_id: number | null }> {
    const rows = await this.deps.store.queryAuditEvents(filter);
    const items = rows.map((r) => ({
      id: r.id,
      at: Math.floor(Number(r.at) / 1000),
      type: r.type,
      user_id: r.user_id,
      session_id: r.session_id,
      ip: r.ip,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
    return { items, next_before_id: rows.length === filter.limit ? (items.at(-1)?.id ?? null) : null };
  }

  /** Disables (revoking every session at once) or re-enables a user. */
  async setUserStatus(idOrAccount: string | number, status: 'active' | 'disabled', actor: Actor): Promise<UserView> {
    const user = await this.requireUser(idOrAccount);
    // An admin cannot lock themselves out through the API (the CLI acts as nobody and can).
    if (status === 'disabled' && actor.userId === user.id)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'user', reason: 'cannot disable yourself' } });
    await this.deps.store.setUserStatus(user.id, status, this.deps.clock.now());
    if (status === 'disabled') await this.deps.sessions.revoke({ userId: user.id }, 'user_disabled', actor);
    await this.audit(actor, status === 'disabled' ? 'user.disable' : 'user.enable', { user_id: user.id });
    return userView({ ...user, status });
  }

  /** Sets a new password and revokes every session of the user. */
  async resetPassword(idOrAccount: string | number, password: string, actor: Actor): Promise<void> {
    const user = await this.requireUser(idOrAccount);
    this.deps.checkPassword(password);
    await this.deps.store.setPasswordHash(user.id, await this.deps.hasher.hash(password), this.deps.clock.now());
    await this.deps.sessions.revoke({ userId: user.id }, 'password_reset', actor);
    await this.deps.lockout?.reset(this.deps.lockout.keyOf(user.account));
    await this.audit(actor, 'user.password_reset', { user_id: user.id });
  }

  async createCompany(name: string, actor: Actor): Promise<CompanyView> {
    if (!name.trim() || name.length > 256) throw new AuthError('INVALID_REQUEST', { details: { field: 'name' } });
    const company = await this.deps.store.createCompany({ name: name.trim(), now: this.deps.clock.now() });
    await this.audit(actor, 'company.create', { company_id: company.id });
    return companyView(company);
  }

  async listCompanies(): Promise<CompanyView[]> {
    return (await this.deps.store.listCompanies()).map(companyView);
  }

  /**
   * Adds a member or changes its roles. The user's sessions in that company
   * are fenced (version bump): access tokens with the old roles stop working
   * at once, and the next refresh carries the new roles.
   */
  async setMembership(user: string | number, companyId: number, roles: string[], actor: Actor, isDefault = false) {
    const u = await this.requireUser(user);
    const company = await this.deps.store.findCompany(companyId);
    if (!company) throw new AuthError('NOT_FOUND', { details: { field: 'company_id' } });
    if (roles.length > 64 || roles.some((r) => !/^[\p{L}\p{N}:._-]{1,64}$/u.test(r)))
      throw new AuthError('INVALID_REQUEST', { details: { field: 'roles' } });
    await this.deps.store.upsertMembership({ userId: u.id, companyId, roles, isDefault, now: this.deps.clock.now() });
    const fenced = await this.deps.sessions.bumpVersions(u.id, companyId);
    await this.audit(actor, 'member.set', { user_id: u.id, company_id: companyId, roles, sessions_fenced: fenced.length });
    return { user_id: u.id, company_id: companyId, roles, is_default: isDefault };
  }

  /** Removes a membership and revokes the user's sessions in that company. */
  async removeMembership(user: string | number, companyId: number, actor: Actor): Promise<void> {
    const u = await this.requireUser(user);
    if (!(await this.deps.store.removeMembership(u.id, companyId))) throw new AuthError('NOT_FOUND');
    const live = await this.deps.store.listLiveSessions(u.id, this.deps.clock.now());
    for (const s of live.filter((x) => x.company_id === companyId))
      await this.deps.sessions.revoke({ id: s.id }, 'membership_removed', actor);
    await this.audit(actor, 'member.remove', { user_id: u.id, company_id: companyId });
  }

  private async requireUser(idOrAccount: string | number): Promise<UserRow> {
    const { store } = this.deps;
    const user =
      typeof idOrAccount === 'number' || /^\d+$/.test(idOrAccount)
        ? ((await store.findUserById(Number(idOrAccount))) ?? (await store.findUserByAccount(String(idOrAccount))))
        : await store.findUserByAccount(idOrAccount);
    if (!user) throw new AuthError('NOT_FOUND', { details: { field: 'user' } });
    return user;
  }

  private audit(actor: Actor, action: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.record({ type: 'admin.action', userId: actor.userId, ip: actor.ip, details: { action, ...details } });
  }
}

function userView(u: UserRow): UserView {
  return {
    id: u.id,
    account: u.account,
    name: u.name,
    status: u.status,
    is_admin: u.is_admin === 1,
    created_at: Math.floor(Number(u.created_at) / 1000),
  };
}

function companyView(c: CompanyRow): CompanyView {
  return { id: c.id, name: c.name, status: c.status, created_at: Math.floor(Number(c.created_at) / 1000) };
}
