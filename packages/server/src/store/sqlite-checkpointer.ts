import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, evaluated as CommonJS (so that it runs the same from
 * `dist/` and from the TypeScript sources under vitest). It holds its own
 * connection to the database file and checkpoints the WAL into it.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
parentPort.postMessage({ ready: true });
let timer;
// Told once per failing streak (a full disk fails every tick, 20 times a second).
let failing = false;
function tick() {
  try {
    const [state] = db.pragma('wal_checkpoint(PASSIVE)');
    // A writer that never pauses can keep a passive checkpoint from ever
    // catching up, and the WAL from ever starting over: past the bound, wait
    // for a gap between writes (RESTART) so the next writer rewinds the WAL.
    if (state && state.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
    if (failing) parentPort.postMessage({ recovered: true });
    failing = false;
  } catch (error) {
    if (!failing) parentPort.postMessage({ error: String((error && error.message) || error) });
    failing = true;
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
  parentPort.close();
});
`;

/**
 * WAL length (pages) past which the checkpointer waits for a gap in the
 * writes: under steady writes the WAL file grows to about this size (64 MiB
 * with 4 KiB pages) and is reused from its start after each RESTART.
 */
export const WAL_RESTART_PAGES = 16_384;

export interface CheckpointerOptions {
  /** Pause between passive checkpoints. */
  intervalMs?: number;
  /** WAL length (pages) past which the checkpointer waits for a gap in the writes. */
  restartPages?: number;
  /** Called with the first checkpoint error of a failing streak (busy, I/O, disk full); the checkpointer keeps trying. */
  onError?: (message: string) => void;
  /** Called when a checkpoint succeeds again after `onError`. */
  onRecovered?: () => void;
  /** Called if the thread ends without `stop()` (it could not start, or crashed): checkpoints are SQLite's again. */
  onLost?: () => void;
}

/**
 * Checkpoints an SQLite WAL on a thread of its own.
 *
 * With `synchronous=NORMAL` a commit only appends to the WAL; the fsyncs
 * happen when the WAL is copied back into the database file (a checkpoint).
 * SQLite runs that checkpoint inside whichever commit crosses
 * `wal_autocheckpoint`, on the event loop: on the refresh path it was about
 * half of the commit's cost and every thousandth request waited for two
 * fsyncs (bench/: refresh rotations/s and p99). Passive checkpoints never
 * block writers, so the main connection keeps writing while this thread
 * copies and syncs. The main connection keeps a far higher
 * `wal_autocheckpoint` as a fallback should this thread stop.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;
  private exited = false;
  /** Settles once the thread has its connection open (or has failed to start). */
  readonly ready: Promise<void>;

  constructor(path: string, options: CheckpointerOptions = {}) {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: {
        driverPath,
        path,
        intervalMs: options.intervalMs ?? 50,
        restartPages: options.restartPages ?? WAL_RESTART_PAGES,
        busyTimeoutMs: 2_000,
      },
    });
    let started!: () => void;
    this.ready = new Promise((resolve) => (started = resolve));
    this.worker.on('message', (message: { error?: string; ready?: boolean; recovered?: boolean }) => {
      if (message.ready) started();
      if (message.error !== undefined) options.onError?.(message.error);
      if (message.recovered) options.onRecovered?.();
    });
    this.worker.on('error', (error) => options.onError?.(String(error.message)));
    this.worker.once('exit', () => {
      this.exited = true;
      started();
      if (!this.stopping) options.onLost?.();
    });
    // Must not keep a finished process alive; `stop()` is the orderly end.
    this.worker.unref();
  }

  /** Stops checkpointing and closes the thread's connection (before the main connection closes). */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const done = () => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (message: { stopped?: boolean }) => {
        if (message.stopped) void this.worker.terminate().then(done, done);
      });
      this.worker.postMessage('stop');
    });
    return this.stopping;
  }
}
