type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Shortest verifier credential accepted (characters). */
export const MIN_VERIFIER_TOKEN_LENGTH = 32;

/**
 * Parses `DUOTOKEN_VERIFIER_TOKENS`: a comma list (or JSON array) of secrets,
 * each at least 32 characters. Case is kept (unlike other list settings).
 */
export function parseVerifierTokens(raw: unknown): Parsed<string[]> {
  const items = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []).map((s) => s.trim()).filter(Boolean);
  const short = items.findIndex((t) => t.length < MIN_VERIFIER_TOKEN_LENGTH);
  if (short >= 0) return { ok: false, problem: `item ${short + 1} is shorter than ${MIN_VERIFIER_TOKEN_LENGTH} characters` };
  if (items.some((t) => /\s/.test(t))) return { ok: false, problem: 'tokens may not contain spaces' };
  return { ok: true, value: [...new Set(items)] };
}
