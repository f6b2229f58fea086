import { hash, parseOptions, verify } from '@node-rs/argon2';
import { randomId } from '../crypto/random-id.js';
import { Argon2Pool } from './argon2-pool.js';

/** argon2id cost parameters. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** A counting semaphore: at most `limit` tasks run at once, the rest wait in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Password hashing with argon2id on the libuv pool (never the event loop).
 * Hashes in flight are capped near the core count: each takes ~19 MiB and
 * more concurrency only queues inside the pool, starving other work.
 */
export class PasswordHasher {
  private readonly gate: Semaphore;
  private dummyHash: Promise<string> | undefined;

  private pool: Argon2Pool | undefined;

  constructor(
    private readonly params: Argon2Params,
    private readonly concurrency: number,
  ) {
    this.gate = new Semaphore(concurrency);
  }

  hash(password: string): Promise<string> {
    const pool = this.lowPriorityPool();
    return this.gate.run(() => (pool ? pool.hash(password, this.params) : hash(password, this.params)));
  }

  /** Verifies; false for a wrong password or an unparseable hash. */
  verify(passwordHash: string, password: string): Promise<boolean> {
    const pool = this.lowPriorityPool();
    return this.gate.run(() => (pool ? pool.verify(passwordHash, password) : verify(passwordHash, password)).catch(() => false));
  }

  /**
   * On Linux, hashes run on threads of their own at nice 10, so that a login
   * flood never delays the event loop (bench/: protected-route p99 during the
   * flood); elsewhere a thread cannot lower only its own priority, and the
   * libuv pool is used. Created on first use.
   */
  private lowPriorityPool(): Argon2Pool | undefined {
    if (process.platform !== 'linux' || this.concurrency < 1) return undefined;
    this.pool ??= new Argon2Pool(this.concurrency);
    return this.pool;
  }

  /**
   * Spends the same work as a real verification and fails: used for unknown
   * accounts so both answers cost one argon2 verify.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomId(24));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when a stored hash was made with other parameters than the current ones. */
  needsRehash(passwordHash: string): boolean {
    try {
      const p = parseOptions(passwordHash);
      return p.memoryCost !== this.params.memoryCost || p.timeCost !== this.params.timeCost || p.parallelism !== this.params.parallelism;
    } catch {
      return true;
    }
  }
}
