import type { CrossTabLock } from './cross-tab-lock.js';
import { inProcessLock } from './in-process-lock.js';
import { createStorageLeaseLock } from './storage-lease-lock.js';
import { isBrowserPage } from './token-store.js';

/** The part of `navigator.locks` (Web Locks API) the client uses. */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The Web Locks API (`navigator.locks`), exclusive mode: held across tabs and workers of the origin. */
export function webLocksLock(locks: LockManagerLike): CrossTabLock {
  return { run: (name, task) => locks.request(name, task) };
}

/**
 * The best lock this environment has: Web Locks where present; else, in a
 * browser page, a lease in `localStorage` (see {@link createStorageLeaseLock});
 * else in-process only.
 */
export function defaultLock(): CrossTabLock {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (locks && typeof locks.request === 'function') return webLocksLock(locks);
  if (isBrowserPage()) return createStorageLeaseLock(globalThis.localStorage);
  return inProcessLock();
}
