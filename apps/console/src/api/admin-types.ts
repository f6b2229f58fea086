/**
 * Shapes of the admin API's answers, as the console names them: the wire
 * types are declared once in @duotoken/protocol (the server builds its answers
 * from the same declarations), so the two cannot drift. Times are unix seconds.
 */
import type {
  AdminCompanyView,
  AdminSessionView,
  AdminUserDetail,
  AdminUserMembership,
  AdminUserView,
  AuditEventView,
  OverviewView,
  SessionView,
  SigningKeyView,
  UserMfaView,
} from '@duotoken/protocol';

export type { AdminAccess, AuditPage, CompanyMemberView as CompanyMember, Page } from '@duotoken/protocol';

export type Status = AdminUserView['status'];
export type AdminUser = AdminUserView;
export type UserMembership = AdminUserMembership;
export type UserDetail = AdminUserDetail;
export type AdminCompany = AdminCompanyView;
export type AdminSession = AdminSessionView;
/** A user's own session as the admin API lists it (`GET /admin/users/:user/sessions`): `/auth/sessions`' shape. */
export type UserSession = SessionView;
export type Outcome = AuditEventView['outcome'];
export type AuditEvent = AuditEventView;
export type SigningKey = SigningKeyView;
export type Overview = OverviewView;
export type UserMfa = UserMfaView;
