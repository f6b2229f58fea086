import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors/auth-error.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { OpenedDatabase } from '../../src/store/opened-database.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import type { SqliteGroupCommit } from '../../src/store/sqlite-group-commit.js';
import { createStore, type Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);
const id = () => randomBytes(12).toString('base64url');

/**
 * SQLite's group commit (store/sqlite-group-commit.ts), through the store's
 * common refresh on a real database file: rotations that arrive in the same
 * turn share one transaction, yet each is answered as if it had run alone.
 */
describe('SQLite group commit of the common refresh', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let store: Store;
  let user: number;
  const counts = () => ({ ...(opened.groupCommit as SqliteGroupCommit).counts });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duotoken-group-commit-'));
    opened = openSqlite(join(dir, 'duotoken.db'));
    await migrateToLatest(opened);
    store = createStore(opened);
    user = (await store.createUser({ account: 'grouped', name: 'G', passwordHash: 'h', isAdmin: false, now: T0 })).id;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A live session with one unused refresh token; returns both ids. */
  async function chain(): Promise<{ sid: string; jti: string }> {
    const sid = id();
    await store.createSession({
      id: sid,
      user_id: user,
      company_id: null,
      version: 1,
      dialect: 'standard',
      device_type: null,
      ip: '127.0.0.1',
      user_agent: 'test',
      created_at: T0,
      last_used_at: T0,
      expires_at: T0 + 86_400_000,
      revoked_at: null,
      revoke_reason: null,
      fenced_at: T0,
    });
    const jti = id();
    await store.insertRefreshToken({
      jti,
      session_id: sid,
      issued_at: T0,
      expires_at: T0 + 3_600_000,
      consumed_at: null,
      successor_jti: null,
    });
    return { sid, jti };
  }
  const live = (jti: string, successor: string, now = T0 + 10) =>
    store.rotateLiveRefreshToken({ jti, successor, nowMs: now, idleMs: 3_600_000, successorExpiresAtMs: T0 + 7_200_000 });
  /** Settles every promise; each outcome is the value or the error's code. */
  const settle = (promises: Array<Promise<unknown>>) =>
    Promise.all(
      promises.map((p) =>
        p.then(
          (value) => ({ value }),
          (error: unknown) => ({ error: isAuthError(error) ? error.code : error }),
        ),
      ),
    );

  it('rotations queued in one turn share one transaction; two of one token: exactly one rotates', async () => {
    const chains = await Promise.all(Array.from({ length: 20 }, chain));
    const successors = chains.map(() => id());
    const before = counts();
    const results = await Promise.all([...chains.map((c, i) => live(c.jti, successors[i]!)), live(chains[0]!.jti, id())]);
    expect(counts()).toEqual({ transactions: before.transactions + 1, units: before.units + 21 });
    expect(results.slice(0, 20).every(Boolean)).toBe(true);
    expect(results[20]).toBeUndefined();
    for (const [i, c] of chains.entries()) {
      expect(await store.findRefreshToken(c.jti)).toMatchObject({ successor_jti: successors[i] });
      expect(await store.findRefreshToken(successors[i]!)).toMatchObject({ session_id: c.sid, consumed_at: null });
      expect((await store.findSession(c.sid))?.last_used_at).toBe(T0 + 10);
    }
  });

  it('one rotation that fails undoes its own writes only: its token stays unused, the others land', async () => {
    const [a, b, c] = await Promise.all([chain(), chain(), chain()]);
    // The successor id `a` draws is taken already: its INSERT fails after its consume ran.
    const taken = (await chain()).jti;
    const [nextB, nextC] = [id(), id()];
    const outcomes = await settle([live(b!.jti, nextB), live(a!.jti, taken), live(c!.jti, nextC)]);
    expect(outcomes[1]).toEqual({ error: 'CONFLICT' });
    expect(outcomes[0]).toMatchObject({ value: { context: { session: { id: b!.sid } } } });
    expect(outcomes[2]).toMatchObject({ value: { context: { session: { id: c!.sid } } } });
    expect(await store.findRefreshToken(a!.jti)).toMatchObject({ consumed_at: null, successor_jti: null });
    expect((await store.findSession(a!.sid))?.last_used_at).toBe(T0);
    expect(await store.findRefreshToken(nextB)).toMatchObject({ session_id: b!.sid });
    expect(await store.findRefreshToken(nextC)).toMatchObject({ session_id: c!.sid });
    // And the failed one's token rotates afterwards.
    expect(await live(a!.jti, id(), T0 + 20)).toMatchObject({ context: { session: { id: a!.sid } } });
  });

  it('a batch waits for a transaction open on the connection, and is not undone with it', async () => {
    const { sid, jti } = await chain();
    const next = id();
    const orphan = id();
    let rotation: Promise<unknown> | undefined;
    const aborted = store.transaction(async (tx) => {
      await tx.createSession({ ...(await tx.findSession(sid))!, id: orphan });
      // Queued while this transaction holds the connection: it must neither run inside it nor fail.
      rotation = live(jti, next);
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new Error('abort the transaction');
    });
    await expect(aborted).rejects.toThrow('abort the transaction');
    expect(await rotation).toMatchObject({ context: { session: { id: sid } } });
    expect(await store.findSession(orphan)).toBeUndefined();
    expect(await store.findRefreshToken(next)).toMatchObject({ session_id: sid, consumed_at: null });
  });

  it('when the file cannot grow (SQLITE_FULL), every rotation is answered as committed: rotated and kept, or refused and unused', async () => {
    const chains = await Promise.all(Array.from({ length: 40 }, chain));
    const successors = chains.map(() => id());
    const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(opened.db)).rows[0]!.page_count);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(opened.db);
    let outcomes: Array<{ value?: unknown; error?: unknown }>;
    try {
      outcomes = await settle(chains.map((c, i) => live(c.jti, successors[i]!)));
    } finally {
      await sql.raw('pragma max_page_count = 1073741823').execute(opened.db);
    }
    expect(outcomes.some((o) => o.error === 'STORE_UNAVAILABLE')).toBe(true);
    for (const [i, c] of chains.entries()) {
      const token = await store.findRefreshToken(c.jti);
      const successor = await store.findRefreshToken(successors[i]!);
      if (outcomes[i]!.error === undefined) {
        expect({ i, consumed: token?.successor_jti, successor: successor?.session_id }).toEqual({
          i,
          consumed: successors[i],
          successor: c.sid,
        });
      } else {
        expect({ i, error: outcomes[i]!.error, token: token?.consumed_at, successor }).toEqual({
          i,
          error: 'STORE_UNAVAILABLE',
          token: null,
          successor: undefined,
        });
      }
    }
    // With room again, each refused token rotates.
    for (const [i, c] of chains.entries()) if (outcomes[i]!.error !== undefined) expect(await live(c.jti, id(), T0 + 20)).toBeDefined();
  });
});
