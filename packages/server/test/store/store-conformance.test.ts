import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../src/errors/auth-error.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openPostgres, parsePostgresUrl } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../src/store/store.js';
import { openPostgresTarget, openSqliteTarget, PG_URL, warnNotRun, type StoreTarget } from './store-targets.js';

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
  beforeAll(async () => {
    target = await open();
    store = target.store;
  });
  afterAll(() => target?.dispose());

  async function newSession(userId: number, extra: Partial<Parameters<Store['createSession']>[0]> = {}) {
    const sid = id();
    await store.createSession({
      id: sid,
      user_id: userId,
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
      ...extra,
    });
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
  let alice: number;

  it('migrating again applies nothing', async () => {
    expect(await migrateToLatest(store.opened)).toEqual([]);
  });

  it('users: ids and times are numbers, accounts are normalised and unique (CONFLICT)', async () => {
    const user = await store.createUser({ account: '  Alice ', name: 'Alice', passwordHash: 'h', isAdmin: false, now: T0 });
    alice = user.id;
    expectNumbers(user, ['id', 'is_admin', 'created_at', 'updated_at']);
    expect(user.account).toBe('alice');
    expect((await store.findUserByAccount('ALICE'))?.id).toBe(alice);
    expect(await codeOf(store.createUser({ account: 'alice', name: 'Other', passwordHash: 'h', isAdmin: false, now: T0 }))).toBe(
      'CONFLICT',
    );
    expect(await store.countUsers()).toBeTypeOf('number');
    expect(await store.setUserStatus(alice, 'active', T0 + 1)).toBe(true);
    expectNumbers(await store.findUserById(alice), ['updated_at']);
  });

  it('users: search treats % and _ literally', async () => {
    await store.createUser({ account: 'per%cent', name: 'P', passwordHash: 'h', isAdmin: false, now: T0 });
    await store.createUser({ account: 'percent', name: 'Q', passwordHash: 'h', isAdmin: false, now: T0 });
    const found = await store.listUsers({ search: 'r%c', limit: 10, offset: 0 });
    expect(found.map((u) => u.account)).toEqual(['per%cent']);
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
    const a = await newSession(alice);
    const b = await newSession(alice);
    const c = await newSession(alice);
    expectNumbers(await store.findSession(a), ['user_id', 'version', 'created_at', 'last_used_at', 'expires_at', 'fenced_at']);
    expect(await store.switchCompany(a, company.id, T0 + 10)).toBe(2);
    expect((await store.revokeSessions({ userId: alice, exceptId: c }, 'test', T0 + 20)).sort()).toEqual([a, b].sort());
    expect(await store.revokeSessions({ id: a }, 'again', T0 + 30)).toEqual([]);
    expectNumbers(await store.findSession(b), ['revoked_at', 'fenced_at']);
    const live = await store.listLiveSessions(alice, T0 + 40);
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
    expect(row).toMatchObject({ jti: old.jti, consumed_at: T0 + 10, successor_jti: next.jti });
    expect(await store.consumeRefreshToken(old.jti, id(), T0 + 11)).toBeUndefined();
    expect((await store.findRefreshToken(old.jti))?.successor_jti).toBe(next.jti);
    expect((await store.findLiveRefreshToken(sid, T0 + 12))?.jti).toBe(next.jti);
    expect(await store.countLiveRefreshTokens(sid, T0 + 12)).toBe(1);
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

  it('race: concurrent login failures are all counted', async () => {
    const key = `acct:${id()}`;
    const counts = await Promise.all(Array.from({ length: 12 }, () => store.incrementLoginFailures(key, T0)));
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await store.lockLoginFailures(key, T0 + 60_000);
    expectNumbers(await store.findLoginFailures(key), ['count', 'last_failure_at', 'locked_until']);
    await store.clearLoginFailures(key);
    expect(await store.findLoginFailures(key)).toBeUndefined();
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

describe('store conformance: sqlite', () => {
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
describe.skipIf(!PG_URL)('store conformance: postgres (DUOTOKEN_TEST_PG_URL)', () => {
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
