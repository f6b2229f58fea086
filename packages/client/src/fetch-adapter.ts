import type { AuthSession } from './auth-session.js';
import { readJson, withQuery } from './http-transport.js';
import type { AuthTokens } from './token-store.js';

/** A `fetch` with the session's tokens attached and 401s handled. */
export type AuthorizedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A request reduced to a URL and a replayable init, so it can be sent twice. */
interface Replayable {
  url: string;
  init: RequestInit;
}

async function toReplayable(baseUrl: string, input: string | URL | Request, init: RequestInit | undefined): Promise<Replayable> {
  if (typeof input === 'string' || input instanceof URL) return { url: new URL(input, baseUrl).href, init: { ...init } };
  // A Request's body can be read once: keep its bytes so the retry can send them again.
  const method = (init?.method ?? input.method).toUpperCase();
  const body = init?.body !== undefined ? init.body : method === 'GET' || method === 'HEAD' ? undefined : await input.clone().arrayBuffer();
  return {
    url: input.url,
    init: {
      method,
      headers: init?.headers ?? input.headers,
      body,
      signal: init?.signal ?? input.signal,
      credentials: init?.credentials ?? input.credentials,
      cache: init?.cache ?? input.cache,
      redirect: init?.redirect ?? input.redirect,
      referrerPolicy: init?.referrerPolicy ?? input.referrerPolicy,
      integrity: init?.integrity ?? input.integrity,
      keepalive: init?.keepalive ?? input.keepalive,
    },
  };
}

/**
 * Builds the client's `fetch`: attaches the tokens as the dialect wants
 * (only to the API's own origin), refreshes ahead of expiry, and on a 401
 * that means "refresh" refreshes once for all concurrent requests and
 * retries this one once. The retry's answer is final, whatever it is: no
 * loops. Bodies must be replayable (string, FormData, URLSearchParams, Blob,
 * ArrayBuffer, or a Request), not a one-shot ReadableStream.
 */
export function createAuthorizedFetch(session: AuthSession): AuthorizedFetch {
  const send = (request: Replayable, tokens: AuthTokens | null): Promise<Response> => {
    const headers = new Headers(request.init.headers);
    let url = new URL(request.url);
    if (tokens) {
      const creds = session.credentials(tokens, request.init.method ?? 'GET');
      for (const [k, v] of Object.entries(creds.headers)) headers.set(k, v);
      url = withQuery(url, creds.query);
    }
    return session.rawFetch(url.href, { ...request.init, headers });
  };

  return async (input, init) => {
    const request = await toReplayable(session.config.baseUrl, input, init);
    if (!session.mayCarryTokens(request.url)) return session.rawFetch(request.url, request.init);
    const tokens = await session.tokensForRequest();
    const first = await send(request, tokens);
    if (first.status !== 401) return first;
    const verdict = session.classify(first.status, await readJson(first.clone()));
    if (verdict.kind === 'pass') return first;
    const next = await session.recover(verdict, tokens);
    if (!next || next.accessToken === tokens?.accessToken) return first;
    await first.body?.cancel();
    return send(request, next);
  };
}
