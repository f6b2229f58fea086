/**
 * Access tokens already replaced by a refresh, recorded where every tab of
 * the origin reads them in the order the refresh lock grants it.
 *
 * The lock orders the tabs, but not their view of the token storage:
 * Chromium serves `localStorage` from a cache per renderer process that the
 * other tabs' writes reach asynchronously, so a tab granted the lock just
 * after another one rotated can still read the old pair, and would refresh
 * it a second time. Measured with two tabs taking a Web Lock in turns and
 * incrementing a value: 26 to 159 of 600 turns read a stale `localStorage`
 * value (1 to 63 of 300 when one tab only reads), none read a stale
 * IndexedDB value (IndexedDB transactions are ordered in the browser
 * process, and the note is committed before the lock is released).
 */
export interface RotationLedger {
  /** Whether a refresh (in any tab) has already replaced `accessToken`. */
  wasReplaced(accessToken: string): Promise<boolean>;
  /** Notes that `accessToken` has been replaced; resolves once the next holder of the lock will see it. */
  noteReplaced(accessToken: string): Promise<void>;
}

/** Notes kept: a tab lags behind by a rotation or two at most. */
const KEEP = 32;
const realmNotes = new Set<string>();

/** A ledger in this realm's memory (Node, or a browser without IndexedDB): clients of one process share it. */
export function memoryRotationLedger(notes: Set<string> = realmNotes): RotationLedger {
  return {
    wasReplaced: (accessToken) => Promise.resolve(notes.has(accessToken)),
    noteReplaced(accessToken) {
      notes.add(accessToken);
      for (const oldest of notes) {
        if (notes.size <= KEEP) break;
        notes.delete(oldest);
      }
      return Promise.resolve();
    },
  };
}

const STORE = 'replaced';
/** Longest wait for IndexedDB (ms); it answers in a few ms. */
const ANSWER_MS = 2_000;

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** `promise`, or a rejection after `ms`: IndexedDB may never answer (Safari has left `open` pending), and the refresh lock is held meanwhile. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`IndexedDB did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** SHA-256 of a token, hex: the ledger never holds a usable token. */
async function fingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A ledger in IndexedDB (database `duotoken-rotations`), holding SHA-256
 * fingerprints of replaced access tokens. Best effort: when IndexedDB fails
 * (storage disabled, quota) it answers "not replaced", and a second refresh
 * is left to the server's grace window, as without a ledger.
 */
export function indexedDbRotationLedger(factory: IDBFactory, now: () => number = Date.now): RotationLedger {
  let opening: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    opening ??= (async () => {
      const request = factory.open('duotoken-rotations', 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE).createIndex('at', 'at');
      const db = await settle(request);
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      return db;
    })().catch((error: unknown) => {
      opening = null;
      throw error;
    });
    return opening;
  };
  return {
    async wasReplaced(accessToken) {
      try {
        const key = await fingerprint(accessToken);
        const tx = (await within(open(), ANSWER_MS)).transaction(STORE, 'readonly');
        return (await within(settle(tx.objectStore(STORE).getKey(key)), ANSWER_MS)) !== undefined;
      } catch {
        return false;
      }
    },
    async noteReplaced(accessToken) {
      try {
        const key = await fingerprint(accessToken);
        const tx = (await within(open(), ANSWER_MS)).transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        // Notes older than an hour are of no use: a tab's view of the storage lags by milliseconds.
        const old = store.index('at').openKeyCursor(IDBKeyRange.upperBound(now() - 3_600_000));
        old.onsuccess = () => {
          if (!old.result) return;
          store.delete(old.result.primaryKey);
          old.result.continue();
        };
        store.put({ at: now() }, key);
        await within(committed(tx), ANSWER_MS);
      } catch {
        // Best effort (see above).
      }
    },
  };
}

/** IndexedDB where the platform has it (browsers, with Web Crypto), else memory. */
export function defaultRotationLedger(): RotationLedger {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  return factory && globalThis.crypto?.subtle ? indexedDbRotationLedger(factory) : memoryRotationLedger();
}
