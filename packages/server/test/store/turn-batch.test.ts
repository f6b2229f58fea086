import { describe, expect, it } from 'vitest';
import { TurnBatch, type Settled } from '../../src/store/turn-batch.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A batch whose runs are recorded and end when the test says so. */
function recorded(options: { max?: number; maxInFlight?: number }) {
  const runs: Array<{ items: number[]; end(outcomes?: Array<Settled<string>>, error?: Error): void }> = [];
  const batch = new TurnBatch<number, string>(
    (items) =>
      new Promise((resolve, reject) => {
        runs.push({
          items,
          end: (outcomes, error) => (error ? reject(error) : resolve(outcomes ?? items.map((i) => ({ ok: true, value: `r${i}` })))),
        });
      }),
    options,
  );
  return { batch, runs };
}

describe('TurnBatch (the queue of the group commits)', () => {
  it('items of one turn go in one run; each caller gets its own outcome, a failed item only its own error', async () => {
    const { batch, runs } = recorded({});
    const answers = [1, 2, 3].map((i) =>
      batch.add(i).then(
        (v) => v,
        (e: Error) => `error ${e.message}`,
      ),
    );
    await nextTurn();
    expect(runs.map((r) => r.items)).toEqual([[1, 2, 3]]);
    runs[0]!.end([
      { ok: true, value: 'a' },
      { ok: false, error: new Error('only mine') },
      { ok: true, value: 'c' },
    ]);
    expect(await Promise.all(answers)).toEqual(['a', 'error only mine', 'c']);
  });

  it('with one run in flight, what arrives meanwhile (over several turns) waits and goes together in the next run', async () => {
    const { batch, runs } = recorded({ maxInFlight: 1 });
    const first = batch.add(1);
    await nextTurn();
    const later = [batch.add(2), batch.add(3)];
    await nextTurn();
    later.push(batch.add(4));
    await nextTurn();
    expect(runs.map((r) => r.items)).toEqual([[1]]);
    runs[0]!.end();
    expect(await first).toBe('r1');
    await nextTurn();
    expect(runs.map((r) => r.items)).toEqual([[1], [2, 3, 4]]);
    runs[1]!.end();
    expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
  });

  it('a run that throws rejects all of its items; at most `max` items go to one run', async () => {
    const { batch, runs } = recorded({ max: 2 });
    const answers = [1, 2, 3].map((i) =>
      batch.add(i).then(
        (v) => v,
        (e: Error) => `error ${e.message}`,
      ),
    );
    await nextTurn();
    await nextTurn();
    expect(runs.map((r) => r.items)).toEqual([[1, 2], [3]]);
    runs[0]!.end(undefined, new Error('database gone'));
    runs[1]!.end();
    expect(await Promise.all(answers)).toEqual(['error database gone', 'error database gone', 'r3']);
  });
});
