import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEventView } from '../../src/admin/admin-service.js';
import { buildProgram } from '../../src/cli/program.js';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, refresh, SETUP, sidOf, startSecurityServer } from '../security/helpers/security-server.js';

type AuditPage = { items: AuditEventView[]; next_before_id: number | null };

/**
 * The audit trail (OWASP ASVS 5.0 V16.3.1-V16.3.3 security events logged;
 * NIST SP 800-92): every security event in the database, queryable by
 * admins with filters, and written as a structured log line.
 */
describe('audit trail', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let userId: number;
  let sessionId: string;
  let startedAt: number;
  const audit = (query = '') => call<AuditPage>(server, 'GET', `/admin/audit${query}`, { headers: admin });

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_REFRESH_GRACE: '0' });
    startedAt = Math.floor(server.clock.now() / 1000);
    const services = server.runtime.services;
    userId = (await services.admin.createUser({ account: 'ruth', password: 'ruth-password' }, SETUP)).id;
    const other = (await services.admin.createCompany('Other', SETUP)).id;
    await services.admin.setMembership('ruth', other, ['member'], SETUP);
    server.clock.advance(60);
    // One of each event, through HTTP.
    for (let i = 0; i < 10; i++) await login(server, 'ruth', 'wrong-password');
    server.clock.advance(60);
    const pair = await loginOk(server, 'ruth', 'ruth-password');
    sessionId = sidOf(pair.access_token);
    await call(server, 'POST', '/auth/change-company', { headers: bearer(pair.access_token), json: { company_id: other } });
    const second = await loginOk(server, 'ruth', 'ruth-password');
    await call(server, 'POST', '/auth/password', {
      headers: bearer(second.access_token),
      json: { old_password: 'ruth-password', new_password: 'ruth-new-password' },
    });
    const third = await loginOk(server, 'ruth', 'ruth-new-password');
    await refresh(server, third.refresh_token);
    server.clock.advance(1);
    // Reuse after the (zero) grace window.
    await refresh(server, third.refresh_token);
    admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    await call(server, 'POST', '/admin/users/ruth/unlock', { headers: admin });
  });
  afterAll(() => server.close());

  it('records logins, failures, lockout, company switch, password change, revocation, reuse and admin actions', async () => {
    const types = new Set((await audit('?limit=500')).body.data.items.map((e) => e.type));
    for (const type of [
      'login.success',
      'login.failure',
      'login.locked',
      'company.switched',
      'password.changed',
      'session.revoked',
      'refresh.reuse_detected',
      'admin.action',
    ])
      expect(types, type).toContain(type);
  });

  it('filters by type, user, session and time, newest first, paged by before_id', async () => {
    const failures = (await audit(`?type=login.failure&user_id=${userId}`)).body.data.items;
    expect(failures).toHaveLength(10);
    expect(failures.every((e) => e.type === 'login.failure' && e.user_id === userId)).toBe(true);
    expect(failures[0]!.id).toBeGreaterThan(failures[1]!.id);

    const ofSession = (await audit(`?session_id=${sessionId}`)).body.data.items;
    expect(ofSession.map((e) => e.type).sort()).toEqual(['company.switched', 'login.success', 'session.revoked']);

    const early = (await audit(`?since=${startedAt}&until=${startedAt + 61}`)).body.data.items;
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((e) => e.at >= startedAt && e.at < startedAt + 61)).toBe(true);
    expect(early.some((e) => e.type === 'login.success')).toBe(false);

    const page1 = (await audit('?limit=3')).body.data;
    expect(page1.items).toHaveLength(3);
    const page2 = (await audit(`?limit=3&before_id=${page1.next_before_id}`)).body.data;
    expect(page2.items[0]!.id).toBeLessThan(page1.items[2]!.id);
    expect((await audit('?limit=1000')).body.code).toBe('10001');
  });

  it('admin actions name their actor; the lockout event names the user', async () => {
    const actions = (await audit('?type=admin.action')).body.data.items;
    const unlock = actions.find((e) => e.details.action === 'user.unlock');
    expect(unlock).toMatchObject({ user_id: 1, details: { user_id: userId } });
    const locked = (await audit('?type=login.locked')).body.data.items;
    expect(locked[0]).toMatchObject({ user_id: userId, details: { hard: false } });
  });

  it('each event is also a structured log line', () => {
    const lines = server.logs.map((l) => JSON.parse(l) as { audit?: { type: string; userId?: number } }).filter((l) => l.audit);
    expect(lines.some((l) => l.audit!.type === 'refresh.reuse_detected')).toBe(true);
    expect(lines.some((l) => l.audit!.type === 'login.locked' && l.audit!.userId === userId)).toBe(true);
  });

  it('the CLI reads the same trail and unlocks users (`duotoken audit`, `duotoken user unlock`)', async () => {
    const saved = { ...process.env };
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      Object.assign(process.env, { DUOTOKEN_DATA_DIR: server.dataDir, DUOTOKEN_LOG_LEVEL: 'silent' });
      await buildProgram().parseAsync(['node', 'duotoken', '--json', 'audit', '--type', 'login.locked', '--limit', '5']);
      const page = JSON.parse(out.pop()!) as AuditPage;
      expect(page.items[0]).toMatchObject({ type: 'login.locked', user_id: userId });

      for (let i = 0; i < 10; i++) await login(server, 'ruth', 'wrong-password');
      expect((await login(server, 'ruth', 'ruth-new-password')).body.code).toBe('10021');
      await buildProgram().parseAsync(['node', 'duotoken', '--json', 'user', 'unlock', 'ruth']);
      expect(JSON.parse(out.pop()!)).toEqual({ ok: true });
      expect((await login(server, 'ruth', 'ruth-new-password')).status).toBe(200);

      // The CLI judges expiry by the real clock and this server runs on a fake one: only the shape is checked.
      await buildProgram().parseAsync(['node', 'duotoken', '--json', 'sessions', 'list', 'ruth']);
      expect(Array.isArray(JSON.parse(out.pop()!))).toBe(true);
    } finally {
      write.mockRestore();
      process.env = saved;
    }
  });
});
