import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';

/** Why a verified access token's session no longer admits it. */
export type FenceVerdict = 'ok' | 'revoked' | 'stale';

interface FenceEntry {
  /** Tokens with a lower `sv` are refused. */
  minVersion: number;
  revoked: boolean;
  at: number;
}

/** A change to publish to other instances. */
export interface FenceChange {
  sessionId: string;
  version: number;
  revoked: boolean;
  at: number;
}

/**
 * In-memory set of sessions revoked or re-versioned within the last
 * access-token lifetime, so checking an access token needs no database read.
 * Older entries are dropped: every token they could refuse has expired.
 */
export class SessionFence {
  private readonly entries = new Map<string, FenceEntry>();
  private readonly listeners: Array<(change: FenceChange) => void> = [];
  private readonly appliedListeners: Array<(change: FenceChange) => void> = [];
  /** Set while revocations made elsewhere may be missed (see `suspend`). */
  private suspendedFor: string | undefined;

  constructor(
    private readonly clock: Clock,
    /** How long an entry must be kept: the access-token lifetime plus leeway (ms). */
    private readonly retentionMs: number,
  ) {}

  /** Loads recent revocations and version bumps from the store. */
  async load(store: Store): Promise<void> {
    const since = this.clock.now() - this.retentionMs;
    for (const s of await store.listFencedSince(since))
      this.apply({ sessionId: s.id, version: s.version, revoked: s.revoked, at: s.fencedAt });
  }

  /**
   * Verdict for a token of session `sid` carrying version `sv`. Throws
   * STORE_UNAVAILABLE (503, 10051) while suspended: a fence that may have
   * missed a revocation must not admit anyone.
   */
  check(sid: string, sv: number): FenceVerdict {
    if (this.suspendedFor !== undefined) throw new AuthError('STORE_UNAVAILABLE', { details: { reason: 'revocation_feed' } });
    const e = this.entries.get(sid);
    if (!e) return 'ok';
    if (e.revoked) return 'revoked';
    return sv < e.minVersion ? 'stale' : 'ok';
  }

  /** Records a local change and tells the listeners (fan-out to other instances). */
  record(change: FenceChange): void {
    this.apply(change);
    for (const listen of this.listeners) listen(change);
  }

  /** Applies a change learnt from elsewhere (or the store), without re-publishing it. */
  apply(change: FenceChange): void {
    for (const listen of this.appliedListeners) listen(change);
    const prev = this.entries.get(change.sessionId);
    this.entries.set(change.sessionId, {
      minVersion: Math.max(prev?.minVersion ?? 0, change.version),
      revoked: (prev?.revoked ?? false) || change.revoked,
      at: Math.max(prev?.at ?? 0, change.at),
    });
    if (this.entries.size % 1024 === 0) this.prune();
  }

  /**
   * Fails every check closed until `resume()`: used when this instance can no
   * longer hear other instances' revocations (the Redis feed is down).
   */
  suspend(reason: string): void {
    this.suspendedFor = reason;
  }

  /** Lifts `suspend()`; call it only once the fence has been re-read from the store. */
  resume(): void {
    this.suspendedFor = undefined;
  }

  /** Why checks are failing closed, or undefined when they are not. */
  get suspended(): string | undefined {
    return this.suspendedFor;
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
    const cutoff = this.clock.now() - this.retentionMs;
    for (const [sid, e] of this.entries) if (e.at < cutoff) this.entries.delete(sid);
  }

  get size(): number {
    return this.entries.size;
  }
}
