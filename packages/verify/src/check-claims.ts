import type { AccessTokenClaims } from '@duotoken/protocol';
import { VerifyError } from './verify-error.js';

/** What the claims must match. */
export interface ClaimRules {
  issuer: string;
  audience: string;
  /** Leeway in seconds for `nbf`/`iat` in the future (never for `exp`, as on the server). */
  clockTolerance: number;
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * Parses and checks the payload of a token whose signature and header were
 * proven: `iss`, `aud`, time claims, and the shape of duotoken's claims.
 * Does not decide expiry (the caller does, to tell 10027 from 10028).
 */
export function checkClaims(payload: Uint8Array, rules: ClaimRules, nowSeconds: number): AccessTokenClaims {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch (error) {
    throw new VerifyError('ACCESS_TOKEN_INVALID', 'claims', { cause: error, message: 'payload is not JSON' });
  }
  const invalid = (why: string, reason: 'claims' | 'refresh_token' | 'not_yet_valid' = 'claims') =>
    new VerifyError('ACCESS_TOKEN_INVALID', reason, { message: why });
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw invalid('payload is not an object');
  // lin-cms tokens carry `type`; a refresh token is never an access token, whatever its signature.
  if (c.type !== undefined && c.type !== 'access') throw invalid('not an access token', 'refresh_token');
  if (c.iss !== rules.issuer) throw invalid('wrong iss');
  const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!aud.includes(rules.audience)) throw invalid('wrong aud');
  if (!isInt(c.exp) || !isInt(c.iat) || !isInt(c.nbf)) throw invalid('exp, iat and nbf must be integers');
  const latest = nowSeconds + rules.clockTolerance;
  if (c.nbf > latest || c.iat > latest) throw invalid('not yet valid', 'not_yet_valid');
  if (c.exp <= c.iat) throw invalid('exp before iat');
  if (!isInt(c.uid) || c.sub !== String(c.uid)) throw invalid('bad subject');
  if (typeof c.sid !== 'string' || !isInt(c.sv) || typeof c.jti !== 'string') throw invalid('bad session claims');
  if (c.company_id !== null && !isInt(c.company_id)) throw invalid('bad company_id');
  if (!Array.isArray(c.roles) || !c.roles.every((r) => typeof r === 'string')) throw invalid('bad roles');
  return c as unknown as AccessTokenClaims;
}
