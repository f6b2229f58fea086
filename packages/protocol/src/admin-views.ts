// The admin API's answers (docs/admin-api.md, /openapi.json): what the server
// sends and the console reads, declared once. Times are unix seconds.

/** `GET /admin/whoami`: which pages to show (the API enforces, a UI only hides). */
export interface AdminAccess {
  platform_admin: boolean;
  company_admin_of: number[];
}

/** One page of a listing: `next_offset` is null on the last page. */
export interface Page<T> {
  items: T[];
  total: number;
  next_offset: number | null;
}

/** A user as administrators see it (never the hash). */
export interface AdminUserView {
  id: number;
  account: string;
  name: string;
  status: 'active' | 'disabled';
  is_admin: boolean;
  created_at: number;
}

/** A user's membership as `GET /admin/users/:user` lists it. */
export interface AdminUserMembership {
  id: number;
  name: string;
  roles: string[];
  is_default: boolean;
}

/** A user with memberships and lockout state (`GET /admin/users/:user`). */
export interface AdminUserDetail extends AdminUserView {
  companies: AdminUserMembership[];
  lockout: {
    failures: number;
    /** Unix seconds; null when not locked. */
    locked_until: number | null;
    /** Locked past the hard limit: waiting does not help, an unlock or password reset does. */
    admin_unlock_required: boolean;
  };
}

/** A company as the admin API shows it (`GET /admin/companies`); not `CompanyView`, a company of `GET /auth/me`. */
export interface AdminCompanyView {
  id: number;
  name: string;
  status: 'active' | 'disabled';
  created_at: number;
  /** Number of members. */
  members: number;
}

/** A member of a company (`GET /admin/companies/:id/members`). */
export interface CompanyMemberView {
  user: { id: number; account: string; name: string; status: 'active' | 'disabled' };
  roles: string[];
  is_default: boolean;
}

/** A live session across users (`GET /admin/sessions`). */
export interface AdminSessionView {
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

/** An audit event as administrators read it. */
export interface AuditEventView {
  id: number;
  at: number;
  type: string;
  outcome: 'success' | 'failure';
  /** The user who acted (same as `user_id`). */
  actor_id: number | null;
  /** The user acted upon. */
  subject_id: number | null;
  user_id: number | null;
  session_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** `GET /admin/audit`: pages go backwards from the newest event; `next_before_id` is the cursor of the next (older) page. */
export interface AuditPage {
  items: AuditEventView[];
  next_before_id: number | null;
}

/** A signing key as administrators see it (`GET /admin/keys`). */
export interface SigningKeyView {
  kid: string;
  alg: string;
  /** `active`: signs new tokens; `published`: retired, still verifying the tokens it signed; `retired`: no longer accepted. */
  state: 'active' | 'published' | 'retired';
  /** Null for the HS256 shared secret (no creation time). */
  created_at: number | null;
  retired_at: number | null;
  age_seconds: number | null;
}

/** The state of the deployment at a glance (`GET /admin/overview`). */
export interface OverviewView {
  version: string;
  store: 'sqlite' | 'postgres';
  redis: { configured: boolean; connected: boolean };
  revocation_feed: {
    /** `live`: this instance vouches for every revocation; `suspended`: protected routes answer 503 until it does again. */
    state: 'live' | 'suspended';
    /** Why it is suspended; null when live. */
    reason: string | null;
    /** How long ago (ms) the feed from other instances was last heard; null when nothing feeds it (one instance). */
    lag_ms: number | null;
  };
  active_sessions: number;
  /** Password logins over the last hour, from the audit trail (every instance's). */
  logins_last_hour: { success: number; failure: number };
  /** Login counters holding a lock now (timed, or until an admin lifts it). */
  lockouts_in_force: number;
}

/** `GET /admin/users/:user/mfa`: a user's second factors (never a secret). */
export interface UserMfaView {
  totp: boolean;
  passkeys: number;
  recovery_codes_left: number;
  remembered_devices: number;
}
