import { describe, expect, it } from 'vitest';
import { mergeRevocation, RevocationSet } from '../src/revocation-set.js';

describe('the revocation merge rule (server fence, feed log and verifiers)', () => {
  it('versions only grow, revoked is final, and a change already covered changes nothing', () => {
    expect(mergeRevocation(undefined, { version: 2, revoked: false, at: 10 })).toEqual({ version: 2, revoked: false, at: 10 });
    const v3 = { version: 3, revoked: false, at: 20 };
    expect(mergeRevocation(v3, { version: 2, revoked: false, at: 30 })).toBeUndefined();
    expect(mergeRevocation(v3, { version: 3, revoked: false, at: 30 })).toBeUndefined();
    expect(mergeRevocation(v3, { version: 4, revoked: false, at: 30 })).toEqual({ version: 4, revoked: false, at: 30 });
    // A change that arrives late keeps the latest time, so the entry is kept as long as its newest news needs.
    expect(mergeRevocation(v3, { version: 4, revoked: false, at: 15 })).toEqual({ version: 4, revoked: false, at: 20 });
    // A revocation carrying an older version keeps the newer one.
    expect(mergeRevocation(v3, { version: 1, revoked: true, at: 30 })).toEqual({ version: 3, revoked: true, at: 30 });
    expect(mergeRevocation({ version: 3, revoked: true, at: 30 }, { version: 9, revoked: false, at: 40 })).toBeUndefined();
  });

  it('gives the same set whatever the order and however often entries arrive', () => {
    const changes = [
      { sid: 'a', version: 1, revoked: false, at: 1 },
      { sid: 'a', version: 2, revoked: false, at: 2 },
      { sid: 'b', version: 0, revoked: true, at: 3 },
      { sid: 'a', version: 1, revoked: false, at: 4 },
    ];
    const verdicts = (order: typeof changes) => {
      const set = new RevocationSet();
      for (const c of order) set.apply(c.sid, c);
      return [set.check('a', 1), set.check('a', 2), set.check('b', 5), set.check('c', 0)];
    };
    const expected = ['stale', 'ok', 'revoked', 'ok'];
    expect(verdicts(changes)).toEqual(expected);
    expect(verdicts([...changes].reverse())).toEqual(expected);
    expect(verdicts([...changes, ...changes])).toEqual(expected);
  });

  it('apply says whether the change was new; pruneBefore drops entries last changed before the cutoff', () => {
    const set = new RevocationSet();
    expect(set.apply('a', { version: 1, revoked: false, at: 100 })).toBe(true);
    expect(set.apply('a', { version: 1, revoked: false, at: 200 })).toBe(false);
    expect(set.apply('b', { version: 0, revoked: true, at: 300 })).toBe(true);
    set.pruneBefore(300);
    expect([set.size, set.check('a', 0), set.check('b', 0)]).toEqual([1, 'ok', 'revoked']);
  });
});
