import type { AccessTokenClaims } from '@duotoken/protocol';

/** The verified caller, as the framework adapters expose it (`req.auth`, `c.get('auth')`, `ctx.state.auth`). */
export interface AuthInfo {
  userId: number;
  /** Current company, or null when the user has none. */
  companyId: number | null;
  /** Roles in that company. */
  roles: string[];
  sessionId: string;
  /** Platform administrator. */
  isAdmin: boolean;
  /** Every claim of the access token. */
  claims: AccessTokenClaims;
}

/** The AuthInfo of verified claims. */
export function toAuthInfo(claims: AccessTokenClaims): AuthInfo {
  return {
    userId: claims.uid,
    companyId: claims.company_id,
    roles: claims.roles,
    sessionId: claims.sid,
    isAdmin: claims.adm === true,
    claims,
  };
}
