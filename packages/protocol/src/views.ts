/** A company as `GET /auth/me` lists it, with the user's roles there. */
export interface CompanyView {
  id: number;
  name: string;
  roles: string[];
}

/** `data` of `GET /auth/me` (standard dialect). */
export interface MeView {
  user: { id: number; account: string; name: string; status: string; is_admin: boolean };
  company: CompanyView | null;
  companies: CompanyView[];
  session: { id: string; expires_at: number };
}

/** One of the user's live sessions (`GET /auth/sessions`); times are unix seconds. */
export interface SessionView {
  id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  /** Readable name of the device behind `user_agent` ("Chrome 156 on Linux", "curl 8.5.0"); null without one. */
  device: string | null;
  device_type: string | null;
  company_id: number | null;
  current: boolean;
}
