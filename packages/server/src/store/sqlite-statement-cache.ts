import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

/** The part of better-sqlite3 that Kysely's SqliteDialect uses. */
export interface PreparingDatabase {
  prepare(sql: string): Statement;
  close(): void;
}

/**
 * Wraps a better-sqlite3 database so that Kysely reuses prepared statements.
 * Kysely prepares every query afresh, and parsing SQL costs about as much as
 * running a small statement: caching halves the CPU of the refresh
 * transaction (bench/: refresh rotations/s). The cache is bounded (least
 * recently used evicted) because a query with a variable IN-list makes a new
 * SQL string per length. A statement still being iterated (a streamed query)
 * is never handed out twice: a fresh one is prepared instead.
 */
export function withStatementCache(sqlite: SqliteDatabase, capacity = 256): PreparingDatabase {
  const cache = new Map<string, Statement>();
  return {
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Re-insert: Map order is the recency order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = sqlite.prepare(sql);
      if (!hit) {
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
