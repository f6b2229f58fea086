import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Argon2Pool } from '../../src/auth/argon2-pool.js';

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** The nice value in a /proc stat line (field 19; the command name may hold spaces). */
const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);

/** Nice values of this process's threads (Linux). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))];
    } catch {
      return [];
    }
  });
}

describe('Argon2Pool', () => {
  const pool = new Argon2Pool(1);
  afterAll(() => pool.close());

  it('hashes and verifies on its thread; a wrong password is false', async () => {
    const hash = await pool.hash('correct horse', CHEAP);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await pool.verify(hash, 'correct horse')).toBe(true);
    expect(await pool.verify(hash, 'wrong horse')).toBe(false);
  });

  it('queues more jobs than threads and answers each', async () => {
    const hashes = await Promise.all(['a', 'b', 'c', 'd'].map((p) => pool.hash(`password ${p}`, CHEAP)));
    const checks = await Promise.all(hashes.map((h, i) => pool.verify(h, `password ${'abcd'[i]}`)));
    expect(checks).toEqual([true, true, true, true]);
  });

  it('rejects an unparseable hash', async () => {
    await expect(pool.verify('not a hash', 'x')).rejects.toThrow();
  });

  it.runIf(process.platform === 'linux')('runs at a lower priority than the event loop (nice 10)', async () => {
    await pool.hash('warm', CHEAP);
    expect(threadNiceValues()).toContain(10);
    expect(
      readFileSync('/proc/self/stat', 'utf8')
        .slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2)
        .split(' ')[16],
    ).toBe('0');
  });
});
