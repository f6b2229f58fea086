import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { PreparingDatabase } from './sqlite-statement-cache.js';
import { TurnBatch, type Settled } from './turn-batch.js';

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
 * rotation. Units that arrive together (in one turn of the event loop, or
 * while the previous batch runs) share one transaction, each inside a
 * savepoint, so one unit's failure undoes only its own writes; none is
 * answered before the COMMIT that holds it has succeeded (the queueing:
 * turn-batch.ts). docs/benchmarks.md has the measured effect.
 */
export interface GroupCommit {
  /** Queues `unit`; resolves with its result once the transaction holding it has committed. */
  run<T>(unit: (x: SyncExecutor) => T): Promise<T>;
  /** Runs `unit` at once inside the transaction the caller already holds (a Kysely transaction on this connection). */
  inline<T>(unit: (x: SyncExecutor) => T): T;
}

type Unit = (x: SyncExecutor) => unknown;

export class SqliteGroupCommit implements GroupCommit {
  /** Transactions and units committed so far (what the tests see of the batching). */
  readonly counts = { transactions: 0, units: 0 };
  private readonly executor: SyncExecutor;
  private readonly control: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo', Statement>;
  private readonly batch: TurnBatch<Unit, unknown>;

  /** @param kysely the store's Kysely over the same connection. */
  constructor(
    private readonly sqlite: SqliteDatabase,
    statements: PreparingDatabase,
    kysely: Kysely<Database>,
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
    // A batch holds Kysely's connection (its mutex): no Kysely transaction is open, or opens, on it meanwhile.
    // One batch at a time: what arrives while it waits for the connection or runs goes in the next.
    this.batch = new TurnBatch((units) => kysely.connection().execute(async () => this.commitBatch(units)), { maxInFlight: 1 });
  }

  run<T>(unit: (x: SyncExecutor) => T): Promise<T> {
    return this.batch.add(unit) as Promise<T>;
  }

  inline<T>(unit: (x: SyncExecutor) => T): T {
    return unit(this.executor);
  }

  /** One transaction for the batch; throws (nothing kept) when the transaction as a whole fails. */
  private commitBatch(units: Unit[]): Array<Settled<unknown>> {
    const { control, sqlite } = this;
    control.begin.run();
    try {
      const outcomes = units.map((unit): Settled<unknown> => {
        control.savepoint.run();
        try {
          const value = unit(this.executor);
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
      this.counts.units += units.length;
      return outcomes;
    } catch (error) {
      if (sqlite.inTransaction) control.rollback.run();
      throw error;
    }
  }
}
