import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { PreparingDatabase } from './sqlite-statement-cache.js';

/** Runs compiled queries synchronously on the SQLite connection, inside a unit of a group commit. */
export interface SyncExecutor {
  rows<R>(query: CompiledQuery<R>): R[];
}

/**
 * Short write transactions that arrive together, committed together (SQLite).
 *
 * A rotation's commit is a quarter of its main-thread time on SQLite: every
 * commit appends each page it changed to the WAL, and some pages (the newest
 * leaf of the expiry index, the b-trees' upper levels) are the same for every
 * rotation. Units queued in the same turn of the event loop run in one
 * transaction, each inside a savepoint, so one unit's failure undoes only its
 * own writes; none is answered before the COMMIT that holds it has succeeded.
 * docs/benchmarks.md has the measured effect.
 */
export interface GroupCommit {
  /** Queues `unit`; resolves with its result once the transaction holding it has committed. */
  run<T>(unit: (x: SyncExecutor) => T): Promise<T>;
  /** Runs `unit` at once inside the transaction the caller already holds (a Kysely transaction on this connection). */
  inline<T>(unit: (x: SyncExecutor) => T): T;
}

/** Units per transaction at most; more wait for the next one (a long batch would hold the event loop). */
const MAX_UNITS = 64;

interface Queued {
  unit: (x: SyncExecutor) => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SqliteGroupCommit implements GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  /** Transactions and units committed so far (tests; `docs/benchmarks.md`). */
  readonly counts = { transactions: 0, units: 0 };
  private readonly executor: SyncExecutor;
  private readonly control: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo', Statement>;

  /**
   * @param kysely the store's Kysely over the same connection: a batch holds its connection (Kysely's
   *   mutex), so that no Kysely transaction is open, or opens, on the connection while the batch runs.
   */
  constructor(
    private readonly sqlite: SqliteDatabase,
    statements: PreparingDatabase,
    private readonly kysely: Kysely<Database>,
  ) {
    this.executor = {
      rows<R>(query: CompiledQuery<R>): R[] {
        const statement = statements.prepare(query.sql);
        const parameters = query.parameters as unknown[];
        if (statement.reader) return statement.all(parameters) as R[];
        statement.run(parameters);
        return [];
      },
    };
    const prepare = (sql: string) => sqlite.prepare(sql);
    this.control = {
      // IMMEDIATE: the batch will write, so it takes the write lock at once rather than upgrading later.
      begin: prepare('BEGIN IMMEDIATE'),
      commit: prepare('COMMIT'),
      rollback: prepare('ROLLBACK'),
      savepoint: prepare('SAVEPOINT unit'),
      release: prepare('RELEASE unit'),
      undo: prepare('ROLLBACK TO unit'),
    };
  }

  run<T>(unit: (x: SyncExecutor) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ unit, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request read in it has queued its unit by then.
        setImmediate(() => void this.flush());
      }
    });
  }

  inline<T>(unit: (x: SyncExecutor) => T): T {
    return unit(this.executor);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_UNITS);
    if (this.queue.length > 0) setImmediate(() => void this.flush());
    else this.scheduled = false;
    let outcomes: Outcome[];
    try {
      outcomes = await this.kysely.connection().execute(async () => this.commitBatch(batch));
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }

  /** One transaction for the batch; throws (nothing kept) when the transaction as a whole fails. */
  private commitBatch(batch: Queued[]): Outcome[] {
    const { control, sqlite } = this;
    control.begin.run();
    try {
      const outcomes = batch.map((queued): Outcome => {
        control.savepoint.run();
        try {
          const value = queued.unit(this.executor);
          control.release.run();
          return { ok: true, value };
        } catch (error) {
          // SQLite ends the whole transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR):
          // then every unit's writes are gone, and the batch fails as one.
          if (!sqlite.inTransaction) throw error;
          control.undo.run();
          control.release.run();
          return { ok: false, error };
        }
      });
      control.commit.run();
      this.counts.transactions += 1;
      this.counts.units += batch.length;
      return outcomes;
    } catch (error) {
      if (sqlite.inTransaction) control.rollback.run();
      throw error;
    }
  }
}
