import type { LoginChallenge, MeView, SessionView } from './api-types.js';
import { AuthSession, type LoginRequiredReason } from './auth-session.js';
import type { FetchLike } from './http-transport.js';
import { AuthClientError } from './client-errors.js';
import { ClockSkew } from './clock-skew.js';
import type { CrossTabLock } from './cross-tab-lock.js';
import { defaultLock } from './default-lock.js';
import type { ClientDialect, DialectName, DialectPaths, LoginCredentials } from './dialects/client-dialect.js';
import { linCmsDialect } from './dialects/lin-cms-dialect.js';
import { mmmDialect } from './dialects/mmm-dialect.js';
import { standardDialect } from './dialects/standard-dialect.js';
import { createAuthorizedFetch, type AuthorizedFetch } from './fetch-adapter.js';
import { createMfaOperations, secondStepOrThrow, type MfaOperations } from './mfa-operations.js';
import type { LoginResult, WebAuthnCeremonies } from './mfa-types.js';
import { browserCeremonies } from './passkey-ceremonies.js';
import { defaultRotationLedger } from './rotation-ledger.js';
import { createTabSync, noTabSync } from './tab-sync.js';
import { isBrowserPage, resolveStorage, TokenStore, type AuthTokens, type StorageOption } from './token-store.js';

/** Options of {@link createAuthClient}. Only `baseUrl` is needed outside a browser page. */
export interface AuthClientOptions {
  /** Origin (and base path) of the duotoken API. Default: the page's origin. */
  baseUrl?: string;
  /** Wire dialect. Default `standard`. */
  dialect?: DialectName;
  /** Override paths of the dialect's operations (e.g. behind a gateway prefix). */
  paths?: Partial<DialectPaths>;
  /** Where tokens live: `'local'` (default in browsers), `'session'`, `'memory'` (default in Node), or an adapter. */
  storage?: StorageOption;
  /** Storage key; also names the cross-tab lock and channel. Default `duotoken`. */
  storageKey?: string;
  /** fetch implementation. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Called once when the session is lost (refresh refused, 10024 …): show the login page. Never called while a lock is held. */
  onLoginRequired?: (reason: LoginRequiredReason) => void;
  /** Called after every change of the tokens (login, refresh, company switch, logout, another tab), with null when gone. */
  onTokens?: (tokens: AuthTokens | null) => void;
  /** Standard dialect: put the access token in the URL query `access-token` for GET, as seed 000 describes. Default false (header). */
  getInUrl?: boolean;
  /** Standard dialect: send the refresh token in header `refresh-token` so a server with auto-renew answers 10026. Default false. */
  autoRenew?: boolean;
  /** Refresh when the access token has less than this many seconds left (server clock). Default 30. */
  refreshLeeway?: number;
  /** Give up a refresh request after this many ms (the session is kept). Default 15 000. */
  refreshTimeout?: number;
  /** `Accept-Language` sent with requests (`zh-CN`, `en`), or a function read on each request. */
  language?: string | (() => string | undefined);
  /** Share refreshes and logouts with other tabs (Web Locks, BroadcastChannel). Default: on in browser pages. */
  crossTab?: boolean;
  /** Cross-tab lock. Default: Web Locks, else a localStorage lease, else in-process. */
  lock?: CrossTabLock;
  /** Extra origins that may receive the tokens besides `baseUrl`'s (resource servers). */
  tokenOrigins?: string[];
  /** Client clock in ms, for tests. */
  now?: () => number;
  /** The WebAuthn ceremonies of the passkey operations. Default: `@simplewebauthn/browser`, loaded on first use. */
  webauthn?: WebAuthnCeremonies;
}

/** Query and body of {@link AuthClient.request}. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Sent as `application/json`. */
  json?: unknown;
}

/** The client: login and session operations, and a `fetch` that carries the tokens. */
export interface AuthClient extends MfaOperations {
  /** `fetch` with tokens attached, refresh ahead of expiry, single-flight refresh and one retry on 401. */
  fetch: AuthorizedFetch;
  /** A login challenge `t` and its captcha image URL (standard dialect). */
  getChallenge(): Promise<LoginChallenge>;
  /** A fresh captcha URL for `t` (each load draws a new code and voids the previous one). */
  captchaUrl(t: string): string;
  /**
   * Logs in with a password. When the account has a second factor (`10060`) or
   * must enroll one (`10064`), answers `{ mfaRequired: true, step, ticket, methods }`
   * instead of tokens: finish with `verifyMfa` / `verifyMfaWithPasskey`. A
   * remembered device kept by this client is sent along and may skip that step.
   */
  login(credentials: LoginCredentials): Promise<LoginResult>;
  /** Revokes this session on the server (best effort) and forgets the tokens here and in tabs sharing them. */
  logout(): Promise<void>;
  /** Refreshes now (shared with any refresh in flight). Throws LOGIN_REQUIRED when the session is gone. */
  refresh(): Promise<AuthTokens>;
  switchCompany(companyId: number): Promise<AuthTokens>;
  me<T = MeView>(): Promise<T>;
  sessions(): Promise<SessionView[]>;
  /**
   * Any authenticated JSON call of the API (e.g. the admin routes), with the
   * same refresh, retry and error handling as `me()`; returns the answer's
   * payload (`data` of the envelope). Query values that are `undefined`,
   * `null` or `''` are left out.
   *
   * @example
   * const page = await auth.request<UserPage>('GET', '/admin/users', { query: { search: 'ali', limit: 20 } });
   * await auth.request('PATCH', '/admin/users/7', { json: { name: 'Alice' } });
   */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /**
   * Revokes every session of this user (standard dialect), then forgets the
   * tokens here and in tabs sharing them. Unlike `logout()` it throws when
   * the server did not do it (offline …), keeping the tokens.
   */
  logoutAll(): Promise<void>;
  revokeSession(sessionId: string): Promise<void>;
  /** The stored tokens, if any (no network). */
  getTokens(): Promise<AuthTokens | null>;
  /** The server's current time (ms), corrected for clock skew. */
  serverNow(): number;
  /** Listens to token changes; returns the unsubscribe function. */
  subscribe(listener: (tokens: AuthTokens | null) => void): () => void;
  /** The engine behind `fetch`, for adapters (axios). */
  readonly session: AuthSession;
  /** Closes the cross-tab channel and drops listeners. */
  close(): void;
}

function pickDialect(name: DialectName, paths: Partial<DialectPaths> | undefined): ClientDialect {
  if (name === 'mmm') return mmmDialect(paths);
  if (name === 'lin-cms') return linCmsDialect(paths);
  return standardDialect(paths);
}

/**
 * Creates a client. Options are checked here, once.
 *
 * @example
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com', onLoginRequired: () => router.push('/login') });
 * const { t, captchaUrl } = await auth.getChallenge();
 * await auth.login({ account, password, t, captcha });
 * const res = await auth.fetch('/api/orders');
 */
export function createAuthClient(options: AuthClientOptions = {}): AuthClient {
  const pageOrigin = (globalThis as { location?: { origin?: string } }).location?.origin;
  const baseUrl = options.baseUrl ?? pageOrigin;
  if (!baseUrl) throw new TypeError('createAuthClient: baseUrl is required outside a browser page');
  const base = new URL(baseUrl).href;
  const dialect = pickDialect(options.dialect ?? 'standard', options.paths);
  const storageKey = options.storageKey ?? 'duotoken';
  const crossTab = options.crossTab ?? isBrowserPage();
  const platformFetch = globalThis.fetch;
  const storage = resolveStorage(options.storage);
  const language = options.language;
  const session = new AuthSession({
    baseUrl: base,
    dialect,
    store: new TokenStore(storage, storageKey),
    skew: new ClockSkew(options.now),
    lock: options.lock ?? defaultLock(),
    sync: crossTab ? createTabSync(storageKey) : noTabSync(),
    ledger: defaultRotationLedger(),
    fetch: options.fetch ?? ((input, init) => platformFetch(input, init)),
    credentialOptions: { getInUrl: options.getInUrl ?? false, autoRenew: options.autoRenew ?? false },
    refreshLeewayMs: (options.refreshLeeway ?? 30) * 1000,
    refreshTimeoutMs: options.refreshTimeout ?? 15_000,
    language: typeof language === 'function' ? language : () => language,
    tokenOrigins: new Set([new URL(base).origin, ...(options.tokenOrigins ?? []).map((o) => new URL(o).origin)]),
    onLoginRequired: options.onLoginRequired,
  });
  if (options.onTokens) session.subscribe(options.onTokens);
  const authorizedFetch = createAuthorizedFetch(session);

  const path = (name: keyof DialectPaths): string => {
    const p = dialect.paths[name];
    if (!p) throw new AuthClientError('UNSUPPORTED', `${name} is not part of the ${dialect.name} dialect (set paths.${name})`);
    return p;
  };
  /** An authenticated call of the API, unwrapped; errors become AuthClientError. */
  const call = async (method: string, p: string, json?: unknown, query: RequestOptions['query'] = {}): Promise<unknown> => {
    const headers: Record<string, string> = json === undefined ? {} : { 'content-type': 'application/json' };
    const url = new URL(p, base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    const res = await authorizedFetch(url.href, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return dialect.unwrap(res.status, body);
  };

  const mfa = createMfaOperations({
    session,
    dialect,
    call: (method, p, json) => call(method, p, json),
    storage,
    storageKey,
    ceremonies: options.webauthn ?? browserCeremonies(),
  });

  return {
    ...mfa,
    fetch: authorizedFetch,
    session,
    async getChallenge() {
      const answer = await session.send({ method: 'GET', path: path('challenge'), headers: {} });
      const d = dialect.unwrap(answer.status, answer.body) as {
        t: string;
        expires_in: number;
        captcha_required: boolean;
        captcha_url: string;
      };
      return { t: d.t, expiresIn: d.expires_in, captchaRequired: d.captcha_required, captchaUrl: new URL(d.captcha_url, base).href };
    },
    captchaUrl(t) {
      const url = new URL(path('captcha'), base);
      url.searchParams.set('t', t);
      // A new URL per draw: browsers do not reload an <img> whose src is unchanged.
      url.searchParams.set('r', Math.random().toString(36).slice(2, 10));
      return url.href;
    },
    async login(credentials) {
      const previous = (await session.tokens())?.refreshToken ?? null;
      const deviceToken = credentials.deviceToken ?? (await mfa.rememberedDevice()) ?? undefined;
      const json = dialect.loginBody({ ...credentials, deviceToken });
      const answer = await session.send({ method: 'POST', path: path('login'), headers: {}, json });
      let data: unknown;
      try {
        data = dialect.unwrap(answer.status, answer.body);
      } catch (error) {
        return secondStepOrThrow(error);
      }
      return { ...(await session.storePair(dialect.readPair(data), previous)), mfaRequired: false };
    },
    async logout() {
      try {
        // Through the authorized fetch: an expired access token is refreshed first, so the server does revoke the session.
        if (dialect.paths.logout && (await session.tokens()))
          await (await authorizedFetch(dialect.paths.logout, { method: 'POST' })).text();
      } catch {
        // Offline: the tokens are forgotten here anyway, and the session ends on the server when its refresh token expires.
      } finally {
        await session.clear();
      }
    },
    async refresh() {
      const tokens = await session.tokens();
      const outcome = await session.refreshOnce(tokens?.accessToken ?? null);
      // Unchanged means another request or tab rotated meanwhile: that pair is as fresh.
      if (outcome.kind === 'refreshed') return outcome.tokens;
      if (outcome.kind === 'unavailable') throw outcome.error;
      throw new AuthClientError('LOGIN_REQUIRED', `log in again (${outcome.code})`);
    },
    async switchCompany(companyId) {
      const pair = dialect.readPair(await call('POST', path('switchCompany'), { company_id: companyId }));
      // The switch rotated the refresh token the call carried (possibly refreshed on the way).
      return session.storePair(pair, (await session.tokens())?.refreshToken ?? null);
    },
    me: async <T>() => (await call('GET', path('me'))) as T,
    sessions: async () => (await call('GET', path('sessions'))) as SessionView[],
    request: async <T>(method: string, p: string, options: RequestOptions = {}) =>
      (await call(method, p, options.json, options.query)) as T,
    async logoutAll() {
      // A failure keeps the tokens and throws: "signed out everywhere" must not be claimed when the server did not do it.
      await call('POST', path('logoutAll'));
      await session.clear();
    },
    async revokeSession(sessionId) {
      await call('DELETE', path('revokeSession').replace(':id', encodeURIComponent(sessionId)));
    },
    getTokens: () => session.tokens(),
    serverNow: () => session.serverNow(),
    subscribe: (listener) => session.subscribe(listener),
    close: () => session.close(),
  };
}
