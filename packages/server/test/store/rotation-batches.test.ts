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
import { liveSessionRow, openPostgresTarget, PG_URL, warnNotRun, type StoreTarget } from './store-targets.js';

const T0 = Date.UTC(2026, 0, 1);
const id = () => randomBytes(12).toString('base64url');

/** A live session of `user` with one unused refresh token; returns both ids. */
async function newChain(store: Store, user: number): Promise<{ sid: string; jti: string }> {
  const sid = id();
  await store.createSession(liveSessionRow(sid, user, T0));
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

/** The common refresh at `now` with a 1 h idle limit. */
const rotate = (store: Store, jti: string, successor: string, now: number) =>
  store.rotateLiveRefreshToken({ jti, successor, nowMs: now, idleMs: 3_600_000, successorExpiresAtMs: T0 + 7_200_000 });

/** Settles every promise; each outcome is the value or the error's code. */
const settleAll = (promises: Array<Promise<unknown>>) =>
  Promise.all(
    promises.map((p) =>
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error: isAuthError(error) ? error.code : error }),
      ),
    ),
  );

/**
 * Three rotations in one batch, the middle one's successor id already taken, so that its INSERT
 * fails after its consume ran: only it is refused (CONFLICT), its token stays unused, the others
 * land. Returns the refused one's chain.
 */
async function onlyTheTakenSuccessorRefused(
  store: Store,
  chain: () => Promise<{ sid: string; jti: string }>,
  live: (jti: string, successor: string) => Promise<unknown>,
): Promise<{ sid: string; jti: string }> {
  const [a, b, c] = await Promise.all([chain(), chain(), chain()]);
  const taken = (await chain()).jti;
  const [nextB, nextC] = [id(), id()];
  const outcomes = await settleAll([live(b!.jti, nextB), live(a!.jti, taken), live(c!.jti, nextC)]);
  expect(outcomes[1]).toEqual({ error: 'CONFLICT' });
  expect(outcomes[0]).toMatchObject({ value: { context: { session: { id: b!.sid } } } });
  expect(outcomes[2]).toMatchObject({ value: { context: { session: { id: c!.sid } } } });
  expect(await store.findRefreshToken(a!.jti)).toMatchObject({ consumed_at: null, successor_jti: null });
  expect(await store.findRefreshToken(nextB)).toMatchObject({ session_id: b!.sid });
  expect(await store.findRefreshToken(nextC)).toMatchObject({ session_id: c!.sid });
  return a!;
}

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

  const chain = () => newChain(store, user);
  const live = (jti: string, successor: string, now = T0 + 10) => rotate(store, jti, successor, now);

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
    const a = await onlyTheTakenSuccessorRefused(store, chain, live);
    expect((await store.findSession(a.sid))?.last_used_at).toBe(T0);
    // And the failed one's token rotates afterwards.
    expect(await live(a.jti, id(), T0 + 20)).toMatchObject({ context: { session: { id: a.sid } } });
  });

  it('inside a transaction a rotation runs on it, and is undone with it', async () => {
    const { sid, jti } = await chain();
    const next = id();
    const before = counts();
    const inside = store.transaction(async (tx) => {
      expect(
        await tx.rotateLiveRefreshToken({ jti, successor: next, nowMs: T0 + 10, idleMs: 0, successorExpiresAtMs: T0 + 7_200_000 }),
      ).toMatchObject({
        context: { session: { id: sid } },
      });
      expect(await tx.findRefreshToken(next)).toMatchObject({ session_id: sid });
      throw new Error('undo');
    });
    await expect(inside).rejects.toThrow('undo');
    expect(counts()).toEqual(before);
    expect(await store.findRefreshToken(jti)).toMatchObject({ consumed_at: null });
    expect(await store.findRefreshToken(next)).toBeUndefined();
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
      outcomes = await settleAll(chains.map((c, i) => live(c.jti, successors[i]!)));
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

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'the batched rotation statement on PostgreSQL');
/**
 * PostgreSQL: the rotations of one turn go as one statement (`rotateMany` in
 * store/live-rotation-repo.ts). Rows written by one statement carry one
 * transaction id (`xmin`): that is how the test sees the batch.
 */
describe.skipIf(!PG_URL)('PostgreSQL batched rotations (DUOTOKEN_TEST_PG_URL)', () => {
  let target: StoreTarget;
  let store: Store;
  let user: number;
  beforeAll(async () => {
    target = await openPostgresTarget(PG_URL!);
    store = target.store;
    user = (await store.createUser({ account: 'batched', name: 'B', passwordHash: 'h', isAdmin: false, now: T0 })).id;
  });
  afterAll(() => target?.dispose());

  const chain = () => newChain(store, user);
  const live = (jti: string, successor: string, now = T0 + 10) => rotate(store, jti, successor, now);
  /** The transaction ids that wrote these refresh-token rows. */
  const writers = async (jtis: string[]) =>
    new Set(
      (
        await sql<{ xmin: string }>`select xmin from refresh_tokens where jti in (${sql.join(jtis)})`.execute(target.store.opened.db)
      ).rows.map((r) => r.xmin),
    );

  it('rotations of one turn are one statement; each answered with its own session; two of one token: exactly one rotates', async () => {
    const chains = await Promise.all(Array.from({ length: 12 }, chain));
    const successors = chains.map(() => id());
    const results = await Promise.all([...chains.map((c, i) => live(c.jti, successors[i]!, T0 + 10 + i)), live(chains[0]!.jti, id())]);
    expect(await writers(successors)).toHaveProperty('size', 1);
    expect(results[12]).toBeUndefined();
    for (const [i, c] of chains.entries()) {
      expect(results[i]).toMatchObject({ context: { session: { id: c.sid, user_id: user } }, successorExpiresAtMs: T0 + 7_200_000 });
      expect(await store.findRefreshToken(c.jti)).toMatchObject({ successor_jti: successors[i] });
      expect(await store.findRefreshToken(successors[i]!)).toMatchObject({ session_id: c.sid, issued_at: T0 + 10 + i, consumed_at: null });
      expect((await store.findSession(c.sid))?.last_used_at).toBe(T0 + 10 + i);
    }
  });

  it('two tokens of one session in one batch both rotate; the session is touched once, with the later time', async () => {
    const { sid, jti } = await chain();
    const second = id();
    await store.insertRefreshToken({
      jti: second,
      session_id: sid,
      issued_at: T0,
      expires_at: T0 + 3_600_000,
      consumed_at: null,
      successor_jti: null,
    });
    const [n1, n2] = [id(), id()];
    const [r1, r2] = await Promise.all([live(jti, n1, T0 + 50), live(second, n2, T0 + 40)]);
    expect([r1?.context.session.id, r2?.context.session.id]).toEqual([sid, sid]);
    expect(await writers([n1, n2])).toHaveProperty('size', 1);
    expect((await store.findSession(sid))?.last_used_at).toBe(T0 + 50);
  });

  it('when the statement fails, each rotation runs alone: only the failing one is refused, its token stays unused', async () => {
    await onlyTheTakenSuccessorRefused(store, chain, live);
  });

  it('a rotation the session refuses (revoked, idle, another session named) changes nothing inside a batch either', async () => {
    const [ok, revoked, idle] = await Promise.all([chain(), chain(), chain()]);
    await sql`update sessions set revoked_at = ${T0 + 1} where id = ${revoked!.sid}`.execute(target.store.opened.db);
    await sql`update sessions set last_used_at = ${T0 - 3_600_000} where id = ${idle!.sid}`.execute(target.store.opened.db);
    const named = await chain();
    const results = await Promise.all([
      live(ok!.jti, id()),
      live(revoked!.jti, id()),
      live(idle!.jti, id()),
      store.rotateLiveRefreshToken({
        jti: named.jti,
        successor: id(),
        nowMs: T0 + 10,
        idleMs: 0,
        successorExpiresAtMs: T0 + 7_200_000,
        sessionId: ok!.sid,
      }),
    ]);
    expect(results.map((r) => r?.context.session.id)).toEqual([ok!.sid, undefined, undefined, undefined]);
    for (const c of [revoked!, idle!, named])
      expect(await store.findRefreshToken(c.jti)).toMatchObject({ consumed_at: null, successor_jti: null });
  });
});
