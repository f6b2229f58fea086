import type {
  AdminCompanyView,
  AdminSessionView,
  AdminUserView as UserView,
  AuditEventView,
  CompanyMemberView,
  Page,
} from '@duotoken/protocol';
import { outcomeOf } from '../audit/audit-outcome.js';
import { describeDevice } from '../sessions/device-name.js';
import type { AuditEventRow } from '../store/audit-repo.js';
import type { CompanyMemberRow, CompanyRow } from '../store/companies-repo.js';
import type { LiveSessionWithUser } from '../store/sessions-repo.js';
import type { UserRow } from '../store/users-repo.js';

/** Unix seconds of a stored unix-ms time. */
export const seconds = (ms: number | string | bigint): number => Math.floor(Number(ms) / 1000);

// The wire shapes are the protocol's (shared with the console); the server maps its rows onto them.
export type {
  AdminCompanyView,
  AdminSessionView,
  AdminUserDetail as UserDetail,
  AdminUserView as UserView,
  AuditEventView,
  CompanyMemberView,
  Page,
} from '@duotoken/protocol';

/** A page from its items, the total and where it started. */
export function pageOf<T>(items: T[], total: number, offset: number): Page<T> {
  const next = offset + items.length;
  return { items, total, next_offset: items.length > 0 && next < total ? next : null };
}

export function userView(u: UserRow): UserView {
  return { id: u.id, account: u.account, name: u.name, status: u.status, is_admin: u.is_admin === 1, created_at: seconds(u.created_at) };
}

export function adminCompanyView(c: CompanyRow, members: number): AdminCompanyView {
  return { id: c.id, name: c.name, status: c.status, created_at: seconds(c.created_at), members };
}

export function companyMemberView(m: CompanyMemberRow): CompanyMemberView {
  return { user: { id: m.userId, account: m.account, name: m.name, status: m.status }, roles: m.roles, is_default: m.isDefault };
}

export function adminSessionView(s: LiveSessionWithUser): AdminSessionView {
  return {
    id: s.id,
    user: { id: s.user_id, account: s.account, name: s.user_name },
    company_id: s.company_id,
    device_type: s.device_type,
    ip: s.ip,
    user_agent: s.user_agent,
    device: describeDevice(s.user_agent),
    created_at: seconds(s.created_at),
    last_used_at: seconds(s.last_used_at),
    expires_at: seconds(s.expires_at),
  };
}

export function auditEventView(r: AuditEventRow): AuditEventView {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    // Only duotoken writes this column; a row that is not JSON shows no details rather than failing the page.
  }
  return {
    id: Number(r.id),
    at: seconds(r.at),
    type: r.type,
    outcome: outcomeOf(r.type),
    actor_id: r.user_id,
    subject_id: r.subject_id,
    user_id: r.user_id,
    session_id: r.session_id,
    ip: r.ip,
    details,
  };
}
