import { COMMON_PASSWORDS_TEXT } from './common-passwords-list.js';

let loaded: ReadonlySet<string> | undefined;

/**
 * The 10,000 most common passwords as a Set (lower-case), built on first use
 * (`createServices` calls it at start-up) and shared afterwards. ASVS 5.0
 * 6.2.4 asks for at least the top 3,000; the list and its origin are in
 * `common-passwords-list.ts`.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  loaded ??= new Set(COMMON_PASSWORDS_TEXT.split('\n').filter(Boolean));
  return loaded;
}

/**
 * True when `password` is on the list. The comparison ignores case and
 * Unicode compatibility forms (NFKC), so `Password` and `ｐａｓｓｗｏｒｄ` are refused
 * as `password` is.
 */
export function isCommonPassword(password: string, list: ReadonlySet<string> = loadCommonPasswords()): boolean {
  return list.has(password.normalize('NFKC').toLowerCase());
}
