import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { Store } from '../store/store.js';
import type { SessionFence } from './session-fence.js';

/**
 * How far back (ms) each read reaches before the previous read began. A
 * revocation's `fenced_at` is taken before its transaction commits, so a row
 * committed while the previous read ran carries an earlier time; reads also
 * tolerate this much clock skew between the processes that write the rows.
 */
export const LATE_COMMIT_OVERLAP_MS = 10_000;

/** What the poll reads and feeds. */
export interface FencePollDeps {
  fence: SessionFence;
  store: Store;
  /** The clock that stamps `fenced_at` (the injected one). */
  clock: Clock;
  logger: Logger;
}

/** How tightly the poll runs. */
export interface FencePollOptions {
  /**
   * Longest time (ms) the fence may go without a successful read before
   * protected routes fail closed (`DUOTOKEN_REVOCATION_MAX_LAG`). The store is
   * read every quarter of it.
   */
  maxLagMs: number;
  /** How far back (ms) the first read reaches: the fence's retention. */
  retentionMs: number;
}

/**
 * Keeps the session fence in step with the database, the source of truth:
 * every quarter of the allowed lag (250 ms by default) it reads the sessions
 * fenced since its previous read (`listFencedSince`, an indexed range read)
 * and applies them. So a revocation made by any other process — the CLI,
 * another instance without Redis, an instance whose Redis message was lost —
 * is in force here within the lag. Checking a token stays free of I/O: the
 * read runs on a timer, never on a request.
 *
 * Staying fail-closed: when no read has succeeded for longer than the lag
 * (the store is down, unreachable or too slow), the fence is suspended —
 * protected routes answer 503 (10051) — until a read succeeds again; that
 * read covers everything since the last good one, so nothing is missed.
 *
 * Timing uses the real clock (it measures a database), never the injected one.
 */
export class FencePoll {
  /** Time between reads (ms). */
  readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** Injected-clock ms at which the last successful read began: the next one reads from there (minus the overlap). */
  private readFrom: number;
  /** Real ms at which the last successful read began: what the fence can vouch for. */
  private lastReadAt = Date.now();
  private nextTickAt = 0;
  private reading: Promise<void> | undefined;
  private warned = false;
  private closed = false;

  constructor(
    private readonly deps: FencePollDeps,
    private readonly options: FencePollOptions,
  ) {
    this.intervalMs = Math.max(50, Math.floor(options.maxLagMs / 4));
    this.readFrom = deps.clock.now() - options.retentionMs;
  }

  /** Reads at once (closing the gap since the services loaded the fence), then on every interval. */
  start(): void {
    // The overview (admin API) shows how long ago the fence was last in step with the store.
    this.deps.fence.reportLag('store', () => Date.now() - this.lastReadAt);
    this.nextTickAt = Date.now() + this.intervalMs;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.reading = this.read();
  }

  /** Stops polling; resolves once a read in flight has ended. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.reading;
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    // A late tick means this process was busy, not that the store is slow: a read may have
    // finished meanwhile without its callback having run yet.
    const late = now - this.nextTickAt > this.intervalMs;
    this.nextTickAt = now + this.intervalMs;
    if (this.reading) {
      if (!late) this.checkLag(now);
      return;
    }
    this.reading = this.read();
  }

  private async read(): Promise<void> {
    const { fence, store, clock, logger } = this.deps;
    const startedAt = clock.now();
    const startedReal = Date.now();
    try {
      for (const s of await store.listFencedSince(this.readFrom - LATE_COMMIT_OVERLAP_MS))
        fence.apply({ sessionId: s.id, version: s.version, revoked: s.revoked, at: s.fencedAt });
      this.readFrom = startedAt;
      this.lastReadAt = startedReal;
      this.warned = false;
      if (fence.isSuspendedBy('poll')) {
        fence.resume('poll');
        logger.info('revocation poll: the store answers again; protected routes open again');
      }
    } catch (error) {
      // Once per outage: a database down would otherwise log four lines a second.
      if (!this.warned) logger.warn({ err: error }, 'revocation poll: cannot read the store');
      this.warned = true;
      this.checkLag(Date.now());
    } finally {
      this.reading = undefined;
    }
  }

  /** Suspends the fence once the last good read is too old; one interval early, as the next tick may come that much later. */
  private checkLag(now: number): void {
    const { fence, logger } = this.deps;
    if (fence.isSuspendedBy('poll') || now - this.lastReadAt <= this.options.maxLagMs - this.intervalMs) return;
    fence.suspend('poll', 'revocation poll behind');
    logger.warn(
      { sinceLastReadMs: now - this.lastReadAt },
      'revocation poll: the store was not read within the allowed lag; protected routes answer 503 until it is',
    );
  }
}
