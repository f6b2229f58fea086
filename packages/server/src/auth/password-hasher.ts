import { hash, parseOptions, verify } from '@node-rs/argon2';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import { Argon2Pool, type Argon2Params } from './argon2-pool.js';
import { DummyHashes } from './dummy-hashes.js';

/** The outcome of checking a password: when right, whether the stored hash should be replaced by `hash(password)`. */
export type PasswordCheck = { valid: false } | { valid: true; rehash: boolean };

export interface PasswordHasherOptions {
  params: Argon2Params;
  /** Hashes in flight at once (`DUOTOKEN_HASH_CONCURRENCY`). */
  concurrency: number;
  /** Hashes that may wait for a free thread (`DUOTOKEN_HASH_QUEUE`); one more is refused with RATE_LIMITED. */
  queueLimit: number;
  /** A random sample of the stored password hashes, whose parameters the dummy hash takes (see DummyHashes). */
  sampleStoredHashes(): Promise<readonly string[]>;
  clock: Clock;
}

/** Seconds a client refused for a full hash queue is told to wait: the queue drains in well under that. */
const BUSY_RETRY_AFTER_S = 1;

/**
 * A counting semaphore with a bounded queue: at most `limit` tasks run at
 * once, at most `maxWaiting` wait in order, and the next one is refused at once.
 */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting)
        throw new AuthError('RATE_LIMITED', {
          details: { retry_after: BUSY_RETRY_AFTER_S },
          headers: { 'retry-after': String(BUSY_RETRY_AFTER_S) },
        });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
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
 * Password hashing with argon2id, never on the event loop: on Linux on the
 * hasher's own threads at a lower priority (`Argon2Pool`, nice 10), elsewhere
 * on the libuv pool (see `lowPriorityPool`). Hashes in flight are capped at
 * `DUOTOKEN_HASH_CONCURRENCY` (near the core count: each takes ~19 MiB, and
 * more would only wait for a thread). The queue in front of them is bounded
 * too: a flood of password checks is refused (10023) once it is full, instead
 * of delaying every other user's login by seconds (issue #12 finding 4).
 *
 * Passwords are hashed in NFKC form (NIST 800-63B §5.1.1.2), so that the
 * same password typed on another keyboard or input method still matches.
 */
export class PasswordHasher {
  private readonly gate: Semaphore;
  private readonly dummies: DummyHashes;
  private pool: Argon2Pool | undefined;

  constructor(private readonly options: PasswordHasherOptions) {
    this.gate = new Semaphore(options.concurrency, options.queueLimit);
    this.dummies = new DummyHashes({
      hash: (password, params) => this.gate.run(() => this.hashOne(password, params)),
      sampleStoredHashes: options.sampleStoredHashes,
      clock: options.clock,
      configured: options.params,
    });
  }

  /** Hashes the NFKC form of a password with the configured parameters; RATE_LIMITED when the queue is full. */
  hash(password: string): Promise<string> {
    return this.gate.run(() => this.hashOne(password.normalize('NFKC'), this.options.params));
  }

  /**
   * Checks a password against a stored hash (false for an unparseable one);
   * RATE_LIMITED when the queue is full. A hash stored before passwords were
   * normalised was made from the password as typed: when the NFKC form does
   * not match and differs from it, the password as typed is tried too (in the
   * same queue place), and a match asks for a rehash.
   */
  check(passwordHash: string, password: string): Promise<PasswordCheck> {
    return this.gate.run(async () => {
      const normal = password.normalize('NFKC');
      if (await this.verifyOne(passwordHash, normal)) return { valid: true, rehash: this.needsRehash(passwordHash) };
      if (normal !== password && (await this.verifyOne(passwordHash, password))) return { valid: true, rehash: true };
      return { valid: false };
    });
  }

  /**
   * Spends the same work as checking a known account's password and fails:
   * for unknown account names (CWE-208). `seed` (a keyed hash of the name)
   * binds the name to the parameters of one stored hash (see DummyHashes).
   */
  async checkDummy(password: string, seed: string): Promise<{ valid: false }> {
    await this.check(await this.dummies.forSeed(seed), password);
    return { valid: false };
  }

  /** True when a stored hash was made with other parameters than the current ones. */
  needsRehash(passwordHash: string): boolean {
    const { params } = this.options;
    try {
      const p = parseOptions(passwordHash);
      return p.memoryCost !== params.memoryCost || p.timeCost !== params.timeCost || p.parallelism !== params.parallelism;
    } catch {
      return true;
    }
  }

  private hashOne(password: string, params: Argon2Params): Promise<string> {
    const pool = this.lowPriorityPool();
    return pool ? pool.hash(password, params) : hash(password, params);
  }

  private verifyOne(passwordHash: string, password: string): Promise<boolean> {
    const pool = this.lowPriorityPool();
    return (pool ? pool.verify(passwordHash, password) : verify(passwordHash, password)).catch(() => false);
  }

  /**
   * On Linux, hashes run on threads of their own at nice 10, so that a login
   * flood never delays the event loop (bench/: protected-route p99 during the
   * flood); elsewhere a thread cannot lower only its own priority, and the
   * libuv pool is used. Created on first use.
   */
  private lowPriorityPool(): Argon2Pool | undefined {
    if (process.platform !== 'linux' || this.options.concurrency < 1) return undefined;
    this.pool ??= new Argon2Pool(this.options.concurrency);
    return this.pool;
  }
}
