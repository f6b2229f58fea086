import type { CrossTabLock } from './cross-tab-lock.js';
import { inProcessLock } from './in-process-lock.js';
import type { WebStorageLike } from './token-store.js';

/** Tuning of the storage lease; the defaults suit a refresh that times out after 15 s. */
export interface StorageLeaseOptions {
  /** How long a lease lasts unless released: a tab that dies holding it blocks others at most this long. Default 20 000 ms. */
  ttlMs?: number;
  /** Pause between attempts to take the lease. Default 50 ms. */
  pollMs?: number;
  /** Pause between writing a lease and reading it back to see who won a race. Default 30 ms. */
  settleMs?: number;
  /** Clock (ms), injectable for tests. */
  now?: () => number;
}

interface Lease {
  owner: string;
  expiresAt: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readLease(storage: WebStorageLike, key: string): Lease | null {
  try {
    const value = JSON.parse(storage.getItem(key) ?? 'null') as Lease | null;
    return value && typeof value.owner === 'string' && typeof value.expiresAt === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * A cross-tab lock for browsers without Web Locks: a lease with an expiry in
 * `localStorage`. A tab writes its lease when none is live, waits a moment,
 * and reads it back; if its own lease survived, it holds the lock. This is
 * best effort (Web Storage has no compare-and-swap), so two tabs may rarely
 * both refresh; the server's grace window then hands both the same successor,
 * and nobody is logged out. Waiting is bounded by the lease lifetime: a lease
 * left by a closed tab expires and is taken over; a lease is never taken
 * over before it expires.
 */
export function createStorageLeaseLock(storage: WebStorageLike, options: StorageLeaseOptions = {}): CrossTabLock {
  const ttlMs = options.ttlMs ?? 20_000;
  const pollMs = options.pollMs ?? 50;
  const settleMs = options.settleMs ?? 30;
  const now = options.now ?? Date.now;
  // Tasks of this lock queue here first, so the storage is contended by one task per tab at a time.
  const local = inProcessLock(new Map());

  /** Whether `lease` still excludes others: unexpired, and not claiming more than a lease can (written by a clock that jumped). */
  const isLive = (lease: Lease | null, at: number) => lease !== null && lease.expiresAt > at && lease.expiresAt <= at + ttlMs;

  async function acquire(key: string, owner: string): Promise<void> {
    // Never goes ahead while another tab's lease is live: every lease ends within ttlMs, so the wait is bounded.
    for (;;) {
      if (!isLive(readLease(storage, key), now())) {
        storage.setItem(key, JSON.stringify({ owner, expiresAt: now() + ttlMs }));
        await sleep(settleMs);
        if (readLease(storage, key)?.owner === owner) return;
      }
      await sleep(pollMs);
    }
  }

  return {
    run<T>(name: string, task: () => Promise<T>): Promise<T> {
      return local.run(name, async () => {
        const key = `${name}:lease`;
        const owner = `${now()}-${Math.random().toString(36).slice(2)}`;
        await acquire(key, owner);
        try {
          return await task();
        } finally {
          if (readLease(storage, key)?.owner === owner) storage.removeItem(key);
        }
      });
    },
  };
}
