import { hashSync } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { DummyHashes } from '../../src/auth/dummy-hashes.js';
import type { Argon2Params } from '../../src/auth/argon2-pool.js';

const OLD: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const NEW: Argon2Params = { memoryCost: 2048, timeCost: 2, parallelism: 1 };
const stored = (p: Argon2Params) => hashSync('some-password', p);

/** DummyHashes over a changeable list of stored hashes; its "hashes" name their parameters. */
function setup(initial: string[]) {
  let ms = Date.UTC(2026, 0, 1);
  const clock = { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
  const state = { stored: initial, samples: 0 };
  const dummies = new DummyHashes({
    hash: async (_password, p) => `dummy m=${p.memoryCost},t=${p.timeCost}`,
    sampleStoredHashes: async () => {
      state.samples++;
      return state.stored;
    },
    clock,
    configured: NEW,
  });
  return { clock, state, dummies };
}

describe('DummyHashes (#12.7: unknown names cost what the stored hashes cost)', () => {
  it('binds each unknown name to the parameters of one stored hash, as often as users have them', async () => {
    const { dummies } = setup([stored(OLD), stored(OLD), stored(OLD), stored(NEW)]);
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) picks.push(await dummies.forSeed(`acct:seed-${i}`));
    const newShare = picks.filter((p) => p === 'dummy m=2048,t=2').length / picks.length;
    expect(newShare).toBeGreaterThan(0.15);
    expect(newShare).toBeLessThan(0.35);
    expect(picks.filter((p) => p !== 'dummy m=2048,t=2').every((p) => p === 'dummy m=1024,t=1')).toBe(true);
    // A name always costs the same, like a real account.
    for (let i = 0; i < 20; i++) expect(await dummies.forSeed(`acct:seed-${i}`)).toBe(picks[i]);
  });

  it('uses the configured parameters while no hash is stored, and ignores what is not an argon2 hash', async () => {
    const { dummies } = setup(['not-a-hash']);
    expect(await dummies.forSeed('acct:any')).toBe('dummy m=2048,t=2');
  });

  it('reads a new sample after an hour; the old one serves until it is read', async () => {
    const { clock, state, dummies } = setup([stored(OLD)]);
    expect(await dummies.forSeed('acct:a')).toBe('dummy m=1024,t=1');
    state.stored = [stored(NEW)];
    clock.advance(3599);
    expect(await dummies.forSeed('acct:a')).toBe('dummy m=1024,t=1');
    expect(state.samples).toBe(1);
    clock.advance(2);
    expect(await dummies.forSeed('acct:a')).toBe('dummy m=1024,t=1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.samples).toBe(2);
    expect(await dummies.forSeed('acct:a')).toBe('dummy m=2048,t=2');
  });
});
