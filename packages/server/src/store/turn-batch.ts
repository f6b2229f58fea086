/** One item's outcome in a batch. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** The outcome of `promise`, never a rejection. */
export function settle<O>(promise: Promise<O>): Promise<Settled<O>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

interface Queued<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Collects the items added in one turn of the event loop and hands them to
 * `run` together, after that turn's I/O callbacks: every request read in the
 * turn has added its item by then. `run` settles each item, or throws, which
 * rejects them all. At most `max` items go to one `run` (a long batch would
 * hold the loop, or a statement grow unbounded), and at most `maxInFlight`
 * runs are under way at once: items that arrive meanwhile wait, and go
 * together when one ends, so batches grow with the load instead of each
 * turn's few items taking a run (and a database round trip) of their own.
 */
export class TurnBatch<I, O> {
  private queue: Array<Queued<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<Settled<O>>>,
    private readonly options: { max?: number; maxInFlight?: number } = {},
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= (this.options.maxInFlight ?? Infinity)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.options.max ?? 64);
    this.inFlight += 1;
    this.schedule();
    let outcomes: Array<Settled<O>> | undefined;
    let failure: unknown;
    try {
      outcomes = await this.run(batch.map((queued) => queued.item));
    } catch (error) {
      failure = error;
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
    batch.forEach((queued, i) => {
      const outcome: Settled<O> = outcomes ? outcomes[i]! : { ok: false, error: failure };
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }
}
