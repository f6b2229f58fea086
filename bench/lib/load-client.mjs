import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));

/**
 * The runner's handle on the load-generator process. `run(job)` sends one job
 * (see load-worker.mjs) and resolves with its summary.
 */
export class LoadClient {
  constructor() {
    this.child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = new Map();
    this.nextId = 1;
    this.child.on('message', (message) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      if (message.phase) {
        waiter.onPhase?.(message.phase);
        return;
      }
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load worker: ${message.error}`));
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load worker exited with ${code}`));
      this.pending.clear();
    });
  }

  /**
   * Runs one job: `{ url, seconds, warmupSeconds, main, probe? }`. `onPhase('measuring')`
   * is called when the warm-up is over and the measured run starts.
   */
  run(job, onPhase) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onPhase });
      this.child.send({ ...job, id });
    });
  }

  close() {
    this.child.kill('SIGTERM');
  }
}
