import type { AuthClient } from './auth-client.js';
import type { UsedTokens } from './auth-session.js';

/** Headers of an axios request: `AxiosHeaders` (has `set`) or a plain object. */
type HeadersLike = { set?: (name: string, value: string) => unknown } & Record<string, unknown>;

/** The fields of an axios request config the adapter reads and writes. */
export interface AxiosConfigLike {
  url?: string;
  baseURL?: string;
  method?: string;
  headers?: unknown;
  params?: unknown;
  /** The adapter's mark: which request this is and whether it is a retry. */
  __duotoken?: { id: number; retried: boolean };
}

/** The fields of an axios response the adapter reads. */
export interface AxiosResponseLike {
  status: number;
  data?: unknown;
  headers?: unknown;
  config?: AxiosConfigLike;
}

/**
 * The part of an axios instance the adapter uses. Structural (and generic
 * over axios's own config and response types), so `@duotoken/client` needs
 * no axios at all unless this adapter is used.
 */
export interface AxiosLike<C extends AxiosConfigLike = AxiosConfigLike> {
  interceptors: {
    request: { use(onFulfilled: (config: C) => C | Promise<C>): number; eject(id: number): void };
    response: {
      use(onFulfilled: <R extends AxiosResponseLike>(response: R) => R, onRejected: (error: unknown) => unknown): number;
      eject(id: number): void;
    };
  };
  /** Sends a request again (the retry); `NoInfer`: the config type is axios's interceptor type. */
  request(config: NoInfer<C>): Promise<unknown>;
}

function setHeader(config: AxiosConfigLike, name: string, value: string): void {
  const headers = (config.headers ?? {}) as HeadersLike;
  if (typeof headers.set === 'function') headers.set(name, value);
  else headers[name] = value;
  config.headers = headers;
}

function headerOf(headers: unknown, name: string): string | undefined {
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h?.get === 'function' ? h.get(name) : h?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Gives an axios instance the client's behaviour: tokens attached (refreshed
 * ahead of expiry) on requests to the API's origin, one shared refresh for
 * any number of concurrent 401s, each request retried once, 10026 pairs
 * applied, `onLoginRequired` once when the session is gone. Returns a
 * function that removes the interceptors.
 *
 * @example
 * import axios from 'axios';
 * import { attachAuthClient } from '@duotoken/client/axios';
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * attachAuthClient(api, auth);
 */
export function attachAuthClient<C extends AxiosConfigLike>(instance: AxiosLike<C>, client: AuthClient): () => void {
  const { session } = client;
  const inFlight = new Map<number, { tokens: UsedTokens | null; sentAt: number }>();
  let nextId = 0;

  const requestId = instance.interceptors.request.use(async (config) => {
    const mark = config.__duotoken ?? { id: ++nextId, retried: false };
    config.__duotoken = mark;
    const target = new URL(config.url ?? '', config.baseURL ?? session.config.baseUrl).href;
    const tokens = session.mayCarryTokens(target) ? await session.tokensForRequest() : null;
    if (tokens) {
      const creds = session.credentials(tokens, config.method ?? 'GET');
      for (const [k, v] of Object.entries(creds.headers)) setHeader(config, k, v);
      if (Object.keys(creds.query).length) config.params = { ...(config.params as object | undefined), ...creds.query };
    }
    const language = session.config.language();
    if (language && !headerOf(config.headers, 'accept-language')) setHeader(config, 'accept-language', language);
    inFlight.set(mark.id, {
      tokens: tokens && { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
      sentAt: session.localNow(),
    });
    return config;
  });

  const settle = (response: AxiosResponseLike | undefined, config: AxiosConfigLike | undefined) => {
    const id = config?.__duotoken?.id;
    const entry = id === undefined ? undefined : inFlight.get(id);
    if (id !== undefined) inFlight.delete(id);
    if (entry && response) session.observeServerDate(headerOf(response.headers, 'date'), entry.sentAt);
    return entry;
  };

  const responseId = instance.interceptors.response.use(
    (response) => {
      settle(response, response.config);
      return response;
    },
    async (error) => {
      const { response, config } = (error ?? {}) as { response?: AxiosResponseLike; config?: AxiosConfigLike };
      const entry = settle(response, config);
      if (!response || !config?.__duotoken || !entry || config.__duotoken.retried || response.status !== 401) throw error;
      const verdict = session.classify(response.status, response.data);
      if (verdict.kind === 'pass') throw error;
      const next = await session.recover(verdict, entry.tokens);
      if (!next || next.accessToken === entry.tokens?.accessToken) throw error;
      config.__duotoken = { ...config.__duotoken, retried: true };
      // The config of an axios error is the one the request interceptor returned: the instance's own type.
      return instance.request(config as C);
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
