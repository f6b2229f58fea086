import { AuthClientError } from '../client-errors.js';

/** Wire dialects the client speaks (SPEC §3–§5). */
export type DialectName = 'standard' | 'mmm' | 'lin-cms';

/** A token pair read from an answer; times are ms on the server's clock. */
export interface TokenPairTimes {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number | null;
  refreshExpiresAt: number | null;
}

/** One request the client makes on its own behalf (login, refresh …). */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** JSON body. */
  json?: Record<string, unknown>;
}

/** What an answer to an authenticated request asks of the client. */
export type Verdict =
  /** Nothing: hand the answer to the caller. */
  | { kind: 'pass' }
  /** The access token was refused (expired, invalid): refresh once and retry. */
  | { kind: 'refresh' }
  /** The server renewed the tokens itself (10026): store the pair and retry. */
  | { kind: 'renewed'; pair: TokenPairTimes }
  /** The refresh token is dead (10024 …): log in again. */
  | { kind: 'login'; code: string };

/** Paths of the dialect's operations; an absent one is unsupported (override with `paths`). */
export interface DialectPaths {
  challenge?: string;
  /** Captcha image of a challenge (`?t=`). */
  captcha?: string;
  login: string;
  refresh: string;
  me?: string;
  sessions?: string;
  /** With `:id` standing for the session id. */
  revokeSession?: string;
  logout?: string;
  /** Revokes every session of the user. */
  logoutAll?: string;
  switchCompany?: string;
}

/** What `login()` takes. */
export interface LoginCredentials {
  account: string;
  password: string;
  /** Challenge from `getChallenge()` (standard dialect). */
  t?: string;
  /** The captcha the user read from the image bound to `t`. */
  captcha?: string;
  /** Log straight into this company. */
  companyId?: number;
  /** Free label shown in the session list (`web`, `ios` …). */
  deviceType?: string;
  /** Remembered-device token of an earlier second step (standard, mmm). Default: the one this client keeps. */
  deviceToken?: string;
}

/** How tokens ride on a request. */
export interface CredentialOptions {
  /** Standard dialect: GET requests carry the access token in the URL query `access-token` (seed 000). */
  getInUrl: boolean;
  /** Standard dialect: send the refresh token in header `refresh-token` so the server may answer 10026. */
  autoRenew: boolean;
}

/** Headers and query parameters carrying the tokens of one request. */
export interface Credentials {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/**
 * One wire dialect as the client sees it: where tokens go, how the refresh
 * is asked for, how answers are shaped and which codes mean what. The
 * refresh logic itself is dialect-free.
 */
export interface ClientDialect {
  readonly name: DialectName;
  readonly paths: DialectPaths;
  credentials(tokens: { accessToken: string; refreshToken: string }, method: string, options: CredentialOptions): Credentials;
  refreshRequest(refreshToken: string): WireRequest;
  loginBody(credentials: LoginCredentials): Record<string, unknown>;
  /** The payload of a successful answer; throws {@link AuthClientError} for an error answer. */
  unwrap(status: number, body: unknown): unknown;
  /** Reads a token pair from an answer's payload; throws `BAD_RESPONSE` when it is not one. */
  readPair(data: unknown): TokenPairTimes;
  /** What a (non-2xx) answer to an authenticated request means. */
  classify(status: number, body: unknown): Verdict;
}

/** A refused refresh (4xx but 408/429) ends the session; a timeout, 429 or 5xx keeps it. */
export function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Reads `{ code, msg, data }`; undefined when the body is not an envelope. */
export function readEnvelope(body: unknown): { code: string; msg: string; data: unknown } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.code !== 'string' || !('data' in b)) return undefined;
  return { code: b.code, msg: typeof b.msg === 'string' ? b.msg : b.code, data: b.data };
}

/** Unwraps an envelope answer (standard, mmm): `data` on `00000`, else an error with the wire code. */
export function unwrapEnvelope(status: number, body: unknown): unknown {
  const envelope = readEnvelope(body);
  if (envelope?.code === '00000' && status >= 200 && status < 300) return envelope.data;
  if (envelope) throw new AuthClientError(envelope.code, envelope.msg, { status, data: envelope.data });
  throw new AuthClientError('BAD_RESPONSE', `unexpected answer (HTTP ${status})`, { status, data: body });
}

/**
 * The pair of an envelope dialect's token answer, whose expiries are unix
 * seconds in the named fields (standard: `expires_at`/`refresh_expires_at`;
 * mmm: `expires_in`/`refresh_expires`, absolute despite the name).
 */
export function readEnvelopePair(data: unknown, fields: { access: string; refresh: string }): TokenPairTimes {
  const d = requireTokens(data);
  return {
    accessToken: d.access_token,
    refreshToken: d.refresh_token,
    accessExpiresAt: secondsToMs(d[fields.access]),
    refreshExpiresAt: secondsToMs(d[fields.refresh]),
  };
}

/** Seconds (unix) to ms; null for anything that is not a positive number. */
export function secondsToMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : null;
}

/** The `exp` of a JWT in ms, read without verifying (the client never verifies; it only schedules). */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    return secondsToMs((JSON.parse(atob(base64)) as { exp?: unknown }).exp);
  } catch {
    return null;
  }
}

/** Throws BAD_RESPONSE unless both tokens are strings. */
export function requireTokens(data: unknown): { access_token: string; refresh_token: string } & Record<string, unknown> {
  const d = data as Record<string, unknown> | null;
  if (!d || typeof d.access_token !== 'string' || typeof d.refresh_token !== 'string')
    throw new AuthClientError('BAD_RESPONSE', 'the answer carries no token pair', { data });
  return d as { access_token: string; refresh_token: string } & Record<string, unknown>;
}
