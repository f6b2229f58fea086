/** The `{ code, msg, data }` envelope of the standard and mmm dialects. */
export interface Envelope<T> {
  /** `"00000"` on success, an SPEC §6 code otherwise. */
  code: string;
  /** Human-readable message in the language asked for. */
  msg: string;
  /** Payload on success; `null` or error details otherwise. */
  data: T;
}

/** Token pair in the standard dialect (SPEC §2). */
export interface StandardTokenPair {
  token_type: 'Bearer';
  access_token: string;
  /** Seconds from now until the access token expires (RFC 6749). */
  expires_in: number;
  /** Unix seconds at which the access token expires. */
  expires_at: number;
  refresh_token: string;
  refresh_expires_in: number;
  refresh_expires_at: number;
}

/** Token pair in the mmm dialect: both numbers are absolute unix timestamps (seed 002). */
export interface MmmTokenPair {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires: number;
}

/** Token pair in the lin-cms dialect (bare JSON, seed 001). */
export interface LinCmsTokenPair {
  access_token: string;
  refresh_token: string;
}

/** Answer of `GET /auth/get_t`. */
export interface Challenge {
  t: string;
  expires_in: number;
  captcha_required: boolean;
  captcha_url: string;
}
