import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { wireServices } from '../helpers/wire-services.js';
import { connectPg, openPostgresTarget, openSqliteTarget, PG_URL, warnNotRun, type StoreTarget } from './store-targets.js';

const client = { ip: '127.0.0.1', userAgent: 'test' };

async function newSession(services: Services) {
  const { store, clock, issuer } = services;
  const now = clock.now();
  const user = await store.createUser({ account: `u${randomBytes(4).toString('hex')}`, name: 'U', passwordHash: 'h', isAdmin: false, now });
  const session = {
    id: randomBytes(12).toString('base64url'),
    user_id: user.id,
    company_id: null,
    version: 1,
    dialect: 'standard',
    device_type: null,
    ip: null,
    user_agent: null,
    created_at: now,
    last_used_at: now,
    expires_at: now + 86_400_000,
    revoked_at: null,
    revoke_reason: null,
    fenced_at: now,
  };
  await store.createSession(session);
  const first = await issuer.insertRefreshToken(store, session);
  return { session, first };
}

/** Concurrent refreshes of one token converge on one successor (SPEC §2), on every database. */
function refreshConcurrency(open: () => Promise<StoreTarget>) {
  let services: Services;
  let target: StoreTarget;
  beforeAll(async () => {
    ({ services, target } = await wireServices(open));
  });
  afterAll(() => target?.dispose());

  it('25 concurrent refreshes of one token all get the same successor, and only one successor exists', async () => {
    const { session, first } = await newSession(services);
    const results = await Promise.all(Array.from({ length: 25 }, () => services.refresh.refresh(first.token, { client })));
    const successors = new Set(results.map((r) => r.refreshToken));
    expect(successors.size).toBe(1);
    expect([...successors][0]).not.toBe(first.token);
    const now = services.clock.now();
    expect(await services.store.countLiveRefreshTokens(session.id, now)).toBe(1);
    const live = await services.store.findLiveRefreshToken(session.id, now);
    expect(services.issuer.tokenOf(live!.jti)).toBe([...successors][0]);
    expect((await services.store.findRefreshToken(first.jti))?.successor_jti).toBe(live!.jti);
  });

  it('#14.8 a company switch and a refresh of the same session at once both succeed and leave one branch (a deadlock on PostgreSQL, found by the session model)', async () => {
    const now = services.clock.now();
    const company = await services.store.createCompany({ name: `C${randomBytes(3).toString('hex')}`, now });
    for (let round = 0; round < 10; round++) {
      const { session, first } = await newSession(services);
      await services.store.upsertMembership({ userId: session.user_id, companyId: company.id, roles: [], isDefault: true, now });
      const principal = {
        userId: session.user_id,
        sessionId: session.id,
        companyId: null,
        roles: [],
        isAdmin: false,
        amr: ['pwd'],
        authTime: null,
        claims: {} as never,
      };
      const [refreshed, switched] = await Promise.allSettled([
        services.refresh.refresh(first.token, { client }),
        services.tenancy.changeCompany(principal, company.id, client),
      ]);
      expect([refreshed.status, switched.status]).toEqual(['fulfilled', 'fulfilled']);
      expect(await services.store.countLiveRefreshTokens(session.id, services.clock.now())).toBe(1);
    }
  });

  it('after the grace window the same token is reuse: the session is revoked', async () => {
    // A 1 s window: on PostgreSQL it is measured on the database's clock, so real time must pass.
    const short = await wireServices(open, { DUOTOKEN_REFRESH_GRACE: '1s' });
    try {
      const { session, first } = await newSession(short.services);
      await short.services.refresh.refresh(first.token, { client });
      short.clock.advance(1.2);
      if (short.target.store.opened.traits.databaseClock) await new Promise((resolve) => setTimeout(resolve, 1_200));
      await expect(short.services.refresh.refresh(first.token, { client })).rejects.toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
      expect((await short.services.store.findSession(session.id))?.revoke_reason).toBe('refresh_reuse');
    } finally {
      await short.target.dispose();
    }
  });
}

describe('refresh concurrency: sqlite', () => {
  refreshConcurrency(openSqliteTarget);
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'refresh concurrency on PostgreSQL');
describe.skipIf(!PG_URL)('refresh concurrency: postgres (DUOTOKEN_TEST_PG_URL)', () => {
  refreshConcurrency(() => openPostgresTarget(PG_URL!, { poolSize: 12 }));

  it('a loser that meets the winner mid-transaction waits on the row lock, then gets the winner’s successor', async () => {
    // A name of its own, so lock waits of other test files on the same server are not counted.
    const applicationName = `duotoken-lock-${randomBytes(4).toString('hex')}`;
    const { services, target } = await wireServices(() => openPostgresTarget(PG_URL!, { applicationName }));
    let probe: Awaited<ReturnType<typeof connectPg>> | undefined;
    let release = () => {};
    let winner: Promise<{ token: string }> | undefined;
    let loser: Promise<{ refreshToken: string }> | undefined;
    try {
      probe = await connectPg(PG_URL!);
      const { session, first } = await newSession(services);
      let consumed!: () => void;
      const consumedSignal = new Promise<void>((resolve) => (consumed = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // The winner: the same steps as RefreshService.rotate, paused before COMMIT.
      winner = services.store.transaction(async (tx) => {
        const successor = services.issuer.newRefreshId();
        expect((await tx.rotateRefreshToken(first.jti, successor, services.clock.now(), 10_000)).state).toBe('unused');
        const next = await services.issuer.insertRefreshToken(tx, session, successor);
        consumed();
        await gate;
        return next;
      });
      await consumedSignal;
      loser = services.refresh.refresh(first.token, { client });
      let waiting = 0;
      for (let i = 0; i < 300 && waiting === 0; i++) {
        const r = await probe.query<{ n: string }>(
          "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and application_name = $1",
          [applicationName],
        );
        waiting = Number(r.rows[0]!.n);
        if (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(waiting).toBe(1);
      release();
      const next = await winner;
      expect((await loser).refreshToken).toBe(next.token);
      expect(await services.store.countLiveRefreshTokens(session.id, services.clock.now())).toBe(1);
    } finally {
      release();
      await Promise.allSettled([winner, loser]);
      await probe?.end();
      await target.dispose();
    }
  });
});
