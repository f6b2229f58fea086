import type { MmmTokenPair } from '@duotoken/protocol';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';

/** Header carrying the access token on every mmm request (seed 002). */
export const MMM_ACCESS_HEADER = 'x-mmm-accesstoken';

/** Header carrying the refresh token: for the refresh route, and beside the access token for auto-renew. */
export const MMM_REFRESH_HEADER = 'x-mmm-refreshtoken';

/** The mmm pair: `expires_in` and `refresh_expires` are absolute unix timestamps, as seed 002 documents. */
export function mmmPair(tokens: IssuedTokens): MmmTokenPair {
  return {
    access_token: tokens.accessToken,
    expires_in: tokens.accessExpiresAtS,
    refresh_token: tokens.refreshToken,
    refresh_expires: tokens.refreshExpiresAtS,
  };
}
