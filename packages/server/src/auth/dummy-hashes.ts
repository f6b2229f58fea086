import { createHash } from 'node:crypto';
import { parseOptions } from '@node-rs/argon2';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import type { Argon2Params } from './argon2-pool.js';

/** Stored hashes read per sample: enough to see every parameter set that more than a few per cent of users have. */
export const DUMMY_SAMPLE_SIZE = 200;
/** How long a sample is used before the next one is read (users move to new parameters as they log in). */
const RESAMPLE_MS = 60 * 60 * 1000;

export interface DummyHashesDeps {
  /** Hashes a random password with the given parameters (the hasher's own queue). */
  hash(password: string, params: Argon2Params): Promise<string>;
  /** A random sample of the password hashes stored now (at most `DUMMY_SAMPLE_SIZE`). */
  sampleStoredHashes(): Promise<readonly string[]>;
  clock: Clock;
  /** Parameters used while no hash is stored (a fresh install). */
  configured: Argon2Params;
}

const keyOf = (p: Argon2Params) => `m=${p.memoryCost},t=${p.timeCost},p=${p.parallelism}`;

/**
 * Hashes that an unknown account name is "verified" against, so that its
 * answer costs what a known account's does (CWE-208). A verify costs what the
 * *stored* hash's parameters cost, not the configured ones: right after the
 * argon2 cost is raised every stored hash still has the old parameters (they
 * are upgraded one login at a time), and a dummy on the new ones made unknown
 * names 4× slower (issue #12 finding 7).
 *
 * So the dummy takes the parameters of a stored hash: the parameter sets of
 * a random sample of users, one of which each unknown name is bound to by its
 * (keyed) seed. An unknown name then always costs the same, like a real
 * account, and unknown names as a whole cost what the users do, however the
 * parameters are mixed. The sample is read again every hour.
 */
export class DummyHashes {
  private sample: { params: Argon2Params[]; readAtMs: number } | undefined;
  private sampling: Promise<void> | undefined;
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(private readonly deps: DummyHashesDeps) {}

  /** The dummy hash for an unknown name; `seed` is a keyed hash of the name (its lockout key). */
  async forSeed(seed: string): Promise<string> {
    const sample = await this.currentSample();
    const pick = createHash('sha256').update(seed).digest().readUInt32BE(0) % sample.length;
    return this.hashFor(sample[pick]!);
  }

  private async currentSample(): Promise<Argon2Params[]> {
    const now = this.deps.clock.now();
    if (!this.sample || now - this.sample.readAtMs > RESAMPLE_MS) {
      this.sampling ??= this.readSample(now).finally(() => (this.sampling = undefined));
      if (!this.sample) await this.sampling;
      // An old sample keeps serving while the next one is read (and if reading it fails).
      else this.sampling.catch(() => undefined);
    }
    return this.sample!.params;
  }

  private async readSample(now: number): Promise<void> {
    const params: Argon2Params[] = [];
    for (const stored of await this.deps.sampleStoredHashes()) {
      try {
        const { memoryCost, timeCost, parallelism } = parseOptions(stored);
        params.push({ memoryCost, timeCost, parallelism });
      } catch {
        // Not an argon2 hash (no password can match it): nothing to imitate.
      }
    }
    this.sample = { params: params.length ? params : [this.deps.configured], readAtMs: now };
  }

  private hashFor(params: Argon2Params): Promise<string> {
    const key = keyOf(params);
    let hash = this.hashes.get(key);
    if (!hash) {
      hash = this.deps.hash(randomId(24), params);
      // A refused or failed hash is not kept: the next unknown name tries again.
      hash.catch(() => this.hashes.delete(key));
      this.hashes.set(key, hash);
    }
    return hash;
  }
}
