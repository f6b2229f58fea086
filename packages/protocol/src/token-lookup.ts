/** Where an access token may be found (SPEC §3). */
export type TokenSource = 'header' | 'query' | 'form';

/** How to look for an access token. */
export interface TokenLookup {
  /** Sources in order; the first that carries a token wins. */
  readonly sources: readonly TokenSource[];
  /** Header names (lower case) in order; `authorization` takes `Bearer <t>`, the others the bare token. */
  readonly headerNames: readonly string[];
  /** Query and form field names, in order. */
  readonly fields: readonly string[];
  /** Refuse a request that carries a token in more than one source (RFC 6750 §2). */
  readonly strict: boolean;
}

/** The standard dialect's lookup (SPEC §3): header → URL → form. */
export const DEFAULT_TOKEN_LOOKUP: TokenLookup = Object.freeze({
  sources: Object.freeze(['header', 'query', 'form'] as const),
  headerNames: Object.freeze(['authorization', 'access-token']),
  fields: Object.freeze(['access-token', 'access_token']),
  strict: false,
});

/**
 * How to read the places of one kind of request (a Fastify request, a Node
 * or Fetch request…). Each is read only when the lookup reaches its source.
 * One reader serves every request, so a lookup allocates nothing.
 */
export interface TokenReader<R> {
  /** A header's value by lower-case name. */
  header(request: R, name: string): string | readonly string[] | null | undefined;
  /** The URL's query: a record (a value may be an array) or `URLSearchParams`. */
  query(request: R): unknown;
  /** The body when it is a form (`application/x-www-form-urlencoded`, `multipart/form-data`), else undefined. */
  form(request: R): unknown;
}

/** What `findAccessToken` returns in strict mode when two sources carry a token. */
export const TWO_TOKENS: unique symbol = Symbol('duotoken.twoTokens');

/**
 * The token of an `Authorization` header (`Bearer` in any case, then spaces
 * or tabs, then one token), or undefined for other schemes. Parsed by hand:
 * it runs on every protected request, and the anchored regex it replaced
 * showed in the session-check profile (bench/).
 */
export function bearerToken(value: string | readonly string[] | null | undefined): string | undefined {
  const header = typeof value === 'string' ? value : value?.[0];
  if (!header || header.length < 8) return undefined;
  const gap = header.charCodeAt(6);
  if ((gap !== 32 && gap !== 9) || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(7).trim();
  // Header values hold no CR/LF (Node refuses them); any other odd whitespace fails verification.
  return token && !token.includes(' ') && !token.includes('\t') ? token : undefined;
}

/** The first non-blank value among `fields` of a query or form (a record, or `URLSearchParams`), trimmed. */
export function tokenInRecord(record: unknown, fields: readonly string[]): string | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const params = record instanceof URLSearchParams ? record : undefined;
  for (const field of fields) {
    const value = params ? params.get(field) : (record as Record<string, unknown>)[field];
    const token = Array.isArray(value) ? value[0] : value;
    if (typeof token === 'string' && token.trim()) return token.trim();
  }
  return undefined;
}

function tokenInHeaders<R>(request: R, reader: TokenReader<R>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const raw = reader.header(request, name);
    const token = name === 'authorization' ? bearerToken(raw) : (typeof raw === 'string' ? raw : raw?.[0])?.trim();
    if (token) return token;
  }
  return undefined;
}

/**
 * Finds the access token of a request: the sources in the lookup's order,
 * the first that carries one winning — a bad token there is rejected by the
 * caller, never skipped for another (SPEC §3). In strict mode, `TWO_TOKENS`
 * when two sources carry one. The one lookup of the server and `@duotoken/verify`.
 *
 * @example findAccessToken(request, FASTIFY_READER, DEFAULT_TOKEN_LOOKUP)
 */
export function findAccessToken<R>(request: R, reader: TokenReader<R>, lookup: TokenLookup): string | undefined | typeof TWO_TOKENS {
  let first: string | undefined;
  for (const source of lookup.sources) {
    const token =
      source === 'header'
        ? tokenInHeaders(request, reader, lookup.headerNames)
        : tokenInRecord(source === 'query' ? reader.query(request) : reader.form(request), lookup.fields);
    if (token === undefined) continue;
    if (!lookup.strict) return token;
    if (first !== undefined) return TWO_TOKENS;
    first = token;
  }
  return first;
}
