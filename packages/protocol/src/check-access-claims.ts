import type { AccessTokenClaims } from './claims.js';

/** What the claims of an access token must match. */
export interface AccessClaimRules {
  issuer: string;
  audience: string;
  /** Leeway in seconds for `nbf`/`iat` in the future (never for `exp`). */
  clockTolerance: number;
}

/** Why a payload is not acceptable claims; `message` is for logs, never for clients. */
export type ClaimsProblem = { reason: 'claims' | 'refresh_token' | 'not_yet_valid'; message: string };

/** Claims that passed, or the problem found. */
export type ClaimsCheck = { ok: true; claims: AccessTokenClaims } | ({ ok: false } & ClaimsProblem);

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * Parses and checks the payload of an access token whose signature and header
 * were already proven: `iss`, `aud`, the time claims, and the shape of
 * duotoken's claims. Expiry is left to the caller, which must tell "expired"
 * (10027, auto-renew) from "invalid" (10028). The one claim check shared by
 * the server and `@duotoken/verify`.
 */
export function checkAccessClaims(payload: Uint8Array, rules: AccessClaimRules, nowSeconds: number): ClaimsCheck {
  const fail = (message: string, reason: ClaimsProblem['reason'] = 'claims'): ClaimsCheck => ({ ok: false, reason, message });
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return fail('payload is not JSON');
  }
  if (!c || typeof c !== 'object' || Array.isArray(c)) return fail('payload is not an object');
  // lin-cms tokens carry `type`; a refresh token is never an access token, whatever its signature.
  if (c.type !== undefined && c.type !== 'access') return fail('not an access token', 'refresh_token');
  if (c.iss !== rules.issuer) return fail('wrong iss');
  const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!aud.includes(rules.audience)) return fail('wrong aud');
  if (!isInt(c.exp) || !isInt(c.iat) || !isInt(c.nbf)) return fail('exp, iat and nbf must be integers');
  const latest = nowSeconds + rules.clockTolerance;
  if (c.nbf > latest || c.iat > latest) return fail('not yet valid', 'not_yet_valid');
  if (c.exp <= c.iat) return fail('exp before iat');
  if (!isInt(c.uid) || c.sub !== String(c.uid)) return fail('bad subject');
  if (typeof c.sid !== 'string' || !isInt(c.sv) || typeof c.jti !== 'string') return fail('bad session claims');
  if (c.company_id !== null && !isInt(c.company_id)) return fail('bad company_id');
  if (!Array.isArray(c.roles) || !c.roles.every((r) => typeof r === 'string')) return fail('bad roles');
  return { ok: true, claims: c as unknown as AccessTokenClaims };
}
