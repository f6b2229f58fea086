/** One entry of the server's revocation feed (wire format of `GET /auth/revocations`). */
export interface RevocationEntry {
  /** Session id (`sid` claim). */
  sid: string;
  /** Least session version still valid: tokens with a lower `sv` are refused. */
  version: number;
  /** The whole session is revoked. */
  revoked: boolean;
  /** When the server recorded the change (unix milliseconds). */
  at: number;
}

/** Verdict for a token's session. */
export type SessionVerdict = 'ok' | 'revoked' | 'stale';

/**
 * Sessions revoked or re-versioned, as learnt from the feed. Applying an
 * entry twice is harmless (versions only grow, revocation is final), so a
 * re-sent snapshot after a reconnect needs no de-duplication.
 */
export class RevocationSet {
  private readonly entries = new Map<string, { minVersion: number; revoked: boolean; at: number }>();
  /** Entries older than this (ms) refuse only tokens that have expired anyway. */
  private retentionMs = 24 * 3600 * 1000;

  /** Merges entries from the feed. */
  apply(entries: readonly RevocationEntry[], now: number, retentionMs?: number): void {
    if (retentionMs !== undefined && retentionMs > 0) this.retentionMs = retentionMs;
    for (const e of entries) {
      const prev = this.entries.get(e.sid);
      this.entries.set(e.sid, {
        minVersion: Math.max(prev?.minVersion ?? 0, e.version),
        revoked: (prev?.revoked ?? false) || e.revoked,
        at: Math.max(prev?.at ?? 0, e.at),
      });
    }
    if (entries.length) this.prune(now);
  }

  /** Verdict for a token of session `sid` carrying version `sv`. */
  check(sid: string, sv: number): SessionVerdict {
    const e = this.entries.get(sid);
    if (!e) return 'ok';
    if (e.revoked) return 'revoked';
    return sv < e.minVersion ? 'stale' : 'ok';
  }

  private prune(now: number): void {
    const cutoff = now - this.retentionMs;
    for (const [sid, e] of this.entries) if (e.at < cutoff) this.entries.delete(sid);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** True when `value` is a well-formed feed entry. */
export function isRevocationEntry(value: unknown): value is RevocationEntry {
  const e = value as RevocationEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.sid === 'string' &&
    Number.isSafeInteger(e.version) &&
    typeof e.revoked === 'boolean' &&
    Number.isFinite(e.at)
  );
}
