import { networkError } from './client-errors.js';
import type { ClockSkew } from './clock-skew.js';
import type { Credentials, WireRequest } from './dialects/client-dialect.js';

/** A plain fetch function (the platform's, or one the caller supplies). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A parsed answer to one of the client's own requests. */
export interface WireAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * The one way out to the network: adds `Accept-Language`, turns fetch
 * rejections into NETWORK_ERROR, and feeds every answer's `Date` header to
 * the clock-skew estimate.
 */
export class HttpTransport {
  constructor(private readonly deps: { baseUrl: string; fetch: FetchLike; skew: ClockSkew; language: () => string | undefined }) {}

  async fetch(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const language = this.deps.language();
    if (language && !headers.has('accept-language')) headers.set('accept-language', language);
    const sentAt = this.deps.skew.localNow();
    let res: Response;
    try {
      res = await this.deps.fetch(url, { ...init, headers });
    } catch (error) {
      throw networkError(error);
    }
    this.deps.skew.observe(res.headers.get('date'), sentAt);
    return res;
  }

  /** Sends one of the client's own requests (login, refresh …), optionally with credentials, and parses the JSON answer. */
  async send(request: WireRequest, extra: { signal?: AbortSignal; credentials?: Credentials } = {}): Promise<WireAnswer> {
    const headers = new Headers(request.headers);
    let url = new URL(request.path, this.deps.baseUrl);
    if (extra.credentials) {
      for (const [k, v] of Object.entries(extra.credentials.headers)) headers.set(k, v);
      url = withQuery(url, extra.credentials.query);
    }
    if (request.json) headers.set('content-type', 'application/json');
    const res = await this.fetch(url.href, {
      method: request.method,
      headers,
      body: request.json ? JSON.stringify(request.json) : undefined,
      signal: extra.signal,
    });
    return { status: res.status, body: await readJson(res), headers: res.headers };
  }
}

/** A URL with extra query parameters set. */
export function withQuery(url: URL, query: Record<string, string>): URL {
  const entries = Object.entries(query);
  if (!entries.length) return url;
  const next = new URL(url.href);
  for (const [k, v] of entries) next.searchParams.set(k, v);
  return next;
}

/** The JSON body of an answer, or undefined when it has none or it is not JSON. */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
