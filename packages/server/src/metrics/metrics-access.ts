import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../http/token-lookup.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The check of `DUOTOKEN_METRICS_TOKEN`: `Authorization: Bearer <token>`,
 * compared in constant time (both sides hashed first, so lengths never leak).
 * Answers `missing`, `wrong` or `ok`.
 */
export function metricsTokenChecker(token: string): (authorization: string | string[] | undefined) => 'ok' | 'missing' | 'wrong' {
  const expected = digest(token);
  return (authorization) => {
    const presented = bearerToken(authorization);
    if (!presented) return 'missing';
    return timingSafeEqual(digest(presented), expected) ? 'ok' : 'wrong';
  };
}
