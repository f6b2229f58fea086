/** JOSE `typ` of an access token (RFC 9068). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/**
 * The shape of duotoken's opaque refresh token, `<jti>.<HMAC-SHA256 in base64url>`:
 * what the server mints, and what both the server and the verifiers call
 * "the wrong token type" when it is sent as an access token.
 */
export const OPAQUE_REFRESH_TOKEN = /^([\w-]{16,64})\.([\w-]{43})$/;

/** True for the JOSE `typ` of an access token: `at+jwt` or `application/at+jwt`, in any case (RFC 9068 §2.1, RFC 7515 §4.1.9). */
export function isAccessTokenTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYP || lower === `application/${ACCESS_TOKEN_TYP}`;
}

/** Claims of a duotoken access token (SPEC §2). */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  /** User id as a string. */
  sub: string;
  /** User id as a number. */
  uid: number;
  /** Current company, or null when the user has none. */
  company_id: number | null;
  /** Roles of the user in that company. */
  roles: string[];
  /** Session id. */
  sid: string;
  /** Session version: bumped by company switch, role change, logout… */
  sv: number;
  /** Platform administrator. */
  adm?: boolean;
  /** RFC 8176 methods of the session's last interactive authentication (`pwd`, `otp`, `hwk`, `user`, `mfa`); absent on tokens older than #15. */
  amr?: string[];
  /** Unix seconds of the session's last interactive authentication (OIDC Core §2); absent on tokens older than #15. */
  auth_time?: number;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  /** lin-cms dialect only: user id. */
  identity?: number;
  /** lin-cms dialect only: `"lin"`. */
  scope?: string;
  /** lin-cms dialect only. */
  type?: 'access' | 'refresh';
}

/** The caller an access token proves: what the server's protected routes and the verifier adapters hand their handlers. */
export interface Principal {
  userId: number;
  /** Current company, or null when the user has none. */
  companyId: number | null;
  /** Roles in that company. */
  roles: string[];
  sessionId: string;
  /** Platform administrator. */
  isAdmin: boolean;
  /** RFC 8176 methods of the session's last interactive authentication (`['pwd']` for tokens older than #15). */
  amr: string[];
  /** Unix seconds of that authentication; null for tokens older than #15. */
  authTime: number | null;
  /** Every claim of the access token. */
  claims: AccessTokenClaims;
}

/** The principal of verified claims. */
export function toPrincipal(claims: AccessTokenClaims): Principal {
  return {
    userId: claims.uid,
    companyId: claims.company_id,
    roles: claims.roles,
    sessionId: claims.sid,
    isAdmin: claims.adm === true,
    amr: Array.isArray(claims.amr) ? claims.amr : ['pwd'],
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : null,
    claims,
  };
}
