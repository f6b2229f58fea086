/** The tokens of one session as the client keeps them. */
export interface AuthTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in ms on the server's clock; `null` when the dialect does not say. */
  accessExpiresAt: number | null;
  /** When the refresh token expires, in ms on the server's clock; `null` when unknown. */
  refreshExpiresAt: number | null;
  /** Server clock minus client clock (ms) when these tokens were stored: lets a new tab judge expiry before its first answer. */
  clockOffsetMs: number;
}

/**
 * Where the tokens live: a tiny key–value interface, sync or async, so
 * anything from `localStorage` to IndexedDB, a cookie jar or a secure
 * keychain on React Native can hold them.
 */
export interface TokenStorage {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The part of the Web Storage API the adapters use (`localStorage`, `sessionStorage`, or a shim). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Storage in this process's memory: the default in Node; tokens are gone when the process ends. */
export function memoryStorage(): TokenStorage {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}

/**
 * Adapts a Web Storage object. `localStorage` (the default in browsers) is
 * shared by every tab of the origin, which is what lets tabs share one
 * session; `sessionStorage` keeps a session per tab.
 */
export function webStorage(storage: WebStorageLike): TokenStorage {
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
  };
}

/** `window.localStorage` as a {@link TokenStorage}. */
export function localStorageAdapter(): TokenStorage {
  return webStorage(globalThis.localStorage);
}

/** `window.sessionStorage` as a {@link TokenStorage}: one session per tab. */
export function sessionStorageAdapter(): TokenStorage {
  return webStorage(globalThis.sessionStorage);
}

/** Storage named by a shorthand, or a custom adapter. */
export type StorageOption = 'memory' | 'local' | 'session' | TokenStorage;

/** Picks the storage: `localStorage` in a browser page, memory elsewhere. */
export function resolveStorage(option: StorageOption | undefined): TokenStorage {
  if (option === 'memory') return memoryStorage();
  if (option === 'local') return localStorageAdapter();
  if (option === 'session') return sessionStorageAdapter();
  if (option) return option;
  return isBrowserPage() ? localStorageAdapter() : memoryStorage();
}

/** A browser page (not Node, not a worker): has a document and Web Storage. */
export function isBrowserPage(): boolean {
  return typeof document !== 'undefined' && typeof globalThis.localStorage !== 'undefined';
}

/** Reads and writes {@link AuthTokens} as one JSON value under one key. */
export class TokenStore {
  constructor(
    private readonly storage: TokenStorage,
    /** Storage key; also names the cross-tab lock and channel. */
    readonly key: string,
  ) {}

  /** The stored tokens, or null when there are none or the value is unreadable. */
  async load(): Promise<AuthTokens | null> {
    const raw = await this.storage.get(this.key);
    if (!raw) return null;
    try {
      return parseTokens(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  async save(tokens: AuthTokens): Promise<void> {
    await this.storage.set(this.key, JSON.stringify(tokens));
  }

  async clear(): Promise<void> {
    await this.storage.remove(this.key);
  }

  /**
   * Replaces the tokens only while the stored refresh token is still
   * `expected` (null: nothing stored), so a late answer never overwrites a
   * newer pair or a login made meanwhile. Returns what is stored afterwards.
   */
  async replaceIf(expected: string | null, next: AuthTokens | null): Promise<AuthTokens | null> {
    const current = await this.load();
    if ((current?.refreshToken ?? null) !== expected) return current;
    if (next) await this.save(next);
    else await this.clear();
    return next;
  }
}

function parseTokens(value: unknown): AuthTokens | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.accessToken !== 'string' || typeof v.refreshToken !== 'string') return null;
  const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    accessToken: v.accessToken,
    refreshToken: v.refreshToken,
    accessExpiresAt: time(v.accessExpiresAt),
    refreshExpiresAt: time(v.refreshExpiresAt),
    clockOffsetMs: time(v.clockOffsetMs) ?? 0,
  };
}
