import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';

const PAGE = 4096;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'duotoken-ckpt-'));
  dirs.push(dir);
  return join(dir, 'test.db');
}

async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Many small write transactions, as the refresh path makes them: ten, then a pause of about a millisecond. */
async function writeRows(db: SqliteDatabase.Database, transactions: number): Promise<void> {
  db.exec('create table if not exists t (id integer primary key, v blob)');
  const insert = db.prepare('insert into t (v) values (?)');
  const one = db.transaction(() => insert.run(Buffer.alloc(PAGE / 2, 7)));
  for (let i = 0; i < transactions; i++) {
    one();
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1));
  }
}

describe('SQLite checkpoints on their own thread', () => {
  it('the server’s connection leaves checkpoints to the thread, which copies the WAL into the database file', async () => {
    const path = tempDb();
    const opened = openSqlite(path, { backgroundCheckpoints: true });
    // Kysely's SqliteDialect opens lazily; a raw connection with the same settings writes here.
    const writer = new SqliteDatabase(path);
    try {
      await opened.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      const mainAutocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(opened.db);
      expect(mainAutocheckpoint.rows[0]?.wal_autocheckpoint).toBe(100_000);
      writer.pragma('wal_autocheckpoint = 0');
      await writeRows(writer, 3_000);
      // ~3,000 × 2 KiB went to the WAL; with no checkpoint of its own, the database file only grows by the thread's work.
      await eventually(() => expect(statSync(path).size).toBeGreaterThan(3_000 * (PAGE / 2)));
    } finally {
      writer.close();
      await opened.release?.();
      await opened.db.destroy();
    }
  });

  it('bounds the WAL under a writer that never pauses for long (RESTART past the limit)', async () => {
    const path = tempDb();
    const writer = new SqliteDatabase(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    writer.pragma('busy_timeout = 5000');
    writer.pragma('wal_autocheckpoint = 0');
    const checkpointer = new SqliteCheckpointer(path, { intervalMs: 5, restartPages: 200 });
    try {
      await checkpointer.ready;
      // 8,000 transactions of about three pages each: without the RESTART the WAL passed 80 MiB here, with it 1.5 MiB.
      await writeRows(writer, 8_000);
      expect(statSync(`${path}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await checkpointer.stop();
      writer.close();
    }
  });

  it('says so when the thread is lost (here: it cannot open the database), and only then', async () => {
    let lost = 0;
    const broken = new SqliteCheckpointer(join(tempDb(), 'no-such-dir', 'x.db'), { onLost: () => lost++ });
    await broken.ready;
    expect(lost).toBe(1);
    const healthy = new SqliteCheckpointer(tempDb(), { onLost: () => lost++ });
    await healthy.ready;
    await healthy.stop();
    expect(lost).toBe(1);
  });

  it('stops cleanly, also when asked twice: its connection is closed before the server’s', async () => {
    const path = tempDb();
    const opened = openSqlite(path, { backgroundCheckpoints: true });
    await sql`create table t (id integer primary key)`.execute(opened.db);
    await sql`insert into t (id) values (1)`.execute(opened.db);
    expect(existsSync(`${path}-wal`)).toBe(true);
    // The thread has its connection in use: it copied the new table (page 2) into the database file.
    await eventually(() => expect(statSync(path).size).toBeGreaterThanOrEqual(2 * PAGE));
    expect(opened.release, 'a server connection holds a checkpointer to release').toBeDefined();
    await Promise.all([opened.release!(), opened.release!()]);
    await opened.db.destroy();
    // SQLite removes the WAL when its last connection closes: a checkpointer left open would keep it.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
