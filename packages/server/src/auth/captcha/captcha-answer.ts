import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A captcha answer as it is stored and compared: NFKC (a full-width `ｂ`
 * typed through an input method is `b`), lower case, no surrounding spaces.
 *
 * @example normaliseCaptchaAnswer(' Ａb3K ') // 'ab3k'
 */
export function normaliseCaptchaAnswer(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/**
 * Whether `given` is the answer, normalised on both sides. The comparison
 * takes the same time wherever the first difference is (both sides are
 * hashed to equal lengths, then compared with `timingSafeEqual`).
 */
export function captchaAnswerMatches(answer: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 256) return false;
  const digest = (text: string) => createHash('sha256').update(normaliseCaptchaAnswer(text)).digest();
  return timingSafeEqual(digest(answer), digest(given));
}
