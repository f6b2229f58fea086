import type { AuthClientError } from './client-errors.js';
import type { CrossTabLock } from './cross-tab-lock.js';
import type { RotationLedger } from './rotation-ledger.js';
import type { TabSync } from './tab-sync.js';
import type { AuthTokens, TokenStore } from './token-store.js';

/** What asking the server for a new pair gave. */
export type ExchangeResult =
  | { kind: 'ok'; tokens: AuthTokens }
  /** The server refused the refresh token (10024, lin-cms 10042/10052 …). */
  | { kind: 'refused'; code: string }
  /** Network error, timeout, 429 or 5xx: the session is kept. */
  | { kind: 'unavailable'; error: AuthClientError };

/** The end of one refresh, as every waiting request sees it. */
export type RefreshOutcome =
  /** Tokens to use now: freshly rotated, or rotated meanwhile by another request or tab. */
  | { kind: 'refreshed'; tokens: AuthTokens; changed: boolean }
  | { kind: 'login-required'; code: string }
  | { kind: 'unavailable'; error: AuthClientError };

/**
 * Single flight for the refresh: concurrent callers in this tab share one
 * promise, and the exchange itself runs under a cross-tab lock. Inside the
 * lock the stored tokens are read again: if their refresh token is no longer
 * the one the caller saw fail, another request or tab has already rotated
 * it, and that pair is used without calling the server. The marker is the
 * access token that failed, not the refresh token, because non-rotating
 * dialects (lin-cms) keep the refresh token across refreshes. The rotated pair is
 * stored before the lock is released, and announced to the other tabs.
 *
 * The stored pair a tab reads may lag behind another tab's write (see
 * {@link RotationLedger}), so the replaced access token is also noted in the
 * ledger before the lock is released; a holder that still reads the replaced
 * token waits for its storage to catch up instead of refreshing again.
 *
 * Nothing here calls user code: notifications happen after `run` resolves,
 * when the lock is free.
 */
export class RefreshFlight {
  private inflight: Promise<RefreshOutcome> | null = null;

  constructor(
    private readonly deps: {
      store: TokenStore;
      lock: CrossTabLock;
      sync: TabSync;
      ledger: RotationLedger;
      /** How long a tab whose storage lags waits for the pair another tab stored (ms); then it refreshes itself. Default 3 000. */
      catchUpMs?: number;
      /** Trades a refresh token for a new pair (one HTTP request, bounded by a timeout). */
      exchange: (refreshToken: string) => Promise<ExchangeResult>;
    },
  ) {}

  /**
   * Refreshes unless it has happened already.
   * @param stale the access token the caller found wanting (expired, or
   *   refused by the server); null when the caller had none.
   */
  run(stale: string | null): Promise<RefreshOutcome> {
    if (this.inflight) return this.inflight;
    const flight = this.deps.lock.run(`duotoken-refresh:${this.deps.store.key}`, () => this.underLock(stale));
    this.inflight = flight;
    const done = () => {
      if (this.inflight === flight) this.inflight = null;
    };
    flight.then(done, done);
    return flight;
  }

  private async underLock(stale: string | null): Promise<RefreshOutcome> {
    const { store, sync, ledger } = this.deps;
    let current = await store.load();
    if (current && current.accessToken === stale && (await ledger.wasReplaced(current.accessToken))) current = await this.catchUp(current);
    if (!current) return { kind: 'login-required', code: 'LOGIN_REQUIRED' };
    if (current.accessToken !== stale) return { kind: 'refreshed', tokens: current, changed: false };
    const result = await this.deps.exchange(current.refreshToken);
    if (result.kind === 'unavailable') return result;
    if (result.kind === 'refused') {
      // A login made meanwhile (another tab) is not undone by this session's end.
      const after = await store.replaceIf(current.refreshToken, null);
      if (after) return { kind: 'refreshed', tokens: after, changed: true };
      sync.publish({ type: 'cleared', refreshToken: current.refreshToken });
      return { kind: 'login-required', code: result.code };
    }
    const stored = await store.replaceIf(current.refreshToken, result.tokens);
    if (stored === result.tokens) {
      await ledger.noteReplaced(current.accessToken);
      sync.publish({ type: 'tokens', previous: current.refreshToken, tokens: result.tokens });
    }
    return stored ? { kind: 'refreshed', tokens: stored, changed: true } : { kind: 'login-required', code: 'LOGIN_REQUIRED' };
  }

  /** Reads the storage until it no longer holds `lagging` (another tab's rotation arrived, or a logout), within `catchUpMs`. */
  private async catchUp(lagging: AuthTokens): Promise<AuthTokens | null> {
    const deadline = Date.now() + (this.deps.catchUpMs ?? 3_000);
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const current = await this.deps.store.load();
      if (current?.accessToken !== lagging.accessToken) return current;
    }
    // Never arrived (a tab with storage of its own that missed the announcement): refresh, within the server's grace window.
    return lagging;
  }
}
