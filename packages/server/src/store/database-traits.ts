/**
 * What differs between the databases the store runs on (SQLite, PostgreSQL). Code outside
 * `store/open-*.ts` asks these capability flags, never "which database is it".
 */
export interface DatabaseTraits {
  /** Which database it is, for display only (admin overview); code never branches on it. */
  readonly displayName: 'sqlite' | 'postgres';
  /** Column type of an auto-generated integer id (`integer` on SQLite, `serial` on PostgreSQL). */
  readonly autoIdType: 'integer' | 'serial';
  /** Whether `autoIncrement()` must be added to the id column (SQLite). */
  readonly autoIncrementKeyword: boolean;
  /** Whether `SELECT … FOR UPDATE` exists (PostgreSQL); SQLite serialises writers anyway. */
  readonly supportsRowLocks: boolean;
  /**
   * Whether a table keyed by a text primary key can be stored in that key's
   * b-tree (`WITHOUT ROWID`, SQLite): one b-tree fewer to write per insert.
   */
  readonly supportsWithoutRowid: boolean;
  /**
   * Whether refresh-token consumption times are read from the database's own
   * clock inside the consuming and judging statements (PostgreSQL), so that
   * instances whose clocks disagree judge the grace window on one clock. When
   * false (SQLite), the database runs in-process and its clock is the
   * process's: the caller's `now` (the injected clock) is used instead.
   */
  readonly databaseClock: boolean;
  /**
   * Whether a statement's WITH clause may hold INSERT and UPDATE statements
   * (PostgreSQL): the common refresh is then one statement, one round trip
   * (store/live-rotation-repo.ts). SQLite runs its four statements in a
   * transaction, in-process.
   */
  readonly supportsWritableCtes: boolean;
}

export const SQLITE_TRAITS: DatabaseTraits = Object.freeze({
  displayName: 'sqlite',
  autoIdType: 'integer',
  autoIncrementKeyword: true,
  supportsRowLocks: false,
  supportsWithoutRowid: true,
  databaseClock: false,
  supportsWritableCtes: false,
});

export const POSTGRES_TRAITS: DatabaseTraits = Object.freeze({
  displayName: 'postgres',
  autoIdType: 'serial',
  autoIncrementKeyword: false,
  supportsRowLocks: true,
  supportsWithoutRowid: false,
  databaseClock: true,
  supportsWritableCtes: true,
});
