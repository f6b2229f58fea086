import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { RetentionRepo } from '../store/retention-repo.js';

/** The tables the job prunes. */
export type RetentionTable = 'refresh_tokens' | 'sessions' | 'audit_events';

/** One batch: one DELETE of at most `batchSize` rows. */
export interface RetentionBatch {
  table: RetentionTable;
  deleted: number;
  /** Time the DELETE took (the event loop is held for this long on SQLite). */
  ms: number;
}

/** One pass over every table, until none has anything left to delete. */
export interface RetentionPass {
  deleted: Record<RetentionTable, number>;
  batches: number;
  ms: number;
}

export interface RetentionOptions {
  /** Pause between passes; `0` turns the timer off (`runOnce()` still works). */
  intervalMs: number;
  /** Rows per DELETE. */
  batchSize: number;
  /** Audit events older than this are deleted; `0` keeps them for ever. */
  auditRetentionMs: number;
  /**
   * How long past its expiry (or a session past its end) a row is kept
   * anyway: at least the access-token lifetime plus the clock tolerance, so
   * that nothing an unexpired access token may still point at (the session
   * fence re-read at start, a lin-cms `keep` session whose refresh token
   * expired before its last access token) is deleted; the margin also covers
   * clock differences between instances.
   */
  keepAfterExpiryMs: number;
}

/**
 * Shortest pause between two batches; the pause also grows with the batch
 * (four times its duration), so the job takes at most a fifth of the event
 * loop however slow the database is: the hot path is never held for more
 * than one small batch.
 */
const MIN_PAUSE_MS = 10;
const PAUSE_PER_BATCH_MS = 4;

/**
 * Deletes what is no longer needed (#13.2), in small batches on a timer:
 * refresh-token rows once expired (a consumed token is kept until then, so a
 * late replay still trips reuse detection), ended sessions once none of their
 * refresh tokens is left, and audit events past their retention. Safe on
 * several instances at once (PostgreSQL: the batches skip each other's rows).
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionPass> | undefined;
  private stopping = false;
  private readonly listeners: Array<(batch: RetentionBatch) => void> = [];

  constructor(
    private readonly deps: { store: RetentionRepo; clock: Clock; logger: Logger },
    private readonly options: RetentionOptions,
  ) {}

  /** Adds a listener of every batch (the metrics). Listeners must be cheap and never throw. */
  onBatch(listener: (batch: RetentionBatch) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Starts the timer. The first pass runs after between one half and one
   * whole interval, so that instances started together spread their passes.
   */
  start(): void {
    if (this.options.intervalMs <= 0 || this.stopping) return;
    this.schedule(this.options.intervalMs * (0.5 + Math.random() / 2));
  }

  /** One pass now (or the pass already running). */
  runOnce(): Promise<RetentionPass> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a pass in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.runOnce().then(
        (pass) => {
          const total = pass.deleted.refresh_tokens + pass.deleted.sessions + pass.deleted.audit_events;
          if (total > 0) this.deps.logger.info({ retention: pass }, 'retention pass');
        },
        // Once per pass at most; a store outage is logged by the store itself.
        (error: unknown) => this.deps.logger.warn({ message: String((error as Error)?.message ?? error) }, 'retention pass failed'),
      );
      if (!this.stopping) this.schedule(this.options.intervalMs);
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<RetentionPass> {
    const { store, clock } = this.deps;
    const { batchSize, auditRetentionMs, keepAfterExpiryMs } = this.options;
    const started = performance.now();
    const pass: RetentionPass = { deleted: { refresh_tokens: 0, sessions: 0, audit_events: 0 }, batches: 0, ms: 0 };
    const drain = async (table: RetentionTable, deleteBatch: (before: number) => Promise<number>, before: () => number) => {
      for (;;) {
        if (this.stopping) return;
        const t0 = performance.now();
        const deleted = await deleteBatch(before());
        const ms = performance.now() - t0;
        pass.batches++;
        pass.deleted[table] += deleted;
        for (const listen of this.listeners) listen({ table, deleted, ms });
        if (deleted < batchSize) return;
        await sleep(Math.max(MIN_PAUSE_MS, ms * PAUSE_PER_BATCH_MS));
      }
    };
    // Tokens first: a session goes once it has no refresh-token row left.
    const expired = () => clock.now() - keepAfterExpiryMs;
    await drain('refresh_tokens', (before) => store.deleteExpiredRefreshTokens(before, batchSize), expired);
    await drain('sessions', (before) => store.deleteEndedSessions(before, batchSize), expired);
    if (auditRetentionMs > 0)
      await drain(
        'audit_events',
        (before) => store.deleteAuditEventsBefore(before, batchSize),
        () => clock.now() - auditRetentionMs,
      );
    pass.ms = Math.round(performance.now() - started);
    return pass;
  }
}
