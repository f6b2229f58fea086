import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks a presented verifier credential against `DUOTOKEN_VERIFIER_TOKENS`
 * in constant time: both sides are hashed to equal length first, and every
 * configured token is compared, so neither the length nor the position of a
 * match leaks through timing.
 */
export function createCredentialCheck(tokens: readonly string[]): (presented: string | undefined) => boolean {
  const digests = tokens.map((t) => createHash('sha256').update(t).digest());
  return (presented) => {
    if (!presented) return false;
    const digest = createHash('sha256').update(presented).digest();
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, digest) || match;
    return match;
  };
}
