import type { ClockSkew } from './clock-skew.js';
import type { CrossTabLock } from './cross-tab-lock.js';
import type { ClientDialect, CredentialOptions, Credentials, TokenPairTimes, Verdict, WireRequest } from './dialects/client-dialect.js';
import { HttpTransport, type FetchLike, type WireAnswer } from './http-transport.js';
import { exchangeRefreshToken } from './refresh-exchange.js';
import { RefreshFlight, type RefreshOutcome } from './refresh-flight.js';
import type { RotationLedger } from './rotation-ledger.js';
import type { TabMessage, TabSync } from './tab-sync.js';
import type { AuthTokens, TokenStore } from './token-store.js';

/** Why the user has to log in: a server code (`"10024"`, lin-cms `"10052"`) or `"LOGIN_REQUIRED"` when no tokens were there. */
export type LoginRequiredReason = string;

/** Everything an {@link AuthSession} needs, resolved from the client options. */
export interface SessionConfig {
  baseUrl: string;
  dialect: ClientDialect;
  store: TokenStore;
  skew: ClockSkew;
  lock: CrossTabLock;
  sync: TabSync;
  /** Where refreshes note the access tokens they replaced, read coherently by the next holder of the lock. */
  ledger: RotationLedger;
  fetch: FetchLike;
  credentialOptions: CredentialOptions;
  /** Refresh when the access token has less than this left (ms, server clock). */
  refreshLeewayMs: number;
  refreshTimeoutMs: number;
  language: () => string | undefined;
  /** Origins that receive tokens (the API's own by default). */
  tokenOrigins: ReadonlySet<string>;
  onLoginRequired: ((reason: LoginRequiredReason) => void) | undefined;
}

/** The tokens a request was sent with. */
export type UsedTokens = Pick<AuthTokens, 'accessToken' | 'refreshToken'>;

/**
 * The session engine shared by the fetch and axios adapters: which tokens a
 * request carries, what a 401 means, one refresh for many failures,
 * notifications. Adapters call {@link tokensForRequest} before sending and
 * {@link recover} after a 401.
 */
export class AuthSession {
  private readonly flight: RefreshFlight;
  private readonly listeners = new Set<(tokens: AuthTokens | null) => void>();
  private loginNotified = false;
  private lastNotified: string | null | undefined = undefined;
  private readonly unsubscribeSync: () => void;
  private readonly transport: HttpTransport;

  constructor(readonly config: SessionConfig) {
    this.transport = new HttpTransport(config);
    this.flight = new RefreshFlight({
      store: config.store,
      lock: config.lock,
      sync: config.sync,
      ledger: config.ledger,
      exchange: (refreshToken) =>
        exchangeRefreshToken(this.transport, config.dialect, refreshToken, config.refreshTimeoutMs, () => config.skew.offsetMs),
    });
    this.unsubscribeSync = config.sync.subscribe((message) => void this.onTabMessage(message));
  }

  /** The server's current time (ms) as this client estimates it. */
  serverNow(): number {
    return this.config.skew.now();
  }

  /** The stored tokens (adopting their clock offset until this tab has seen an answer). */
  async tokens(): Promise<AuthTokens | null> {
    const tokens = await this.config.store.load();
    if (tokens) this.config.skew.adopt(tokens.clockOffsetMs);
    return tokens;
  }

  /**
   * Tokens to send now: refreshed first when the access token expires within
   * the leeway (server clock). When that refresh cannot reach the server the
   * current tokens are used, and the server decides.
   */
  async tokensForRequest(): Promise<AuthTokens | null> {
    const tokens = await this.tokens();
    if (!tokens || tokens.accessExpiresAt === null) return tokens;
    if (this.serverNow() < tokens.accessExpiresAt - this.config.refreshLeewayMs) return tokens;
    const outcome = await this.refreshOnce(tokens.accessToken);
    if (outcome.kind === 'refreshed') return outcome.tokens;
    return outcome.kind === 'unavailable' ? tokens : null;
  }

  /** Headers and query parameters carrying `tokens` on a request with this method. */
  credentials(tokens: AuthTokens, method: string): Credentials {
    return this.config.dialect.credentials(tokens, method.toUpperCase(), this.config.credentialOptions);
  }

  /** Whether a URL belongs to an origin that may receive the tokens. */
  mayCarryTokens(url: string): boolean {
    try {
      return this.config.tokenOrigins.has(new URL(url, this.config.baseUrl).origin);
    } catch {
      return false;
    }
  }

  /** What a non-2xx answer to an authenticated request means. */
  classify(status: number, body: unknown): Verdict {
    if (status !== 401) return { kind: 'pass' };
    try {
      return this.config.dialect.classify(status, body);
    } catch {
      return { kind: 'pass' };
    }
  }

  /**
   * Acts on a verdict for a request that was sent with `used`: refreshes
   * (once for all), applies a 10026 pair, or ends the session. Returns the
   * tokens to retry with, or null when the user must log in. Throws
   * NETWORK_ERROR / SERVER_UNAVAILABLE when the refresh could not be done;
   * the session is kept then.
   */
  async recover(verdict: Verdict, used: UsedTokens | null): Promise<AuthTokens | null> {
    if (verdict.kind === 'pass') return this.tokens();
    if (verdict.kind === 'renewed') {
      const next = this.withOffset(verdict.pair);
      const stored = await this.config.store.replaceIf(used?.refreshToken ?? null, next);
      if (stored === next) this.config.sync.publish({ type: 'tokens', previous: used?.refreshToken ?? null, tokens: next });
      this.afterChange(stored);
      return stored;
    }
    if (verdict.kind === 'login') {
      if (used) await this.config.store.replaceIf(used.refreshToken, null);
      // Tokens still stored are newer than the dead ones (another tab rotated or logged in): retry with them.
      const current = await this.config.store.load();
      if (current) return current;
      this.config.sync.publish({ type: 'cleared', refreshToken: used?.refreshToken ?? null });
      this.afterChange(null);
      this.loginRequired(verdict.code);
      return null;
    }
    const outcome = await this.refreshOnce(used?.accessToken ?? null);
    if (outcome.kind === 'unavailable') throw outcome.error;
    return outcome.kind === 'refreshed' ? outcome.tokens : null;
  }

  /** One refresh shared by every caller (and tab) whose access token was `stale`; notifies once the lock is released. */
  async refreshOnce(stale: string | null): Promise<RefreshOutcome> {
    const outcome = await this.flight.run(stale);
    if (outcome.kind === 'refreshed') this.afterChange(outcome.tokens);
    else if (outcome.kind === 'login-required') {
      this.afterChange(null);
      this.loginRequired(outcome.code);
    }
    return outcome;
  }

  /** Stores a pair got from login or a company switch, and tells the other tabs. */
  async storePair(pair: TokenPairTimes, previous: string | null): Promise<AuthTokens> {
    const tokens = this.withOffset(pair);
    await this.config.store.save(tokens);
    this.config.sync.publish({ type: 'tokens', previous, tokens });
    this.afterChange(tokens);
    return tokens;
  }

  /** Forgets the tokens (logout), here and in the tabs sharing them. */
  async clear(): Promise<void> {
    const current = await this.config.store.load();
    await this.config.store.clear();
    this.config.sync.publish({ type: 'cleared', refreshToken: current?.refreshToken ?? null });
    this.afterChange(null);
  }

  /** Sends one of the client's own requests (login, refresh …) and parses the JSON answer; with `tokens`, carries them. */
  send(request: WireRequest, extra: { signal?: AbortSignal; tokens?: AuthTokens } = {}): Promise<WireAnswer> {
    const credentials = extra.tokens ? this.credentials(extra.tokens, request.method) : undefined;
    return this.transport.send(request, { signal: extra.signal, credentials });
  }

  /** fetch with the language header, and the server's `Date` observed for the clock offset. */
  rawFetch(url: string, init: RequestInit): Promise<Response> {
    return this.transport.fetch(url, init);
  }

  /** Learns the clock offset from an answer that did not go through {@link rawFetch} (axios). */
  observeServerDate(dateHeader: string | null | undefined, sentAt: number): void {
    this.config.skew.observe(dateHeader, sentAt);
  }

  /** The client's own clock (ms), for timing a request. */
  localNow(): number {
    return this.config.skew.localNow();
  }

  /** Listens to token changes (login, refresh, logout, other tabs); returns the unsubscribe function. */
  subscribe(listener: (tokens: AuthTokens | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribeSync();
    this.listeners.clear();
    this.config.sync.close();
  }

  private withOffset(pair: TokenPairTimes): AuthTokens {
    return { ...pair, clockOffsetMs: this.config.skew.offsetMs };
  }

  private async onTabMessage(message: TabMessage): Promise<void> {
    const { store } = this.config;
    // Tabs with their own storage adopt a rotation only of the tokens they hold; shared storage is already up to date.
    if (message.type === 'tokens' && message.previous !== null) await store.replaceIf(message.previous, message.tokens);
    if (message.type === 'cleared' && message.refreshToken !== null) await store.replaceIf(message.refreshToken, null);
    this.afterChange(await store.load());
  }

  private afterChange(tokens: AuthTokens | null): void {
    if (tokens) this.loginNotified = false;
    const key = tokens?.accessToken ?? null;
    if (key === this.lastNotified) return;
    this.lastNotified = key;
    for (const listener of [...this.listeners]) safely(() => listener(tokens));
  }

  private loginRequired(reason: LoginRequiredReason): void {
    if (this.loginNotified) return;
    this.loginNotified = true;
    const callback = this.config.onLoginRequired;
    if (callback) safely(() => callback(reason));
  }
}

/** Runs user code; its errors surface asynchronously instead of breaking the request that triggered it. */
function safely(run: () => void): void {
  try {
    run();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
