import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { FenceChange, SessionFence } from '../sessions/session-fence.js';
import type { Store } from '../store/store.js';

/** One entry of the feed (wire format): a session revoked or re-versioned. */
export interface RevocationEntry {
  sid: string;
  /** Least valid session version (`sv`): tokens with a lower one are refused. */
  version: number;
  revoked: boolean;
  /** Unix ms of the change. */
  at: number;
}

/** A batch of the feed: entries after a cursor, and the cursor to resume from. */
export interface RevocationBatch {
  cursor: string;
  entries: RevocationEntry[];
  /** How long the receiver must keep an entry (ms): the access-token lifetime plus leeway. */
  retention_ms: number;
}

/** How often the log re-reads the store while someone listens (ms). */
const STORE_SYNC_MS = 1_000;

/**
 * The revocation feed's source: the session fence's recent changes, each
 * with a sequence number. Changes arrive through `SessionFence.onApply` at
 * once (local ones, and other instances' through the Redis bus); they are
 * also read back from the store every second while verifiers listen (the
 * database is the source of truth, so the feed stays complete without Redis). Cursors are `<epoch>.<seq>`: a
 * cursor of another epoch (a restart, another instance) gets the full
 * snapshot, which is harmless because applying an entry twice changes nothing.
 */
export class RevocationLog {
  private readonly epoch = randomBytes(6).toString('base64url');
  private seq = 0;
  private readonly entries = new Map<string, { entry: RevocationEntry; seq: number }>();
  private readonly listeners = new Set<() => void>();
  private syncTimer: NodeJS.Timeout | undefined;
  private syncedUpTo: number;
  /** Real time of the last successful store sync: a feed that cannot read the store stops vouching for itself. */
  private lastSyncOk = Date.now();

  constructor(
    private readonly deps: { store: Store; fence: SessionFence; clock: Clock; logger: Logger },
    readonly retentionMs: number,
  ) {
    this.syncedUpTo = deps.clock.now() - retentionMs;
  }

  /** Loads the start-up snapshot and follows the fence. */
  async start(): Promise<void> {
    this.deps.fence.onApply((change) => this.add(change));
    await this.sync();
  }

  /** Entries after `cursor` (all recent ones for an unknown or foreign cursor). */
  since(cursor: string | undefined): RevocationBatch {
    this.prune();
    const [epoch, seqText] = (cursor ?? '').split('.');
    const after = epoch === this.epoch && /^\d+$/.test(seqText ?? '') ? Number(seqText) : -1;
    const entries: RevocationEntry[] = [];
    for (const { entry, seq } of this.entries.values()) if (seq > after) entries.push(entry);
    return { cursor: `${this.epoch}.${this.seq}`, entries, retention_ms: this.retentionMs };
  }

  /** Calls `listener` after each new entry; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.syncTimer ??= setInterval(() => void this.sync(), STORE_SYNC_MS).unref();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.syncTimer) {
        clearInterval(this.syncTimer);
        this.syncTimer = undefined;
      }
    };
  }

  /** True while the log can vouch that it is complete (its last store read is recent). */
  isHealthy(): boolean {
    return Date.now() - this.lastSyncOk < STORE_SYNC_MS * 5;
  }

  /** Re-reads the store when nobody has kept the log in step lately; resolves to `isHealthy()`. */
  async ensureFresh(): Promise<boolean> {
    if (!this.isHealthy()) await this.sync();
    return this.isHealthy();
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
    this.listeners.clear();
  }

  private add(change: FenceChange): void {
    const prev = this.entries.get(change.sessionId)?.entry;
    const entry: RevocationEntry = {
      sid: change.sessionId,
      version: Math.max(prev?.version ?? 0, change.version),
      revoked: (prev?.revoked ?? false) || change.revoked,
      at: Math.max(prev?.at ?? 0, change.at),
    };
    if (prev && prev.version === entry.version && prev.revoked === entry.revoked) return;
    // Deleting first keeps the Map in sequence order.
    this.entries.delete(entry.sid);
    this.entries.set(entry.sid, { entry, seq: ++this.seq });
    for (const listener of this.listeners) listener();
  }

  private async sync(): Promise<void> {
    // Re-read a little overlap: rows committed late (inside transactions) carry an earlier fenced_at.
    const since = this.syncedUpTo - 5_000;
    const startedAt = this.deps.clock.now();
    try {
      for (const s of await this.deps.store.listFencedSince(since))
        this.add({ sessionId: s.id, version: s.version, revoked: s.revoked, at: s.fencedAt });
      this.syncedUpTo = startedAt;
      this.lastSyncOk = Date.now();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'revocation feed: cannot read the store');
    }
  }

  private prune(): void {
    const cutoff = this.deps.clock.now() - this.retentionMs;
    for (const [sid, { entry }] of this.entries) if (entry.at < cutoff) this.entries.delete(sid);
  }
}
