/** One entry of the revocation feed (wire format of `GET /auth/revocations`): a session revoked or re-versioned. */
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

/** A batch of the feed: entries after a cursor, and the cursor to resume from. */
export interface RevocationBatch {
  cursor: string;
  entries: RevocationEntry[];
  /** How long the receiver must keep an entry (ms): the access-token lifetime plus leeway. */
  retention_ms: number;
}

/** What is known of one session: its least valid version, whether it is revoked, and when that last changed. */
export interface RevocationState {
  version: number;
  revoked: boolean;
  /** Unix milliseconds. */
  at: number;
}

/** What a session's revocations say of a token: admitted, `revoked`, or `stale` (its `sv` is older than the session's). */
export type SessionVerdict = 'ok' | 'revoked' | 'stale';

/**
 * The merge rule of revocations: revoked is final and versions only grow, so
 * applying a change twice, or out of order, changes nothing. Returns the
 * session's new state, or undefined when `prev` already covers `change`.
 */
export function mergeRevocation(prev: RevocationState | undefined, change: RevocationState): RevocationState | undefined {
  if (prev && (prev.revoked || (!change.revoked && prev.version >= change.version))) return undefined;
  // Past the line above, `prev` is not revoked: the change decides.
  return { version: Math.max(prev?.version ?? 0, change.version), revoked: change.revoked, at: Math.max(prev?.at ?? 0, change.at) };
}

/**
 * Sessions revoked or re-versioned recently, by session id: the server's
 * session fence and a verifier's copy of the feed both keep one. Entries
 * older than the access-token lifetime can be dropped: every token they
 * could refuse has expired.
 */
export class RevocationSet {
  private readonly entries = new Map<string, RevocationState>();

  /** Merges a change of session `sid`; false when the set already covered it. */
  apply(sid: string, change: RevocationState): boolean {
    const next = mergeRevocation(this.entries.get(sid), change);
    if (next) this.entries.set(sid, next);
    return next !== undefined;
  }

  /** Verdict for a token of session `sid` carrying version `sv`. */
  check(sid: string, sv: number): SessionVerdict {
    const e = this.entries.get(sid);
    if (!e) return 'ok';
    if (e.revoked) return 'revoked';
    return sv < e.version ? 'stale' : 'ok';
  }

  /** Drops the entries last changed before `cutoffMs` (unix ms). */
  pruneBefore(cutoffMs: number): void {
    for (const [sid, e] of this.entries) if (e.at < cutoffMs) this.entries.delete(sid);
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
