import { RevocationSet, type RevocationState, type SessionVerdict } from '@duotoken/protocol';
import type { Clock } from '../clock/clock.js';
import type { Store } from '../store/store.js';

/** What the fence says of a verified access token's session; `unavailable` while it is suspended. */
export type FenceVerdict = SessionVerdict | 'unavailable';

/** A change to publish to other instances: a session's new revocation state (protocol's `RevocationState`). */
export interface FenceChange extends RevocationState {
  sessionId: string;
}

/**
 * In-memory set of sessions revoked or re-versioned within the last
 * access-token lifetime, so checking an access token needs no database read.
 * Older entries are dropped: every token they could refuse has expired.
 */
export class SessionFence {
  /** The merge rule and verdicts are protocol's, shared with `@duotoken/verify`. */
  private readonly revocations = new RevocationSet();
  private readonly listeners: Array<(change: FenceChange) => void> = [];
  private readonly appliedListeners: Array<(change: FenceChange) => void> = [];
  /** Why each source that feeds this fence cannot vouch for it now (see `suspend`). */
  private readonly suspensions = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    /** How long an entry must be kept: the access-token lifetime plus leeway (ms). */
    readonly retentionMs: number,
  ) {}

  /** Loads recent revocations and version bumps from the store. */
  async load(store: Store): Promise<void> {
    const since = this.clock.now() - this.retentionMs;
    for (const s of await store.listFencedSince(since))
      this.apply({ sessionId: s.id, version: s.version, revoked: s.revoked, at: s.fencedAt });
  }

  /**
   * Verdict for a token of session `sid` carrying version `sv`;
   * `unavailable` while suspended: a fence that may have missed a revocation
   * must not admit anyone (503, 10051).
   */
  check(sid: string, sv: number): FenceVerdict {
    if (this.suspensions.size > 0) return 'unavailable';
    return this.revocations.check(sid, sv);
  }

  /** Records a local change and tells the listeners (fan-out to other instances). */
  record(change: FenceChange): void {
    this.apply(change);
    for (const listen of this.listeners) listen(change);
  }

  /**
   * Applies a change learnt from elsewhere (or the store), without
   * re-publishing it. A change the entry already covers is ignored (revoked
   * is final, versions only grow), so the store poll re-reads its overlap
   * for free and the listeners hear each change once.
   */
  apply(change: FenceChange): void {
    if (!this.revocations.apply(change.sessionId, change)) return;
    for (const listen of this.appliedListeners) listen(change);
    if (this.revocations.size % 1024 === 0) this.prune();
  }

  /**
   * Fails every check closed until `resume(source)`: used when a `source`
   * that feeds this fence (`'bus'`: the Redis feed, `'poll'`: the store
   * poll) can no longer vouch that no revocation made elsewhere is missing.
   * Each source suspends and resumes on its own; checks fail while any does.
   */
  suspend(source: string, reason: string): void {
    this.suspensions.set(source, reason);
  }

  /** Lifts `suspend(source)`; call it only once that source has caught up with the store. */
  resume(source: string): void {
    this.suspensions.delete(source);
  }

  /** Whether `source` has suspended the fence. */
  isSuspendedBy(source: string): boolean {
    return this.suspensions.has(source);
  }

  /** Why checks are failing closed, or undefined when they are not. */
  get suspended(): string | undefined {
    for (const reason of this.suspensions.values()) return reason;
    return undefined;
  }

  /** How long ago each source feeding this fence from elsewhere was last in step (see `reportLag`). */
  private readonly lagProbes = new Map<string, () => number>();

  /** Lets a source that feeds this fence from elsewhere (the Redis bus…) tell how long ago (ms) it was last in step. */
  reportLag(source: string, probe: () => number): void {
    this.lagProbes.set(source, probe);
  }

  /** The largest lag (ms) among the sources feeding this fence from elsewhere; null when none does (a lone instance). */
  get lagMs(): number | null {
    const lags = [...this.lagProbes.values()].map((probe) => Math.max(0, probe()));
    return lags.length ? Math.max(...lags) : null;
  }

  /** Listens to local changes only (what this instance must publish to the others). */
  onChange(listener: (change: FenceChange) => void): void {
    this.listeners.push(listener);
  }

  /** Listens to every change applied here, local or learnt from other instances (the verifier feed). */
  onApply(listener: (change: FenceChange) => void): void {
    this.appliedListeners.push(listener);
  }

  /** Drops entries older than the retention window. */
  prune(): void {
    this.revocations.pruneBefore(this.clock.now() - this.retentionMs);
  }

  get size(): number {
    return this.revocations.size;
  }
}
