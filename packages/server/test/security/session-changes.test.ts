import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeRuleFor } from '../../src/auth/login-service.js';
import type { Services } from '../../src/services.js';
import { REVOCATION_REASONS, type RevocationReason } from '../../src/sessions/session-states.js';
import type { StoreTarget } from '../store/store-targets.js';
import { openPostgresTarget, openSqliteTarget, PG_URL, warnNotRun } from '../store/store-targets.js';
import { wireServices, type WiredServices } from '../helpers/wire-services.js';

const client = { ip: '198.51.100.7', userAgent: 'session-changes test' };
const CLI = { userId: null, ip: null };
const PASSWORD = 'Correct-Horse-7-Battery';

/** The service layer with session limits on, so the two login reasons can happen too. */
function wire(open: () => Promise<StoreTarget>): Promise<WiredServices> {
  return wireServices(open, {
    DUOTOKEN_CAPTCHA: 'off',
    DUOTOKEN_SESSIONS_MAX_PER_USER: '3',
    DUOTOKEN_SESSIONS_SINGLE_DEVICE_TYPES: 'kiosk',
  });
}

async function newUser(services: Services, companyIds: number[]) {
  const now = services.clock.now();
  const account = `u${randomBytes(5).toString('hex')}`;
  const user = await services.store.createUser({
    account,
    name: account,
    passwordHash: await services.hasher.hash(PASSWORD),
    isAdmin: false,
    now,
  });
  for (const [i, companyId] of companyIds.entries())
    await services.store.upsertMembership({ userId: user.id, companyId, roles: ['staff'], isDefault: i === 0, now });
  return { id: user.id, account };
}

function login(services: Services, account: string, deviceType: string | null = null) {
  return services.login.login({
    account,
    password: PASSWORD,
    dialect: 'standard',
    challenge: challengeRuleFor('off'),
    client: { ...client, deviceType },
  });
}

/** The `session.revoked` events naming `sessionId`, as stored. */
async function revokedEvents(services: Services, sessionId: string) {
  const events = await services.store.queryAuditEvents({ type: 'session.revoked', limit: 1000 });
  return events.map((e) => JSON.parse(e.details) as { sessions: string[]; reason: string }).filter((d) => d.sessions.includes(sessionId));
}

/** Makes every write of a `session.revoked` event fail, as a full disk or a lost connection would, on the real database. */
async function breakRevocationAudit(target: StoreTarget): Promise<void> {
  const db = target.store.opened.db;
  if (target.name === 'sqlite')
    await sql`create trigger no_revocation_audit before insert on audit_events when new.type = 'session.revoked'
              begin select raise(abort, 'audit unavailable'); end`.execute(db);
  else {
    await sql`create function no_revocation_audit() returns trigger language plpgsql as $$
              begin if new.type = 'session.revoked' then raise exception 'audit unavailable'; end if; return new; end $$`.execute(db);
    await sql`create trigger no_revocation_audit before insert on audit_events for each row execute function no_revocation_audit()`.execute(
      db,
    );
  }
}

async function repairRevocationAudit(target: StoreTarget): Promise<void> {
  const db = target.store.opened.db;
  await sql`drop trigger no_revocation_audit${target.name === 'sqlite' ? sql`` : sql` on audit_events`}`.execute(db);
  if (target.name === 'postgres') await sql`drop function no_revocation_audit()`.execute(db);
}

function sessionChanges(open: () => Promise<StoreTarget>) {
  let wired: WiredServices;
  let services: Services;
  let companies: number[];
  beforeAll(async () => {
    wired = await wire(open);
    services = wired.services;
    const now = wired.clock.now();
    companies = [(await services.store.createCompany({ name: 'A', now })).id, (await services.store.createCompany({ name: 'B', now })).id];
  });
  afterAll(() => wired?.dispose());

  /** Each way a session ends, driven through the service that does it; returns the sessions it must have ended. */
  const ways: Record<RevocationReason, () => Promise<string[]>> = {
    logout: async () => {
      const u = await newUser(services, companies);
      const s = await login(services, u.account);
      await services.sessions.logout(s.sessionId, client, u.id);
      return [s.sessionId];
    },
    logout_all: async () => {
      const u = await newUser(services, companies);
      const [a, b] = [await login(services, u.account), await login(services, u.account)];
      await services.sessions.logoutAll(u.id, client);
      return [a.sessionId, b.sessionId];
    },
    revoked_by_user: async () => {
      const u = await newUser(services, companies);
      const [, other] = [await login(services, u.account), await login(services, u.account)];
      await services.sessions.revokeOwn(u.id, other.sessionId, client);
      return [other.sessionId];
    },
    password_changed: async () => {
      const u = await newUser(services, companies);
      const [current, other] = [await login(services, u.account), await login(services, u.account)];
      await services.passwords.change(u.id, current.sessionId, PASSWORD, 'Another-Horse-8-Staple', client);
      return [other.sessionId];
    },
    password_reset: async () => {
      const u = await newUser(services, companies);
      const s = await login(services, u.account);
      await services.admin.resetPassword(u.id, 'Another-Horse-8-Staple', CLI);
      return [s.sessionId];
    },
    user_disabled: async () => {
      const u = await newUser(services, companies);
      const s = await login(services, u.account);
      await services.admin.setUserStatus(u.id, 'disabled', CLI);
      return [s.sessionId];
    },
    membership_removed: async () => {
      const u = await newUser(services, companies);
      const s = await login(services, u.account);
      await services.admin.removeMembership(u.id, s.companyId!, CLI);
      return [s.sessionId];
    },
    company_disabled: async () => {
      const company = await services.store.createCompany({ name: `C${randomBytes(3).toString('hex')}`, now: wired.clock.now() });
      const u = await newUser(services, [company.id]);
      const s = await login(services, u.account);
      await services.admin.companies.update(company.id, { status: 'disabled' }, CLI);
      return [s.sessionId];
    },
    revoked_by_admin: async () => {
      const u = await newUser(services, companies);
      const [a, b] = [await login(services, u.account), await login(services, u.account)];
      await services.admin.sessions.revoke(a.sessionId, CLI);
      await services.admin.revokeUserSessions(u.id, undefined, CLI);
      return [a.sessionId, b.sessionId];
    },
    refresh_reuse: async () => {
      const u = await newUser(services, companies);
      const s = await login(services, u.account);
      const next = await services.refresh.refresh(s.refreshToken, { client });
      await services.refresh.refresh(next.refreshToken, { client });
      // Two generations back: reuse, whatever the time.
      await expect(services.refresh.refresh(s.refreshToken, { client })).rejects.toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
      return [s.sessionId];
    },
    device_replaced: async () => {
      const u = await newUser(services, companies);
      const first = await login(services, u.account, 'kiosk');
      await login(services, u.account, 'Kiosk');
      return [first.sessionId];
    },
    mfa_reset: async () => {
      const u = await newUser(services, companies);
      const [a, b] = [await login(services, u.account), await login(services, u.account)];
      await services.admin.resetMfa(u.id, CLI);
      return [a.sessionId, b.sessionId];
    },
    session_limit: async () => {
      const u = await newUser(services, companies);
      const oldest = await login(services, u.account);
      wired.clock.advance(1);
      for (let i = 0; i < 3; i++) await login(services, u.account);
      return [oldest.sessionId];
    },
  };

  it.each(Object.keys(REVOCATION_REASONS) as RevocationReason[])(
    '#14.3 %s: the row is revoked with its reason, one session.revoked event names it, and its access tokens are fenced at once (CWE-778, CWE-613)',
    async (reason) => {
      const ended = await ways[reason]();
      for (const sid of ended) {
        const row = await services.store.findSession(sid);
        expect(row).toMatchObject({ revoke_reason: reason });
        expect(row!.revoked_at).not.toBeNull();
        expect(await revokedEvents(services, sid)).toEqual([expect.objectContaining({ reason })]);
        expect(services.fence.check(sid, row!.version)).toBe('revoked');
      }
    },
  );

  it('#14.3 a revocation whose session.revoked event cannot be written does not happen: the rows stay as they were (CWE-778)', async () => {
    const u = await newUser(services, companies);
    const [current, other] = [await login(services, u.account), await login(services, u.account)];
    await breakRevocationAudit(wired.target);
    try {
      await expect(services.sessions.logout(other.sessionId, client, u.id)).rejects.toBeDefined();
      await expect(services.admin.setUserStatus(u.id, 'disabled', CLI)).rejects.toBeDefined();
      await expect(services.passwords.change(u.id, current.sessionId, PASSWORD, 'Another-Horse-8-Staple', client)).rejects.toBeDefined();
    } finally {
      await repairRevocationAudit(wired.target);
    }
    for (const sid of [current.sessionId, other.sessionId])
      expect(await services.store.findSession(sid)).toMatchObject({ revoked_at: null });
    expect(await services.store.findUserById(u.id)).toMatchObject({ status: 'active' });
    // The password did not change either: the old one still logs in.
    await expect(login(services, u.account)).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('#14.3 the fence is recorded once the transaction has ended, committed or rolled back, never before (docs/architecture.md "Ending a session")', async () => {
    const u = await newUser(services, companies);
    const [committed, rolledBack] = [await login(services, u.account), await login(services, u.account)];
    const { store, changes, fence } = services;
    const seenInside: string[] = [];
    await store.transaction(async (tx) => {
      await changes.revoke({ id: committed.sessionId }, 'revoked_by_admin', CLI, tx);
      seenInside.push(fence.check(committed.sessionId, 1));
    });
    expect(seenInside).toEqual(['ok']);
    expect(fence.check(committed.sessionId, 1)).toBe('revoked');

    const failure = new Error('a later step of the same transaction failed');
    await expect(
      store.transaction(async (tx) => {
        await changes.revoke({ id: rolledBack.sessionId }, 'revoked_by_admin', CLI, tx);
        seenInside.push(fence.check(rolledBack.sessionId, 1));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(seenInside).toEqual(['ok', 'ok']);
    // Rolled back: the session lives on, but its access tokens are refused (fail closed, until the fence forgets it).
    expect(await store.findSession(rolledBack.sessionId)).toMatchObject({ revoked_at: null });
    expect(await revokedEvents(services, rolledBack.sessionId)).toEqual([]);
    expect(fence.check(rolledBack.sessionId, 1)).toBe('revoked');
  });

  it('#14.3 a role change and a company switch re-version the rows and fence the older access tokens once their transaction has ended', async () => {
    const u = await newUser(services, companies);
    const [a, b] = [await login(services, u.account), await login(services, u.account)];
    await services.admin.setMembership(u.id, companies[0]!, ['staff', 'auditor'], CLI);
    for (const s of [a, b]) {
      expect(await services.store.findSession(s.sessionId)).toMatchObject({ version: 2 });
      expect(services.fence.check(s.sessionId, 1)).toBe('stale');
      expect(services.fence.check(s.sessionId, 2)).toBe('ok');
    }
    const principal = {
      userId: u.id,
      sessionId: a.sessionId,
      companyId: companies[0]!,
      roles: [],
      isAdmin: false,
      amr: ['pwd'],
      authTime: null,
      claims: {} as never,
    };
    const switched = await services.tenancy.changeCompany(principal, companies[1]!, client);
    expect(switched.companyId).toBe(companies[1]);
    expect(await services.store.findSession(a.sessionId)).toMatchObject({ version: 3, company_id: companies[1] });
    expect(services.fence.check(a.sessionId, 2)).toBe('stale');
    expect(services.fence.check(a.sessionId, 3)).toBe('ok');
  });
}

describe('session changes: sqlite', () => {
  sessionChanges(openSqliteTarget);
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'session changes on PostgreSQL');
describe.skipIf(!PG_URL)('session changes: postgres (DUOTOKEN_TEST_PG_URL)', () => {
  sessionChanges(() => openPostgresTarget(PG_URL!));
});
