import type { ClaimsExtension } from '../sessions/token-issuer.js';
import { linCmsClaims } from './lin-cms/lin-cms-claims.js';

/**
 * Extra access-token claims by the dialect that opened the session. The
 * session keeps its dialect for life, so a lin-cms session's tokens carry
 * lin-cms's claims whichever dialect's route refreshes them.
 */
export const dialectClaims: ClaimsExtension = (dialect, userId) => (dialect === 'lin-cms' ? linCmsClaims(userId) : undefined);
