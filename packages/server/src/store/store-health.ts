import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/** Why the store went down, as a log line may show it (the driver's code and message, no stack). */
export interface StoreFailureCause {
  code: string | undefined;
  message: string;
}

/** A change of the store's state: it went down (with the first failure's cause), or it is back. */
export type StoreHealthChange =
  | { up: false; cause: StoreFailureCause }
  | {
      up: true;
      /** How long it was down. */
      downMs: number;
      /** Store calls that failed while it was down (each answered 503 to someone). */
      failures: number;
    };

/** How often a store that is down is probed (a small write) until it answers again. */
const PROBE_INTERVAL_MS = 1_000;

function causeOf(error: unknown): StoreFailureCause {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? error) };
}

/**
 * What the store's callers have seen of it: up, or down since a failure.
 *
 * The store reports every call that failed because the database could not do
 * the work (connection lost, disk full, I/O error: the errors answered 503).
 * The first such failure turns the state to down; from then on a probe (a
 * one-row write) runs every second, and when one succeeds the state is up
 * again. A write, not a read: on a full disk reads keep working while every
 * write fails, and readiness must say so until writes work again (#13.1).
 * Listeners hear each change once, so an outage is logged twice (down, up)
 * however many requests fail in between (#13.4).
 */
export class StoreHealth {
  private down: { sinceMs: number; failures: number } | undefined;
  private probing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners = new Set<(change: StoreHealthChange) => void>();

  /** @param probe one small write; it must throw when the database cannot write. */
  constructor(
    private readonly probe: () => Promise<void>,
    private readonly probeIntervalMs = PROBE_INTERVAL_MS,
  ) {}

  /** False from a failure until a probe succeeds. */
  get up(): boolean {
    return this.down === undefined;
  }

  /** Adds a listener of state changes; returns its removal. Listeners must not throw. */
  onChange(listener: (change: StoreHealthChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a store call that failed because the database could not do the work. */
  failed(error: unknown): void {
    if (this.down) {
      this.down.failures++;
      return;
    }
    this.down = { sinceMs: performance.now(), failures: 1 };
    this.emit({ up: false, cause: causeOf(error) });
    this.scheduleProbe();
  }

  /**
   * While down, probes now (one probe at a time, shared by concurrent
   * callers); resolves true when the store is up.
   */
  recover(): Promise<boolean> {
    if (!this.down) return Promise.resolve(true);
    this.probing ??= this.probe().then(
      () => {
        this.probing = undefined;
        const down = this.down;
        if (down) {
          this.down = undefined;
          clearTimeout(this.timer);
          this.emit({ up: true, downMs: Math.round(performance.now() - down.sinceMs), failures: down.failures });
        }
        return true;
      },
      () => {
        this.probing = undefined;
        return false;
      },
    );
    return this.probing;
  }

  /** Stops probing (the store is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.recover().then((up) => {
        if (!up) this.scheduleProbe();
      });
    }, this.probeIntervalMs);
    // Never what keeps a finished process alive.
    this.timer.unref();
  }

  private emit(change: StoreHealthChange): void {
    for (const listen of this.listeners) listen(change);
  }
}

/**
 * Logs the store's state changes: one line when it goes down (with the first
 * failure's cause), one when it is back. Returns the listener's removal.
 */
export function logStoreHealth(health: StoreHealth, logger: Logger, description: string): () => void {
  return health.onChange((change) => {
    if (change.up) logger.info({ store: description, downMs: change.downMs, failures: change.failures }, 'store available again');
    else logger.error({ store: description, cause: change.cause }, 'store unavailable: requests that need it answer 503 (10051)');
  });
}
