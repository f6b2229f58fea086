/**
 * Shapes of the admin API's answers (docs/admin-api.md, /openapi.json), as the
 * console reads them. Times are unix seconds.
 */

/** `GET /admin/whoami`: which pages to show (the API enforces, the UI only hides). */
export interface AdminAccess {
  platform_admin: boolean;
  company_admin_of: number[];
}

/** A page of a server-paginated list; `next_offset` is null at the end. */
export interface Page<T> {
  items: T[];
  total: number;
  next_offset: number | null;
}

export type Status = 'active' | 'disabled';

export interface AdminUser {
  id: number;
  account: string;
  name: string;
  status: Status;
  is_admin: boolean;
  created_at: number;
}

export interface UserMembership {
  id: number;
  name: string;
  roles: string[];
  is_default: boolean;
}

export interface UserDetail extends AdminUser {
  companies: UserMembership[];
  lockout: { failures: number; locked_until: number | null; admin_unlock_required: boolean };
}

export interface AdminCompany {
  id: number;
  name: string;
  status: Status;
  created_at: number;
  members: number;
}

export interface CompanyMember {
  user: { id: number; account: string; name: string; status: Status };
  roles: string[];
  is_default: boolean;
}

export interface AdminSession {
  id: string;
  user: { id: number; account: string; name: string };
  company_id: number | null;
  device_type: string | null;
  ip: string | null;
  user_agent: string | null;
  /** Readable device ("Chrome 156 on Linux"), null without a user agent. */
  device: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
}

/** A user's own session as the admin API lists it (`GET /admin/users/:user/sessions`). */
export interface UserSession {
  id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  device?: string | null;
  device_type: string | null;
  company_id: number | null;
}

export type Outcome = 'success' | 'failure';

export interface AuditEvent {
  id: number;
  at: number;
  type: string;
  user_id: number | null;
  session_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  actor_id: number | null;
  subject_id: number | null;
  outcome: Outcome;
}

/** Audit pages go backwards from the newest event: `next_before_id` is the cursor of the next (older) page. */
export interface AuditPage {
  items: AuditEvent[];
  next_before_id: number | null;
}

export interface SigningKey {
  kid: string;
  alg: string;
  state: 'active' | 'published' | 'retired';
  created_at: number;
  retired_at: number | null;
  age_seconds: number;
}

export interface Overview {
  version: string;
  store: 'sqlite' | 'postgres';
  redis: { configured: boolean; connected: boolean };
  /** `suspended` when this instance cannot trust its revocation list (then it refuses tokens: fail closed), with why. */
  revocation_feed: { state: 'live' | 'suspended'; reason?: string | null; lag_ms: number | null };
  active_sessions: number;
  logins_last_hour: { success: number; failure: number };
  lockouts_in_force: number;
}

/** `GET /admin/users/:user/mfa`: a user's second factors (never a secret). */
export interface UserMfa {
  totp: boolean;
  passkeys: number;
  recovery_codes_left: number;
  remembered_devices: number;
}
