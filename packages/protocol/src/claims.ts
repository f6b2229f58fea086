/** JOSE `typ` of an access token (RFC 9068). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** JOSE `typ` of a refresh token that is a JWT (duotoken's are opaque). */
export const REFRESH_TOKEN_TYP = 'rt+jwt';

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
