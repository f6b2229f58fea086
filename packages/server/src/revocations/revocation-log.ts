import { randomBytes } from 'node:crypto';
import { mergeRevocation, type RevocationBatch, type RevocationEntry } from '@duotoken/protocol';
import type { Clock } from '../clock/clock.js';
import type { FenceChange, SessionFence } from '../sessions/session-fence.js';
import type { Store } from '../store/store.js';

export type { RevocationBatch, RevocationEntry } from '@duotoken/protocol';

/**
 * The revocation feed's source: the session fence's recent changes, each
 * with a sequence number. Changes arrive through `SessionFence.onApply` as
 * the fence learns them: local ones at once, other instances' through the
 * Redis bus, and everything written to the database (the CLI, instances
 * without Redis) through the fence's store poll within the allowed lag. The
 * log vouches for itself exactly while the fence does (it is not suspended).
 * Cursors are `<epoch>.<seq>`: a cursor of another epoch (a restart, another
 * instance) gets the full snapshot, which is harmless because applying an
 * entry twice changes nothing.
 */
export class RevocationLog {
  private readonly epoch = randomBytes(6).toString('base64url');
  private seq = 0;
  private readonly entries = new Map<string, { entry: RevocationEntry; seq: number }>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: { store: Store; fence: SessionFence; clock: Clock },
    readonly retentionMs: number,
  ) {}

  /** Loads the start-up snapshot from the store and follows the fence. */
  async start(): Promise<void> {
    this.deps.fence.onApply((change) => this.add(change));
    for (const s of await this.deps.store.listFencedSince(this.deps.clock.now() - this.retentionMs))
      this.add({ sessionId: s.id, version: s.version, revoked: s.revoked, at: s.fencedAt });
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
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** True while the log can vouch that it is complete: the fence it follows is not suspended. */
  isHealthy(): boolean {
    return this.deps.fence.suspended === undefined;
  }

  close(): void {
    this.listeners.clear();
  }

  private add(change: FenceChange): void {
    // The fence's merge rule (protocol's): revoked is final and versions only grow.
    const merged = mergeRevocation(this.entries.get(change.sessionId)?.entry, change);
    if (!merged) return;
    const entry: RevocationEntry = { sid: change.sessionId, ...merged };
    // Deleting first keeps the Map in sequence order.
    this.entries.delete(entry.sid);
    this.entries.set(entry.sid, { entry, seq: ++this.seq });
    for (const listener of this.listeners) listener();
  }

  private prune(): void {
    const cutoff = this.deps.clock.now() - this.retentionMs;
    for (const [sid, { entry }] of this.entries) if (entry.at < cutoff) this.entries.delete(sid);
  }
}
