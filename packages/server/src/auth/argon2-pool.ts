import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** argon2id cost parameters. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * The worker's code, evaluated as CommonJS (so that it runs the same from
 * `dist/` and from the TypeScript sources under vitest). On Linux a thread's
 * nice value is its own: the worker lowers only its own priority, so the event
 * loop (answering access checks and refreshes) always wins the CPU from a
 * flood of password hashes, which get what is left.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2Path);
if (process.platform === 'linux' && workerData.nice > 0) {
  try { require('node:os').setPriority(workerData.nice); } catch {}
}
parentPort.on('message', ({ id, op, password, hash, params }) => {
  try {
    const result = op === 'hash' ? argon2.hashSync(password, params) : argon2.verifySync(hash, password);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Job = { op: 'hash'; password: string; params: Argon2Params } | { op: 'verify'; password: string; hash: string };

interface PoolWorker {
  worker: Worker;
  /** Id of the job it runs, if any. */
  job: number | undefined;
}

/**
 * argon2id on a few dedicated threads at a lower OS priority (nice 10 on
 * Linux) instead of the shared libuv pool at the event loop's priority. The
 * caller (PasswordHasher's semaphore) bounds the jobs in flight to the number
 * of threads; extra jobs queue here in order.
 */
export class Argon2Pool {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting: Array<{ job: Job; resolve: (value: unknown) => void; reject: (error: Error) => void }> = [];
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(threads: number, nice = 10) {
    const argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2');
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_CODE, { eval: true, workerData: { argon2Path, nice } });
      const entry: PoolWorker = { worker, job: undefined };
      const settle = (id: number | undefined, outcome: (w: { resolve: (v: unknown) => void; reject: (e: Error) => void }) => void) => {
        const waiter = id === undefined ? undefined : this.pending.get(id);
        if (id !== undefined) this.pending.delete(id);
        entry.job = undefined;
        worker.unref();
        if (waiter) outcome(waiter);
        this.dispatch();
      };
      worker.on('message', (message: { id: number; result?: unknown; error?: string }) =>
        settle(message.id, (w) => (message.error !== undefined ? w.reject(new Error(message.error)) : w.resolve(message.result))),
      );
      // A crashed thread fails its job; it is not replaced (the others carry on).
      worker.on('error', (error) => settle(entry.job, (w) => w.reject(error)));
      worker.on('exit', () => {
        const at = this.workers.indexOf(entry);
        if (at >= 0) this.workers.splice(at, 1);
        if (entry.job !== undefined) settle(entry.job, (w) => w.reject(new Error('argon2 worker exited')));
      });
      // Idle hash threads must not keep a CLI command or a closed server alive
      // (after the listeners: adding a 'message' listener refs the worker again).
      worker.unref();
      this.workers.push(entry);
    }
  }

  hash(password: string, params: Argon2Params): Promise<string> {
    return this.submit({ op: 'hash', password, params }) as Promise<string>;
  }

  /** Throws for an unparseable hash, like `@node-rs/argon2`'s `verify`. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.submit({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private submit(job: Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const entry of this.workers) {
      if (entry.job !== undefined) continue;
      const next = this.waiting.shift();
      if (!next) return;
      const id = this.nextId++;
      entry.job = id;
      this.pending.set(id, next);
      entry.worker.ref();
      entry.worker.postMessage({ id, ...next.job });
    }
  }
}
