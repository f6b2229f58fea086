/** A token pair as the service layer returns it; dialects shape it for the wire. */
export interface IssuedTokens {
  accessToken: string;
  /** Unix seconds. */
  accessExpiresAtS: number;
  refreshToken: string;
  /** Unix seconds. */
  refreshExpiresAtS: number;
  sessionId: string;
  companyId: number | null;
}

/** Who the client is, as the HTTP layer saw it. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  /** Device type the client declared at login (`web`, `ios`, …). */
  deviceType?: string | null;
}
