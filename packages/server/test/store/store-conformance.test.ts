import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors/auth-error.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openPostgres, parsePostgresUrl } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../src/store/store.js';
import { liveSessionRow, openPostgresTarget, openSqliteTarget, PG_URL, warnNotRun, type StoreTarget } from './store-targets.js';

const T0 = Date.UTC(2026, 0, 1);
const id = () => randomBytes(12).toString('base64url');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isAuthError(error) ? error.code : `non-AuthError: ${(error as Error).message}`;
  }
}

/** Every unix-ms time and count a row carries must come back as a JS number (PostgreSQL int8 included). */
function expectNumbers(row: Record<string, unknown> | undefined, keys: string[]): void {
  expect(row).toBeDefined();
  for (const key of keys) if (row![key] !== null) expect({ [key]: typeof row![key] }).toEqual({ [key]: 'number' });
}

/**
 * The same behaviour, asserted on every database the store runs on.
 * `open` gives a fresh migrated store; the suite leaves it to `dispose`.
 */
function storeConformance(open: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let store: Store;
  /** The user the session, token and membership tests hang their rows on (made here: tests run in any order). */
  let aliceRow: Awaited<ReturnType<Store['createUser']>>;
  let alice: number;
  beforeAll(async () => {
    target = await open();
    store = target.store;
    aliceRow = await store.createUser({ account: '  Alice ', name: 'Alice', passwordHash: 'h', isAdmin: false, now: T0 });
    alice = aliceRow.id;
  });
  afterAll(() => target?.dispose());

  /** A live session row of `userId` (what a login writes), with `extra` columns changed. */
  const sessionRow = (sid: string, userId: number, extra: Partial<Parameters<Store['createSession']>[0]> = {}) =>
    liveSessionRow(sid, userId, T0, extra);
  async function newSession(userId: number, extra: Partial<Parameters<Store['createSession']>[0]> = {}) {
    const sid = id();
    await store.createSession(sessionRow(sid, userId, extra));
    return sid;
  }
  async function newToken(sessionId: string, issuedAt = T0, expiresAt = T0 + 3_600_000) {
    const jti = id();
    await store.insertRefreshToken({
      jti,
      session_id: sessionId,
      issued_at: issuedAt,
      expires_at: expiresAt,
      consumed_at: null,
      successor_jti: null,
    });
    return { jti };
  }

  it('migrating again applies nothing', async () => {
    expect(await migrateToLatest(store.opened)).toEqual([]);
  });

  it('users: ids and times are numbers, accounts are normalised, unique (CONFLICT) and counted', async () => {
    expectNumbers(aliceRow, ['id', 'is_admin', 'created_at', 'updated_at']);
    expect(aliceRow.account).toBe('alice');
    expect((await store.findUserByAccount('ALICE'))?.id).toBe(alice);
    const before = await store.countUsers();
    expect(before).toBeGreaterThanOrEqual(1);
    const bob = await store.createUser({ account: `bob-${id().toLowerCase()}`, name: 'Bob', passwordHash: 'h', isAdmin: false, now: T0 });
    expect(bob.id).not.toBe(alice);
    expect(await store.countUsers()).toBe(before + 1);
    expect(await codeOf(store.createUser({ account: 'alice', name: 'Other', passwordHash: 'h', isAdmin: false, now: T0 }))).toBe(
      'CONFLICT',
    );
    expect(await store.countUsers()).toBe(before + 1);
    expect(await store.setUserStatus(alice, 'active', T0 + 1)).toBe(true);
    expectNumbers(await store.findUserById(alice), ['updated_at']);
  });

  it('users: search treats % and _ literally', async () => {
    await store.createUser({ account: 'per%cent', name: 'P', passwordHash: 'h', isAdmin: false, now: T0 });
    await store.createUser({ account: 'percent', name: 'Q', passwordHash: 'h', isAdmin: false, now: T0 });
    const found = await store.listUsers({ search: 'r%c', limit: 10, offset: 0 });
    expect(found.map((u) => u.account)).toEqual(['per%cent']);
  });

  it('users: a random sample of password hashes holds at most the asked number', async () => {
    for (let i = 0; i < 5; i++)
      await store.createUser({ account: `sampled-${i}`, name: 'S', passwordHash: `hash-${i}`, isAdmin: false, now: T0 });
    const sample = await store.sampleUserPasswordHashes(3);
    expect(sample).toHaveLength(3);
    // Hashes of stored users only (other tests, in any order, add users of their own).
    const stored = new Set((await store.listUsers({ limit: 10_000, offset: 0 })).map((u) => u.password_hash));
    for (const h of sample) expect(stored.has(h), h).toBe(true);
    expect((await store.sampleUserPasswordHashes(1000)).length).toBe(await store.countUsers());
  });

  it('a failed transaction leaves nothing behind', async () => {
    const before = await store.countUsers();
    const code = await codeOf(
      store.transaction(async (tx) => {
        await tx.createUser({ account: 'rolled-back', name: 'R', passwordHash: 'h', isAdmin: false, now: T0 });
        await tx.createUser({ account: 'alice', name: 'dup', passwordHash: 'h', isAdmin: false, now: T0 });
      }),
    );
    expect(code).toBe('CONFLICT');
    expect(await store.countUsers()).toBe(before);
    expect(await store.findUserByAccount('rolled-back')).toBeUndefined();
  });

  it('companies and memberships: upsert replaces roles, defaults read back as booleans', async () => {
    const company = await store.createCompany({ name: 'Acme', now: T0 });
    expectNumbers(company, ['id', 'created_at']);
    await store.upsertMembership({ userId: alice, companyId: company.id, roles: ['viewer'], isDefault: false, now: T0 });
    await store.upsertMembership({ userId: alice, companyId: company.id, roles: ['admin', 'viewer'], isDefault: true, now: T0 });
    expect(await store.findMembershipRoles(alice, company.id)).toEqual(['admin', 'viewer']);
    const [m] = await store.listMemberships(alice);
    expect(m).toMatchObject({ companyId: company.id, companyName: 'Acme', roles: ['admin', 'viewer'], isDefault: true });
    expect(await store.removeMembership(alice, company.id)).toBe(true);
    expect(await store.findMembershipRoles(alice, company.id)).toBeUndefined();
  });

  it('sessions: version bumps, revocations and the fence load read back as numbers', async () => {
    const company = await store.createCompany({ name: 'Switch', now: T0 });
    // A user of its own: revoking "all but c" must not meet the sessions other tests gave alice.
    const owner = (await store.createUser({ account: `s-${id().toLowerCase()}`, name: 'S', passwordHash: 'h', isAdmin: false, now: T0 }))
      .id;
    const a = await newSession(owner);
    const b = await newSession(owner);
    const c = await newSession(owner);
    expectNumbers(await store.findSession(a), ['user_id', 'version', 'created_at', 'last_used_at', 'expires_at', 'fenced_at']);
    expect(await store.switchCompany(a, company.id, T0 + 10)).toBe(2);
    expect((await store.revokeSessions({ userId: owner, exceptId: c }, 'test', T0 + 20)).sort()).toEqual([a, b].sort());
    expect(await store.revokeSessions({ id: a }, 'again', T0 + 30)).toEqual([]);
    expectNumbers(await store.findSession(b), ['revoked_at', 'fenced_at']);
    const live = await store.listLiveSessions(owner, T0 + 40);
    expect(live.map((s) => s.id)).toContain(c);
    expect(live.map((s) => s.id)).not.toContain(a);
    const fenced = await store.listFencedSince(T0 + 5);
    expect(fenced.find((f) => f.id === a)).toEqual({ id: a, version: 2, revoked: true, fencedAt: T0 + 20 });
    expect(fenced.find((f) => f.id === c)).toBeUndefined();
  });

  it('refresh tokens: consumed once, never when expired; live token and count', async () => {
    const sid = await newSession(alice);
    const old = await newToken(sid, T0);
    const expired = await newToken(sid, T0, T0 + 5);
    const next = await newToken(sid, T0 + 10);
    expect(await store.consumeRefreshToken(expired.jti, next.jti, T0 + 10)).toBeUndefined();
    const row = await store.consumeRefreshToken(old.jti, next.jti, T0 + 10);
    expectNumbers(row, ['issued_at', 'expires_at', 'consumed_at']);
    expect(row).toMatchObject({ jti: old.jti, successor_jti: next.jti });
    // The consuming clock: the caller's `now` in-process (SQLite), the database's own (PostgreSQL).
    if (store.opened.traits.databaseClock) expect(Math.abs(row!.consumed_at! - Date.now())).toBeLessThan(3_600_000);
    else expect(row!.consumed_at).toBe(T0 + 10);
    expect(await store.consumeRefreshToken(old.jti, id(), T0 + 11)).toBeUndefined();
    expect((await store.findRefreshToken(old.jti))?.successor_jti).toBe(next.jti);
    expect((await store.findLiveRefreshToken(sid, T0 + 12))?.jti).toBe(next.jti);
    expect(await store.countLiveRefreshTokens(sid, T0 + 12)).toBe(1);
  });

  /** A live token, rotated at `T0 + 10` into a live successor. */
  async function rotatedPair() {
    const sid = await newSession(alice);
    const r1 = await newToken(sid);
    const r2 = id();
    expect(await store.rotateRefreshToken(r1.jti, r2, T0 + 10, 10_000)).toEqual({ state: 'unused', sessionId: sid });
    await store.insertRefreshToken({
      jti: r2,
      session_id: sid,
      issued_at: T0 + 10,
      expires_at: T0 + 7_200_000,
      consumed_at: null,
      successor_jti: null,
    });
    return { sid, r1: r1.jti, r2 };
  }

  it('rotateRefreshToken: a consumed token answers its own successor while that is unused, then it is reuse (SPEC §2)', async () => {
    const { sid, r1, r2 } = await rotatedPair();
    const grace = { state: 'in-grace', sessionId: sid, successor: { jti: r2, expiresAtMs: T0 + 7_200_000 } };
    expect(await store.rotateRefreshToken(r1, id(), T0 + 20, 10_000)).toEqual(grace);
    expect(await store.rotateRefreshToken(r1, id(), T0 + 20, 10_000)).toEqual(grace);
    expect(await store.rotateRefreshToken(r2, id(), T0 + 30, 10_000)).toEqual({ state: 'unused', sessionId: sid });
    expect(await store.rotateRefreshToken(r1, id(), T0 + 40, 10_000)).toEqual({ state: 'superseded', sessionId: sid });
    expect(await store.rotateRefreshToken(id(), id(), T0 + 40, 10_000)).toEqual({ state: 'expired' });
    const expired = await newToken(sid, T0, T0 + 5);
    expect(await store.rotateRefreshToken(expired.jti, id(), T0 + 40, 10_000)).toEqual({ state: 'expired' });
    expect(await store.findRefreshToken(expired.jti)).toMatchObject({ consumed_at: null });
  });

  it('rotateRefreshToken: the window is measured on the consuming clock, and a clock behind the consumption is outside it', async () => {
    const { r1 } = await rotatedPair();
    if (store.opened.traits.databaseClock) {
      // The caller's clock moves nothing: an instance a minute behind or ahead sees the same window.
      expect((await store.rotateRefreshToken(r1, id(), T0 + 10 - 60_000, 10_000)).state).toBe('in-grace');
      expect((await store.rotateRefreshToken(r1, id(), T0 + 10 + 60_000, 10_000)).state).toBe('in-grace');
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect((await store.rotateRefreshToken(r1, id(), T0 + 10, 30)).state).toBe('superseded');
    } else {
      expect((await store.rotateRefreshToken(r1, id(), T0 + 10 + 10_000, 10_000)).state).toBe('in-grace');
      expect((await store.rotateRefreshToken(r1, id(), T0 + 10 + 10_001, 10_000)).state).toBe('superseded');
      expect((await store.rotateRefreshToken(r1, id(), T0 + 9, 10_000)).state).toBe('superseded');
    }
  });

  it('findWhoAmI: the user, the session and every membership in one read, as the three separate reads give them', async () => {
    const carol = await store.createUser({ account: 'carol-me', name: 'Carol', passwordHash: 'h', isAdmin: true, now: T0 });
    const sid = await newSession(carol.id);
    const asThreeReads = async (userId: number, sessionId: string) => {
      const [u, memberships, session] = await Promise.all([
        store.findUserById(userId),
        store.listMemberships(userId),
        store.findSession(sessionId),
      ]);
      return { user: { id: u!.id, account: u!.account, name: u!.name, status: u!.status, is_admin: u!.is_admin }, session, memberships };
    };
    expect(await store.findWhoAmI(carol.id, sid)).toEqual(await asThreeReads(carol.id, sid));
    expect((await store.findWhoAmI(carol.id, sid))?.memberships).toEqual([]);
    const [b, a] = [await store.createCompany({ name: 'B', now: T0 }), await store.createCompany({ name: 'A', now: T0 })];
    await store.upsertMembership({ userId: carol.id, companyId: a.id, roles: ['admin'], isDefault: true, now: T0 });
    await store.upsertMembership({ userId: carol.id, companyId: b.id, roles: [], isDefault: false, now: T0 });
    await store.updateCompany(b.id, { status: 'disabled' });
    const found = await store.findWhoAmI(carol.id, sid);
    expect(found).toEqual(await asThreeReads(carol.id, sid));
    expect(found?.memberships.map((m) => [m.companyId, m.companyStatus])).toEqual([
      [b.id, 'disabled'],
      [a.id, 'active'],
    ]);
    expectNumbers(found!.session as unknown as Record<string, unknown>, ['user_id', 'version', 'created_at', 'last_used_at', 'expires_at']);
    expectNumbers(found!.user, ['id', 'is_admin']);
    expect(await store.findWhoAmI(carol.id, id())).toBeUndefined();
    expect(await store.findWhoAmI(carol.id + 10_000, sid)).toBeUndefined();
  });

  /** The common refresh at `now` with a 1 h idle limit and successor expiry `T0 + 7_200_000`. */
  const live = (jti: string, successor: string, now: number, sessionId?: string) =>
    store.rotateLiveRefreshToken({ jti, successor, nowMs: now, idleMs: 3_600_000, successorExpiresAtMs: T0 + 7_200_000, sessionId });

  it('rotateLiveRefreshToken: consumes, inserts the successor (never past its session), touches the session, in one capability', async () => {
    const company = await store.createCompany({ name: 'Live', now: T0 });
    await store.upsertMembership({ userId: alice, companyId: company.id, roles: ['viewer'], isDefault: true, now: T0 });
    const sid = await newSession(alice, { company_id: company.id, expires_at: T0 + 5_000_000 });
    const r1 = await newToken(sid);
    const r2 = id();
    const rotated = await live(r1.jti, r2, T0 + 10);
    expect(rotated).toMatchObject({
      context: { userStatus: 'active', isAdmin: false, roles: ['viewer'] },
      successorExpiresAtMs: T0 + 5_000_000,
    });
    expect(rotated!.context.session).toMatchObject({ id: sid, user_id: alice, company_id: company.id, version: 1 });
    expectNumbers(rotated!.context.session as unknown as Record<string, unknown>, ['user_id', 'version', 'expires_at', 'last_used_at']);
    expect(await store.findRefreshToken(r1.jti)).toMatchObject({ successor_jti: r2 });
    expect(await store.findRefreshToken(r2)).toEqual({
      jti: r2,
      session_id: sid,
      issued_at: T0 + 10,
      expires_at: T0 + 5_000_000,
      consumed_at: null,
      successor_jti: null,
    });
    expect((await store.findSession(sid))?.last_used_at).toBe(T0 + 10);
    // The consumed token is now the general path's to judge: in grace, its successor answered.
    expect(await live(r1.jti, id(), T0 + 20)).toBeUndefined();
    expect(await store.rotateRefreshToken(r1.jti, id(), T0 + 20, 10_000)).toMatchObject({ state: 'in-grace', successor: { jti: r2 } });
    // A membership gone leaves the session without roles (the caller issues it without a company).
    await store.removeMembership(alice, company.id);
    expect((await live(r2, id(), T0 + 30))?.context.roles).toBeUndefined();
  });

  it('rotateLiveRefreshToken: anything but an unused token of a live session changes nothing (session-states.ts)', async () => {
    const unchanged = async (jti: string, sid: string) => {
      expect(await store.findRefreshToken(jti)).toMatchObject({ consumed_at: null, successor_jti: null });
      expect(await store.countLiveRefreshTokens(sid, T0)).toBe(1);
      expect((await store.findSession(sid))?.last_used_at).toBe(T0);
    };
    expect(await live(id(), id(), T0 + 10)).toBeUndefined();
    const cases: Array<{
      name: string;
      session?: Parameters<typeof newSession>[1];
      now: number;
      tokenExpiresAt?: number;
      sessionId?: string;
    }> = [
      { name: 'expired token', now: T0 + 3_600_000, tokenExpiresAt: T0 + 3_600_000 },
      { name: 'revoked session', session: { revoked_at: T0 + 1 }, now: T0 + 10 },
      { name: 'expired session', session: { expires_at: T0 + 10 }, now: T0 + 10 },
      { name: 'idle session, 1 ms past the limit', now: T0 + 3_600_001 },
      { name: 'another session named', now: T0 + 10, sessionId: id() },
    ];
    for (const c of cases) {
      const sid = await newSession(alice, c.session);
      const { jti } = await newToken(sid, T0, c.tokenExpiresAt ?? T0 + 7_200_000);
      expect({ case: c.name, rotated: await live(jti, id(), c.now, c.sessionId) }).toEqual({ case: c.name, rotated: undefined });
      await unchanged(jti, sid);
    }
    // The idle limit's edge rotates (`sessionStateOf`: idle only past it), as does the named session.
    const sid = await newSession(alice);
    expect(await live((await newToken(sid, T0, T0 + 7_200_000)).jti, id(), T0 + 3_600_000, sid)).toBeDefined();
    // A disabled user's session admits no refresh.
    const bob = await store.createUser({ account: 'bob-live', name: 'B', passwordHash: 'h', isAdmin: true, now: T0 });
    const bobs = await newSession(bob.id);
    const bobToken = await newToken(bobs);
    await store.setUserStatus(bob.id, 'disabled', T0 + 1);
    expect(await live(bobToken.jti, id(), T0 + 10)).toBeUndefined();
    await unchanged(bobToken.jti, bobs);
    await store.setUserStatus(bob.id, 'active', T0 + 2);
    expect((await live(bobToken.jti, id(), T0 + 10))?.context.isAdmin).toBe(true);
  });

  it('race: of 20 concurrent common refreshes of one token exactly one rotates, and one successor is inserted', async () => {
    const sid = await newSession(alice);
    const token = await newToken(sid);
    const results = await Promise.all(Array.from({ length: 20 }, () => live(token.jti, id(), T0 + 100)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.countLiveRefreshTokens(sid, T0 + 100)).toBe(1);
  });

  it('a login session opens whole (session, first token, events) or not at all', async () => {
    const session = (sid: string) => sessionRow(sid, alice, { fenced_at: 0, auth_time: T0, amr: 'pwd otp mfa' });
    const refresh = (sid: string, jti = id()) => ({
      jti,
      session_id: sid,
      issued_at: T0,
      expires_at: T0 + 3_600_000,
      consumed_at: null,
      successor_jti: null,
    });
    const event = (type: string, sid: string) => ({
      at: T0,
      type,
      user_id: alice,
      session_id: sid,
      ip: null,
      details: '{}',
      subject_id: alice,
    });
    const sid = id();
    const token = refresh(sid);
    await store.openLoginSession({
      session: session(sid),
      refresh: token,
      events: [event('mfa.success', sid), event('login.success', sid)],
    });
    expect(await store.findSession(sid)).toMatchObject({ user_id: alice, amr: 'pwd otp mfa' });
    expect(await store.findRefreshToken(token.jti)).toMatchObject({ session_id: sid, consumed_at: null });
    const events = await store.queryAuditEvents({ sessionId: sid, limit: 10 });
    expect(events.map((e) => e.type)).toEqual(['login.success', 'mfa.success']);
    // A token id already taken: the statement fails, and neither the new session nor its events remain.
    const other = id();
    await expect(
      store.openLoginSession({ session: session(other), refresh: refresh(other, token.jti), events: [event('login.success', other)] }),
    ).rejects.toThrow();
    expect(await store.findSession(other)).toBeUndefined();
    expect(await store.queryAuditEvents({ sessionId: other, limit: 10 })).toEqual([]);
  });

  it('race: of 20 concurrent consumes of one refresh token exactly one wins', async () => {
    const sid = await newSession(alice);
    const token = await newToken(sid);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.transaction((tx) => tx.consumeRefreshToken(token.jti, id(), T0 + 100))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results.find(Boolean)?.jti).toBe(token.jti);
  });

  /** Threshold 10, 60 s doubling to 240 s, hard lock at 14; attempts in flight forgotten after 60 s. */
  const schedule = {
    threshold: 10,
    stepsMs: [60_000, 120_000, 240_000],
    hardLimit: 14,
    hardUntil: Number.MAX_SAFE_INTEGER,
    inflightStaleMs: 60_000,
  };
  /** Reserves and fails `n` attempts one after the other at `now`; the last failure's outcome. */
  const fail = async (key: string, n: number, now: number) => {
    let last = { count: 0, lockedUntil: 0 };
    for (let i = 0; i < n; i++) {
      expect(await store.reserveLoginAttempt(key, now, schedule)).toBe(true);
      last = await store.recordLoginFailure(key, now, schedule);
    }
    return last;
  };

  it('race: of 50 concurrent reservations of one key exactly 10 get a place; ten failures lock it (#12.1)', async () => {
    const key = `acct:${id()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => store.reserveLoginAttempt(key, T0, schedule)));
    expect(results.filter(Boolean)).toHaveLength(10);
    const row = await store.findLoginFailures(key);
    expectNumbers(row, ['count', 'inflight', 'inflight_at', 'last_failure_at', 'locked_until']);
    expect(row).toMatchObject({ count: 0, inflight: 10, locked_until: 0 });
    const failures = await Promise.all(Array.from({ length: 10 }, () => store.recordLoginFailure(key, T0, schedule)));
    expect(failures.map((f) => f.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(failures.find((f) => f.count === 10)?.lockedUntil).toBe(T0 + 60_000);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 10, inflight: 0, locked_until: T0 + 60_000 });
    // Refused while locked; once the lock expires one attempt at a time, whose failure doubles the lock.
    expect(await store.reserveLoginAttempt(key, T0 + 59_999, schedule)).toBe(false);
    expect(await store.reserveLoginAttempt(key, T0 + 60_000, schedule)).toBe(true);
    expect(await store.reserveLoginAttempt(key, T0 + 60_000, schedule)).toBe(false);
    expect(await store.recordLoginFailure(key, T0 + 60_000, schedule)).toEqual({ count: 11, lockedUntil: T0 + 180_000 });
  });

  it('reservations: steps past the schedule repeat its last lock; the hard limit never expires', async () => {
    const key = `acct:${id()}`;
    let now = T0;
    await fail(key, 10, now);
    const locks: number[] = [];
    for (let count = 11; count <= 14; count++) {
      now = Number((await store.findLoginFailures(key))!.locked_until);
      locks.push((await fail(key, 1, now)).lockedUntil - now);
    }
    expect(locks).toEqual([120_000, 240_000, 240_000, Number.MAX_SAFE_INTEGER - now]);
    expect(await store.reserveLoginAttempt(key, now + 365 * 86_400_000, schedule)).toBe(false);
    await store.clearLoginFailures(key);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, locked_until: 0, inflight: 0 });
    expect(await fail(key, 1, now)).toEqual({ count: 1, lockedUntil: 0 });
  });

  it('race: right passwords finishing in any order never count against each other; a right one resets the failures', async () => {
    const key = `acct:${id()}`;
    await fail(key, 3, T0);
    // 7 places left; a burst of 9 gets 7; the 7 finish right, in parallel, and the count ends at zero.
    const reserved = await Promise.all(Array.from({ length: 9 }, () => store.reserveLoginAttempt(key, T0, schedule)));
    expect(reserved.filter(Boolean)).toHaveLength(7);
    await Promise.all(Array.from({ length: 7 }, () => store.forgiveLoginAttempts(key)));
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 0, locked_until: 0 });
    // A hundred rounds of ten parallel right passwords: never a refusal, never a failure counted.
    for (let round = 0; round < 100; round++) {
      const places = await Promise.all(Array.from({ length: 10 }, () => store.reserveLoginAttempt(key, T0, schedule)));
      expect(places.every(Boolean)).toBe(true);
      await Promise.all(Array.from({ length: 10 }, () => store.forgiveLoginAttempts(key)));
    }
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 0 });
  });

  it('a released attempt is uncounted; attempts in flight past the stale window are forgotten', async () => {
    const key = `acct:${id()}`;
    await fail(key, 9, T0);
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(false);
    await store.releaseLoginAttempt(key);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 9, inflight: 0, locked_until: 0 });
    // A process that dies holding its place: the place is back once the stale window has passed.
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    expect(await store.reserveLoginAttempt(key, T0 + 60_000, schedule)).toBe(false);
    expect(await store.reserveLoginAttempt(key, T0 + 60_001, schedule)).toBe(true);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 9, inflight: 1 });
    // Its late finish (and the live one's) never takes the number below zero.
    await store.releaseLoginAttempt(key);
    await store.releaseLoginAttempt(key);
    expect(await store.findLoginFailures(key)).toMatchObject({ inflight: 0 });
  });

  it('startSecondStep (#15): reserves like reserveLoginAttempt and reads the user, memberships and TOTP row as the separate reads give them', async () => {
    const dana = await store.createUser({ account: `dana-${id()}`, name: 'Dana', passwordHash: 'h', isAdmin: true, now: T0 });
    const key = `acct:${id()}`;
    const start = (userId: number, now = T0) => store.startSecondStep({ key, now, schedule, userId });
    // No membership, no TOTP: one user, nothing else; the attempt is in flight.
    expect(await start(dana.id)).toEqual({ reserved: true, user: await store.findUserById(dana.id), memberships: [], totp: undefined });
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 1 });
    const [b, a] = [await store.createCompany({ name: 'B', now: T0 }), await store.createCompany({ name: 'A', now: T0 })];
    await store.upsertMembership({ userId: dana.id, companyId: a.id, roles: ['admin'], isDefault: true, now: T0 });
    await store.upsertMembership({ userId: dana.id, companyId: b.id, roles: ['x', 'y'], isDefault: false, now: T0 });
    await store.updateCompany(b.id, { status: 'disabled' });
    await store.putPendingTotp(dana.id, 'sealed', T0);
    await store.enableTotp(dana.id, 7, T0 + 1);
    const read = await start(dana.id);
    expect(read).toEqual({
      reserved: true,
      user: await store.findUserById(dana.id),
      memberships: await store.listMemberships(dana.id),
      totp: await store.findTotp(dana.id),
    });
    expect(read.memberships.map((m) => m.companyId)).toEqual([b.id, a.id]);
    expectNumbers(read.totp as unknown as Record<string, unknown>, ['user_id', 'enabled_at', 'last_step', 'created_at']);
    expectNumbers(read.user as unknown as Record<string, unknown>, ['id', 'is_admin', 'created_at', 'updated_at']);
    // Locked, or at the bound of attempts in flight: nothing reserved, nothing changed, the rest still read.
    await store.releaseLoginAttempt(key);
    await store.releaseLoginAttempt(key);
    await fail(key, 10, T0);
    const refused = await start(dana.id, T0 + 1);
    expect(refused).toMatchObject({ reserved: false, user: { id: dana.id } });
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 10, inflight: 0 });
    // A user that is gone: reserved all the same (the caller ends the attempt), no user read.
    const other = `acct:${id()}`;
    expect(await store.startSecondStep({ key: other, now: T0, schedule, userId: dana.id + 10_000 })).toEqual({
      reserved: true,
      user: undefined,
      memberships: [],
      totp: undefined,
    });
    expect(await store.findLoginFailures(other)).toMatchObject({ inflight: 1 });
  });

  it('race (#15): of 30 concurrent second-step starts on one key exactly 10 reserve', async () => {
    const key = `acct:${id()}`;
    const results = await Promise.all(Array.from({ length: 30 }, () => store.startSecondStep({ key, now: T0, schedule, userId: alice })));
    expect(results.filter((r) => r.reserved)).toHaveLength(10);
    expect(results.every((r) => r.user?.id === alice)).toBe(true);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 10 });
  });

  it('a login session opened with `forgive` ends its attempt as right, in the same write (whole or nothing)', async () => {
    const key = `acct:${id()}`;
    await fail(key, 4, T0);
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    const opening = (sid: string, jti = id()) => ({
      session: sessionRow(sid, alice, { fenced_at: 0, auth_time: T0, amr: 'pwd otp mfa' }),
      refresh: { jti, session_id: sid, issued_at: T0, expires_at: T0 + 3_600_000, consumed_at: null, successor_jti: null },
      events: [{ at: T0, type: 'login.success', user_id: alice, session_id: sid, ip: null, details: '{}', subject_id: alice }] as const,
      forgive: key,
    });
    // The opening forgives the failures and ends the attempt.
    const first = opening(id());
    await store.openLoginSession(first);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 0, locked_until: 0 });
    await fail(key, 4, T0);
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    // A failing opening (a token id already taken) forgives nothing.
    const clash = opening(id(), first.refresh.jti);
    await expect(store.openLoginSession(clash)).rejects.toThrow();
    expect(await store.findSession(clash.session.id)).toBeUndefined();
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 4, inflight: 1 });
    // In the caller's transaction (session limits on) as well.
    await store.transaction((tx) => tx.openLoginSession(opening(id())));
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 0, inflight: 0 });
  });

  it('a release with an audit event ends the attempt and writes the event together (#15: mfa.required)', async () => {
    const key = `acct:${id()}`;
    await fail(key, 2, T0);
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    const sid = id();
    const event = { at: T0, type: 'mfa.required', user_id: alice, session_id: sid, ip: '10.0.0.1', details: '{"enroll":false}' };
    await store.releaseLoginAttempt(key, event);
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 2, inflight: 0 });
    expect(await store.queryAuditEvents({ sessionId: sid, limit: 5 })).toMatchObject([{ ...event, subject_id: null }]);
    // In the caller's transaction: rolled back with it.
    expect(await store.reserveLoginAttempt(key, T0, schedule)).toBe(true);
    const other = id();
    await expect(
      store.transaction(async (tx) => {
        await tx.releaseLoginAttempt(key, { ...event, session_id: other });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.findLoginFailures(key)).toMatchObject({ count: 2, inflight: 1 });
    expect(await store.queryAuditEvents({ sessionId: other, limit: 5 })).toEqual([]);
  });

  it('signing keys: retire others, delete long-retired', async () => {
    const row = (kid: string, createdAt: number) => ({
      kid,
      alg: 'EdDSA',
      public_jwk: '{}',
      private_sealed: 'sealed',
      created_at: createdAt,
      retired_at: null,
    });
    await store.insertSigningKey(row('k1', T0));
    await store.insertSigningKey(row('k2', T0 + 1));
    await store.retireOtherKeys('k2', T0 + 2);
    const keys = await store.listSigningKeys();
    expect(keys.map((k) => [k.kid, k.retired_at])).toEqual([
      ['k1', T0 + 2],
      ['k2', null],
    ]);
    expectNumbers(keys[0], ['created_at', 'retired_at']);
    await store.deleteKeysRetiredBefore(T0 + 3);
    expect((await store.listSigningKeys()).map((k) => k.kid)).toEqual(['k2']);
  });

  it('audit events: newest first, filtered and paged', async () => {
    for (let i = 0; i < 3; i++)
      await store.insertAuditEvent({ at: T0 + i, type: 'test.event', user_id: alice, session_id: null, ip: null, details: '{}' });
    const page = await store.queryAuditEvents({ type: 'test.event', limit: 2 });
    expect(page.map((e) => e.at)).toEqual([T0 + 2, T0 + 1]);
    expectNumbers(page[0], ['id', 'at', 'user_id']);
    const rest = await store.queryAuditEvents({ type: 'test.event', limit: 2, beforeId: page[1]!.id });
    expect(rest.map((e) => e.at)).toEqual([T0]);
    expect(await store.queryAuditEvents({ type: 'test.event', since: T0 + 1, until: T0 + 2, limit: 10 })).toHaveLength(1);
  });

  // Retention (#13.2) works on rows ten days before T0, so the rows of the other tests are never in its range.
  const OLD = T0 - 10 * 86_400_000;

  it('retention: refresh-token rows go once expired, consumed or not; an unexpired consumed token stays (reuse detection)', async () => {
    const sid = await newSession(alice);
    const expiredFresh = await newToken(sid, OLD, OLD + 5);
    const expiredConsumed = await newToken(sid, OLD, OLD + 6);
    const consumed = await newToken(sid, OLD, OLD + 1_000);
    const live = await newToken(sid, OLD, OLD + 2_000);
    expect(await store.consumeRefreshToken(expiredConsumed.jti, consumed.jti, OLD + 1)).toBeDefined();
    expect(await store.consumeRefreshToken(consumed.jti, live.jti, OLD + 2)).toBeDefined();
    expect(await store.deleteExpiredRefreshTokens(OLD + 100, 500)).toBe(2);
    expect(await store.findRefreshToken(expiredFresh.jti)).toBeUndefined();
    expect(await store.findRefreshToken(expiredConsumed.jti)).toBeUndefined();
    // Consumed (on PostgreSQL the time may be the database's clock), and kept.
    expect((await store.findRefreshToken(consumed.jti))?.consumed_at).not.toBeNull();
    expect(await store.findRefreshToken(live.jti)).toBeDefined();
    expect(await store.deleteExpiredRefreshTokens(OLD + 100, 500)).toBe(0);
  });

  it('retention: deletes at most one batch per call; concurrent callers never fail and delete each row once', async () => {
    const sid = await newSession(alice);
    for (let i = 0; i < 12; i++) await newToken(sid, OLD, OLD + 10 + i);
    expect(await store.deleteExpiredRefreshTokens(OLD + 100, 5)).toBe(5);
    // Three instances' jobs at once (PostgreSQL: SKIP LOCKED), then one until nothing is left.
    const concurrent = await Promise.all(Array.from({ length: 3 }, () => store.deleteExpiredRefreshTokens(OLD + 100, 2)));
    let deleted = concurrent.reduce((a, b) => a + b, 0);
    for (let n = 1; n > 0; deleted += n) n = await store.deleteExpiredRefreshTokens(OLD + 100, 2);
    expect(deleted).toBe(7);
  });

  it('retention: an ended session goes once no refresh-token row is left; live and recently ended ones stay', async () => {
    const at = (offsetMs: number) => OLD + offsetMs;
    const revoked = await newSession(alice, { created_at: at(0), expires_at: T0 + 86_400_000, revoked_at: at(10), revoke_reason: 'test' });
    const expired = await newSession(alice, { created_at: at(0), expires_at: at(20) });
    const live = await newSession(alice, { created_at: at(0), expires_at: T0 + 86_400_000 });
    const revokedLater = await newSession(alice, { created_at: at(0), expires_at: T0 + 86_400_000, revoked_at: at(500) });
    const token = await newToken(revoked, at(0), at(50));
    expect(await store.deleteEndedSessions(at(100), 500)).toBe(1);
    expect(await store.findSession(expired)).toBeUndefined();
    // Its refresh token could still be presented until at(50): the session stays while the row does.
    expect(await store.findSession(revoked)).toBeDefined();
    expect(await store.deleteExpiredRefreshTokens(at(100), 500)).toBe(1);
    expect(await store.findRefreshToken(token.jti)).toBeUndefined();
    expect(await store.deleteEndedSessions(at(100), 500)).toBe(1);
    expect(await store.findSession(revoked)).toBeUndefined();
    expect(await store.findSession(live)).toBeDefined();
    expect(await store.findSession(revokedLater)).toBeDefined();
  });

  it('retention: audit events older than the cut-off go, in batches', async () => {
    for (let i = 0; i < 3; i++)
      await store.insertAuditEvent({ at: OLD + i, type: 'retention.old', user_id: null, session_id: null, ip: null, details: '{}' });
    await store.insertAuditEvent({ at: OLD + 100, type: 'retention.old', user_id: null, session_id: null, ip: null, details: '{}' });
    expect(await store.deleteAuditEventsBefore(OLD + 50, 2)).toBe(2);
    expect(await store.deleteAuditEventsBefore(OLD + 50, 2)).toBe(1);
    expect((await store.queryAuditEvents({ type: 'retention.old', limit: 10 })).map((e) => e.at)).toEqual([OLD + 100]);
  });

  it('users (admin listing): membership, status and search filters, sorts, totals, name change', async () => {
    const [x, y] = [await store.createCompany({ name: 'List X', now: T0 }), await store.createCompany({ name: 'List Y', now: T0 })];
    const mk = async (account: string, name: string, at: number) =>
      (await store.createUser({ account, name, passwordHash: 'h', isAdmin: false, now: at })).id;
    const u1 = await mk('lst-carol', 'carol', T0 + 3);
    const u2 = await mk('lst-alice', 'Bob', T0 + 1);
    const u3 = await mk('lst-bob', 'alice', T0 + 2);
    await store.upsertMembership({ userId: u1, companyId: x.id, roles: [], isDefault: true, now: T0 });
    await store.upsertMembership({ userId: u2, companyId: x.id, roles: [], isDefault: true, now: T0 });
    await store.upsertMembership({ userId: u2, companyId: y.id, roles: [], isDefault: false, now: T0 });
    await store.upsertMembership({ userId: u3, companyId: y.id, roles: [], isDefault: true, now: T0 });
    await store.setUserStatus(u3, 'disabled', T0 + 4);
    const page = { limit: 10, offset: 0 };
    const ids = async (filter: Parameters<Store['listUsers']>[0]) => (await store.listUsers(filter)).map((u) => u.id);
    expect(await ids({ ...page, memberOfAny: [x.id] })).toEqual([u1, u2]);
    expect(await ids({ ...page, memberOfAny: [x.id, y.id] })).toEqual([u1, u2, u3]);
    expect(await ids({ ...page, memberOfAny: [] })).toEqual([]);
    expect(await ids({ ...page, search: 'lst-', status: 'disabled' })).toEqual([u3]);
    expect(await ids({ ...page, search: 'lst-', sort: 'account' })).toEqual([u2, u3, u1]);
    expect(await ids({ ...page, search: 'lst-', sort: 'name', order: 'desc' })).toEqual([u1, u2, u3]);
    expect(await ids({ ...page, search: 'lst-', sort: 'created_at' })).toEqual([u2, u3, u1]);
    expect(await ids({ search: 'lst-', limit: 1, offset: 1, order: 'desc' })).toEqual([u2]);
    expect(await store.countUsersMatching({ memberOfAny: [x.id, y.id] })).toBe(3);
    expect(await store.countUsersMatching({ memberOfAny: [y.id], status: 'active' })).toBe(1);
    expect(await store.countUsersMatching({ search: 'LST-' })).toBe(3);
    expect(await store.setUserName(u1, 'Carol C', T0 + 5)).toBe(true);
    expect(await store.findUserById(u1)).toMatchObject({ name: 'Carol C', updated_at: T0 + 5 });
  });

  it('companies (admin listing): pages with member counts, filters, update, members with roles', async () => {
    const c1 = await store.createCompany({ name: 'Pg_Alpha', now: T0 });
    const c2 = await store.createCompany({ name: 'Pg%Beta', now: T0 });
    const u = (await store.createUser({ account: `pg-${id()}`, name: 'P', passwordHash: 'h', isAdmin: false, now: T0 })).id;
    const v = (await store.createUser({ account: `pg-${id()}`, name: 'Q', passwordHash: 'h', isAdmin: false, now: T0 })).id;
    await store.upsertMembership({ userId: u, companyId: c1.id, roles: ['admin'], isDefault: true, now: T0 });
    await store.upsertMembership({ userId: v, companyId: c1.id, roles: [], isDefault: false, now: T0 });
    const listed = await store.listCompaniesPage({ search: 'pg_', limit: 10, offset: 0 });
    expect(listed.map((c) => [c.id, c.members])).toEqual([[c1.id, 2]]);
    expectNumbers(listed[0], ['id', 'created_at', 'members']);
    expect((await store.listCompaniesPage({ search: 'pg%', limit: 10, offset: 0 })).map((c) => c.id)).toEqual([c2.id]);
    expect((await store.listCompaniesPage({ ids: [c2.id, c1.id], limit: 1, offset: 1 })).map((c) => [c.id, c.members])).toEqual([
      [c2.id, 0],
    ]);
    expect(await store.listCompaniesPage({ ids: [], limit: 10, offset: 0 })).toEqual([]);
    expect(await store.countCompanies({ ids: [c1.id, c2.id] })).toBe(2);
    expect(await store.updateCompany(c2.id, { status: 'disabled' })).toMatchObject({ id: c2.id, name: 'Pg%Beta', status: 'disabled' });
    expect(await store.countCompanies({ ids: [c1.id, c2.id], status: 'active' })).toBe(1);
    expect(await store.updateCompany(c1.id, { name: 'Pg Alpha' })).toMatchObject({ name: 'Pg Alpha', status: 'active' });
    expect(await store.updateCompany(999_999, { name: 'none' })).toBeUndefined();
    const members = await store.listCompanyMembers(c1.id, { limit: 10, offset: 0 });
    expect(members).toEqual([
      { userId: u, account: expect.any(String), name: 'P', status: 'active', roles: ['admin'], isDefault: true },
      { userId: v, account: expect.any(String), name: 'Q', status: 'active', roles: [], isDefault: false },
    ]);
    expect(await store.listCompanyMembers(c1.id, { limit: 1, offset: 1 })).toHaveLength(1);
    expect(await store.countCompanyMembers(c1.id)).toBe(2);
  });

  it('sessions (admin listing): live sessions across users with filters, newest first; revoking by company', async () => {
    const co = await store.createCompany({ name: 'Live', now: T0 });
    const other = await store.createCompany({ name: 'Other live', now: T0 });
    const u = (await store.createUser({ account: `live-${id()}`, name: 'Liv', passwordHash: 'h', isAdmin: true, now: T0 })).id;
    const older = await newSession(u, { company_id: co.id, device_type: 'web', ip: '10.0.0.1', created_at: T0 + 1 });
    const newer = await newSession(u, { company_id: co.id, device_type: 'ios', ip: '10.0.0.2', created_at: T0 + 2 });
    const elsewhere = await newSession(u, { company_id: other.id, device_type: 'web', ip: '10.0.0.1', created_at: T0 + 3 });
    const expired = await newSession(u, { company_id: co.id, expires_at: T0 + 10 });
    const now = T0 + 100;
    const page = { limit: 10, offset: 0 };
    const rows = await store.listLiveSessionsPage({ ...page, companyIds: [co.id] }, now);
    expect(rows.map((r) => r.id)).toEqual([newer, older]);
    expect(rows[0]).toMatchObject({ user_id: u, account: expect.stringMatching(/^live-/), user_name: 'Liv', user_is_admin: 1 });
    expectNumbers(rows[0], ['user_id', 'company_id', 'created_at', 'last_used_at', 'expires_at', 'user_is_admin']);
    const ids = async (filter: Parameters<Store['countLiveSessions']>[0]) =>
      (await store.listLiveSessionsPage({ ...filter, ...page }, now)).map((r) => r.id);
    expect(await ids({ userId: u, deviceType: 'web' })).toEqual([elsewhere, older]);
    expect(await ids({ userId: u, ip: '10.0.0.2' })).toEqual([newer]);
    expect(await ids({ userId: u, companyIds: [] })).toEqual([]);
    expect(await store.countLiveSessions({ userId: u }, now)).toBe(3);
    expect(await store.countLiveSessions({ companyIds: [co.id, other.id] }, now)).toBe(3);
    // Not yet revoked rows are revoked whether expired or not (harmless; the fence then knows them too).
    expect((await store.revokeSessions({ companyId: co.id }, 'company_disabled', now)).sort()).toEqual([older, newer, expired].sort());
    expect(await ids({ userId: u })).toEqual([elsewhere]);
  });

  it('audit events: actor, subject, type prefix and endings filters; counts by type over a time range', async () => {
    const tag = `cf${id()
      .slice(0, 6)
      .toLowerCase()
      .replace(/[^a-z]/g, 'x')}`;
    const ev = (type: string, at: number, user: number | null, subject: number | null) =>
      store.insertAuditEvent({ at, type: `${tag}.${type}`, user_id: user, session_id: null, ip: null, details: '{}', subject_id: subject });
    await ev('login.success', T0 + 1, 7, 7);
    await ev('login.failure', T0 + 2, 7, 7);
    await ev('admin.action', T0 + 3, 1, 7);
    await ev('refresh.reuse_detected', T0 + 4, 8, 8);
    await ev('login_x.success', T0 + 5, 9, 9);
    const types = async (filter: Omit<Parameters<Store['queryAuditEvents']>[0], 'limit'>) =>
      (await store.queryAuditEvents({ ...filter, limit: 50 })).map((e) => e.type.slice(tag.length + 1));
    expect(await types({ type: `${tag}.login.` })).toEqual(['login.failure', 'login.success']);
    expect(await types({ type: `${tag}.`, subjectId: 7 })).toEqual(['admin.action', 'login.failure', 'login.success']);
    expect(await types({ type: `${tag}.`, userId: 7 })).toEqual(['login.failure', 'login.success']);
    expect(await types({ type: `${tag}.`, typeEndsWithAny: ['.failure', '.reuse_detected'] })).toEqual([
      'refresh.reuse_detected',
      'login.failure',
    ]);
    expect(await types({ type: `${tag}.`, typeEndsWithNone: ['.failure', '.reuse_detected'] })).toEqual([
      'login_x.success',
      'admin.action',
      'login.success',
    ]);
    expect(await types({ type: `${tag}.`, typeEndsWithAny: [] })).toEqual([]);
    const [row] = await store.queryAuditEvents({ type: `${tag}.admin.action`, limit: 1 });
    expectNumbers(row, ['id', 'at', 'user_id', 'subject_id']);
    expect(await store.countAuditEventsByType([`${tag}.login.success`, `${tag}.login.failure`, `${tag}.none`], T0 + 2, T0 + 10)).toEqual({
      [`${tag}.login.failure`]: 1,
    });
    expect(await store.countAuditEventsByType([], T0, T0 + 10)).toEqual({});
  });

  it('race (#15): of 20 concurrent claims of one TOTP step exactly one wins, and an earlier step never does; a recovery code is spent once', async () => {
    const user = await store.createUser({ account: `mfa-${id()}`, name: 'M', passwordHash: 'x', isAdmin: false, now: T0 });
    await store.putPendingTotp(user.id, 'sealed', T0);
    expect(await store.claimTotpStep(user.id, 5)).toBe(false);
    expect(await store.enableTotp(user.id, 100, T0)).toBe(true);
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimTotpStep(user.id, 101)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimTotpStep(user.id, 100)).toBe(false);
    expectNumbers(await store.findTotp(user.id), ['enabled_at', 'last_step', 'created_at']);
    await store.replaceRecoveryCodes(user.id, ['h1', 'h2'], T0);
    const spent = await Promise.all(Array.from({ length: 20 }, () => store.useRecoveryCode(user.id, 'h1', T0 + 1)));
    expect(spent.filter(Boolean)).toHaveLength(1);
    expect(await store.countMfaFactors(user.id)).toEqual({ totp: true, recoveryCodesLeft: 1, passkeys: 0 });
    await store.deleteAllMfa(user.id);
    expect(await store.countMfaFactors(user.id)).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: 0 });
  });

  it('login failures: locks in force are counted (timed ones until they end)', async () => {
    // Other tests leave locks of their own: count relative to what stands at each instant.
    const [before50, before60] = [await store.countLocksInForce(T0 + 50_000), await store.countLocksInForce(T0 + 60_000)];
    const [timed, hard] = [`acct:${id()}`, `acct:${id()}`];
    // Ten failures lock for 60 s; a hard limit of 1 locks at the first one until an admin lifts it.
    await fail(timed, 10, T0);
    expect(await store.reserveLoginAttempt(hard, T0, schedule)).toBe(true);
    await store.recordLoginFailure(hard, T0, { ...schedule, hardLimit: 1 });
    await fail(`acct:${id()}`, 1, T0);
    expect(await store.countLocksInForce(T0 + 50_000)).toBe(before50 + 2);
    expect(await store.countLocksInForce(T0 + 60_000)).toBe(before60 + 1);
  });

  it('ping answers while the database is there', async () => {
    await store.ping();
  });
}

describe('postgres URL', () => {
  it('takes the schema from ?schema= (default public) and never shows the password', () => {
    const parsed = parsePostgresUrl('postgres://app:s3cret@db.example:5432/auth?schema=tenant_a&sslmode=require');
    expect(parsed.schema).toBe('tenant_a');
    expect(parsed.description).toBe('postgres://app@db.example:5432/auth?schema=tenant_a');
    expect(parsed.connectionString).toBe('postgres://app:s3cret@db.example:5432/auth?sslmode=require');
    expect(parsePostgresUrl('postgres://app@db/auth').schema).toBe('public');
    expect(() => parsePostgresUrl('postgres://app@db/auth?schema=Bad;Name')).toThrow(/DUOTOKEN_DATABASE_URL: schema/);
  });
});

describe('store conformance: sqlite', { shuffle: true }, () => {
  storeConformance(openSqliteTarget);

  it('a closed database is STORE_UNAVAILABLE (10051), not an internal error', async () => {
    const opened = openSqlite(':memory:');
    await migrateToLatest(opened);
    const store = createStore(opened);
    await store.close();
    expect(await codeOf(store.ping())).toBe('STORE_UNAVAILABLE');
  });
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'store conformance on PostgreSQL');
describe.skipIf(!PG_URL)('store conformance: postgres (DUOTOKEN_TEST_PG_URL)', { shuffle: true }, () => {
  storeConformance(() => openPostgresTarget(PG_URL!));

  it('connections run READ COMMITTED in the schema of the URL, even when the URL asks for another default', async () => {
    const url = new URL(PG_URL!);
    url.searchParams.set('options', '-c default_transaction_isolation=serializable');
    const target = await openPostgresTarget(url.toString());
    try {
      const { rows } = await sql<{ schema: string; isolation: string }>`
        select current_schema() as schema, current_setting('transaction_isolation') as isolation`.execute(target.store.opened.db);
      expect(rows[0]).toEqual({ schema: target.store.opened.schema, isolation: 'read committed' });
    } finally {
      await target.dispose();
    }
  });

  /** A fresh store on one pooled connection (so every statement meets the same prepared ones), with a user to read. */
  async function onOneConnection(work: (store: Store, userId: number) => Promise<void>) {
    const target = await openPostgresTarget(PG_URL!, { poolSize: 1 });
    try {
      const user = await target.store.createUser({ account: 'named', name: 'N', passwordHash: 'h', isAdmin: false, now: T0 });
      await work(target.store, user.id);
    } finally {
      await target.dispose();
    }
  }

  it('the hot statements are prepared by name once per connection; a table changed under one (another instance migrating) costs no failure', () =>
    onOneConnection(async (store, userId) => {
      const prepared = async () =>
        (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(store.opened.db)).rows[0]!.n;
      const before = await prepared();
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named' });
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named' });
      expect(await prepared()).toBe(before + 1);
      // A column added: the prepared `select *` may no longer run ("cached plan must not change result type").
      await sql`alter table users add column extra integer`.execute(store.opened.db);
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named', extra: null });
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named', extra: null });
    }));

  it('a connection whose prepared statements are gone (a transaction-mode pooler) answers unnamed, without a failure', () =>
    onOneConnection(async (store, userId) => {
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named' });
      await sql`deallocate all`.execute(store.opened.db);
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named' });
      expect(await store.findUserById(userId)).toMatchObject({ account: 'named' });
    }));

  it('an unreachable server is STORE_UNAVAILABLE (10051), not an internal error', async () => {
    const store = createStore(openPostgres('postgres://duotoken@127.0.0.1:1/none', { connectTimeoutMs: 1_000 }));
    try {
      expect(await codeOf(store.ping())).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(store.findUserById(1))).toBe('STORE_UNAVAILABLE');
    } finally {
      await store.close();
    }
  });
});
