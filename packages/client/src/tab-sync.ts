import type { AuthTokens } from './token-store.js';

/** What one tab tells the others after it changed the session. */
export type TabMessage =
  /** New tokens replacing those whose refresh token was `previous` (null after a login). */
  | { type: 'tokens'; previous: string | null; tokens: AuthTokens }
  /** The session whose refresh token was `refreshToken` ended (logout, refresh refused). */
  | { type: 'cleared'; refreshToken: string | null }
  /** The stored value changed in another tab (a `storage` event): read it again. */
  | { type: 'changed' };

/** A channel between the tabs of one origin that share a storage key. */
export interface TabSync {
  publish(message: TabMessage): void;
  /** Listens to other tabs' messages; returns the unsubscribe function. */
  subscribe(listener: (message: TabMessage) => void): () => void;
  close(): void;
}

/** No other tabs (Node, or cross-tab sync switched off). */
export function noTabSync(): TabSync {
  return { publish: () => undefined, subscribe: () => () => undefined, close: () => undefined };
}

/**
 * Tells the other tabs about new or cleared tokens with a `BroadcastChannel`
 * named after the storage key, and turns `storage` events on that key into
 * `changed` messages (browsers without BroadcastChannel, and writes by code
 * that is not this SDK). Tabs whose storage is their own (`sessionStorage`)
 * adopt a rotated pair only when they held its predecessor, so a tab never
 * keeps using a refresh token another tab already rotated.
 */
export function createTabSync(storageKey: string): TabSync {
  const listeners = new Set<(message: TabMessage) => void>();
  const emit = (message: TabMessage) => {
    for (const listener of [...listeners]) listener(message);
  };
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`duotoken:${storageKey}`) : null;
  const onMessage = (event: MessageEvent) => {
    if (isTabMessage(event.data)) emit(event.data);
  };
  channel?.addEventListener('message', onMessage);
  const target = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : null;
  const onStorage = (event: StorageEvent) => {
    if (event.key === storageKey || event.key === null) emit({ type: 'changed' });
  };
  target?.addEventListener('storage', onStorage);
  return {
    publish(message) {
      channel?.postMessage(message);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      channel?.removeEventListener('message', onMessage);
      channel?.close();
      target?.removeEventListener('storage', onStorage);
    },
  };
}

function isTabMessage(value: unknown): value is TabMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'tokens' || type === 'cleared' || type === 'changed';
}
