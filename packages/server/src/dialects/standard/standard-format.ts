import type { StandardTokenPair } from '@duotoken/protocol';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';

/** The standard token pair (SPEC §2) for a given current time (unix seconds). */
export function standardPair(t: IssuedTokens, nowSeconds: number): StandardTokenPair {
  return {
    token_type: 'Bearer',
    access_token: t.accessToken,
    expires_in: Math.max(0, t.accessExpiresAtS - nowSeconds),
    expires_at: t.accessExpiresAtS,
    refresh_token: t.refreshToken,
    refresh_expires_in: Math.max(0, t.refreshExpiresAtS - nowSeconds),
    refresh_expires_at: t.refreshExpiresAtS,
  };
}
