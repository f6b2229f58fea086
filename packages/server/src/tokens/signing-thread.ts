import { sign, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The thread's code, evaluated as CommonJS (so that it runs the same from
 * `dist/` and from the TypeScript sources under vitest). Keys arrive once
 * each (a KeyObject crosses threads by structured clone), then batches of
 * signing inputs that name their key.
 */
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (message) => {
  if (message.key) {
    keys.set(message.key.id, message.key.object);
    return;
  }
  const signatures = message.inputs.map((input, i) => sign(null, Buffer.from(input), keys.get(message.keyIds[i])).toString('base64url'));
  parentPort.postMessage({ batch: message.batch, signatures });
});
`;

interface Job {
  input: string;
  key: KeyObject;
  resolve: (signature: string) => void;
}

/** The Ed25519 signature of `input` (base64url), on the calling thread. */
export function signEd25519(input: string, key: KeyObject): string {
  return sign(null, Buffer.from(input), key).toString('base64url');
}

/**
 * Ed25519 signatures on a thread of their own.
 *
 * The signature was the largest single piece of a refresh's CPU on the event
 * loop after the database (≈ 25 µs of ≈ 200, bench/: refresh rotations/s).
 * Requests arriving in the same turn of the event loop are signed in one
 * batch: the loop pays ≈ 2 µs per token for the hand-off instead of the
 * signature, and a core that would otherwise idle does the work. Should the
 * thread fail, pending and later signatures are made on the calling thread.
 */
export class SigningThread {
  private worker: Worker | undefined;
  private failed = false;
  private queue: Job[] = [];
  private readonly inFlight = new Map<number, Job[]>();
  private nextBatch = 1;
  private readonly keyIds = new WeakMap<KeyObject, number>();
  private nextKeyId = 1;
  private onThread = 0;
  private onCaller = 0;

  /** Signatures made so far on the thread and, after a fallback, on the calling thread. */
  counts(): { onThread: number; onCaller: number } {
    return { onThread: this.onThread, onCaller: this.onCaller };
  }

  sign(input: string, key: KeyObject): Promise<string> {
    if (this.failed) return Promise.resolve(this.signHere(input, key));
    return new Promise((resolve) => {
      // One flush per turn of the event loop, after the I/O callbacks that queued work in it.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ input, key, resolve });
    });
  }

  /** Ends the thread; later signatures are made on the calling thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.fail();
    await worker?.terminate();
  }

  private flush(): void {
    const jobs = this.queue;
    this.queue = [];
    const worker = this.failed ? undefined : this.start();
    if (!worker) {
      for (const job of jobs) job.resolve(this.signHere(job.input, job.key));
      return;
    }
    const batch = this.nextBatch++;
    this.inFlight.set(batch, jobs);
    // Referenced only while work is pending: an idle thread must not keep a process alive.
    if (this.inFlight.size === 1) worker.ref();
    worker.postMessage({ batch, inputs: jobs.map((j) => j.input), keyIds: jobs.map((j) => this.keyIdOf(worker, j.key)) });
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(WORKER_CODE, { eval: true });
      worker.on('message', (message: { batch: number; signatures: string[] }) => {
        const jobs = this.inFlight.get(message.batch);
        this.inFlight.delete(message.batch);
        if (this.inFlight.size === 0) worker.unref();
        this.onThread += message.signatures.length;
        jobs?.forEach((job, i) => job.resolve(message.signatures[i]!));
      });
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      worker.unref();
      this.worker = worker;
      return worker;
    } catch {
      this.fail();
      return undefined;
    }
  }

  private keyIdOf(worker: Worker, key: KeyObject): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.nextKeyId++;
      this.keyIds.set(key, id);
      worker.postMessage({ key: { id, object: key } });
    }
    return id;
  }

  /** The thread is gone: what it still owed is signed here, and so is everything after. */
  private fail(): void {
    this.failed = true;
    this.worker = undefined;
    const owed = [...this.inFlight.values()].flat();
    this.inFlight.clear();
    for (const job of owed) job.resolve(this.signHere(job.input, job.key));
  }

  private signHere(input: string, key: KeyObject): string {
    this.onCaller += 1;
    return signEd25519(input, key);
  }
}
