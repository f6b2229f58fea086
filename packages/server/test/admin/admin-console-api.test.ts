import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminCompanyView, AdminSessionView, AdminUserView, Page, StandardTokenPair } from '@duotoken/protocol';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, refresh, SETUP, sidOf, startSecurityServer } from '../security/helpers/security-server.js';

type User = AdminUserView;
type Company = AdminCompanyView;
type AdminSession = AdminSessionView;

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** The admin API additions of #16 (the admin console) as a platform admin uses them, over HTTP. */
describe('admin API: console additions', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let acme: number;
  let globex: number;
  const get = <T>(path: string) => call<T>(server, 'GET', path, { headers: admin });
  const send = <T>(method: string, path: string, json?: unknown) => call<T>(server, method, path, { headers: admin, json });
  const loginWith = async (account: string, userAgent: string, extra: Record<string, unknown> = {}) => {
    const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', {
      json: { account, password: `${account}-password`, ...extra },
      headers: { 'user-agent': userAgent },
    });
    if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
    return res.body.data;
  };

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    const services = server.runtime.services;
    acme = (await services.admin.createCompany('Acme', SETUP)).id;
    globex = (await services.admin.createCompany('Globex', SETUP)).id;
    for (const [account, name] of [
      ['zoe', 'Zoe'],
      ['yann', 'yann'],
      ['xavi', 'Xavi'],
    ] as const) {
      server.clock.advance(10);
      await services.admin.createUser({ account, password: `${account}-password`, name }, SETUP);
      await services.admin.setMembership(account, acme, ['member'], SETUP, true);
    }
    await services.admin.setMembership('xavi', globex, ['admin'], SETUP);
    await services.admin.setUserStatus('yann', 'disabled', SETUP);
    admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
  });
  afterAll(() => server.close());

  it('#16 users: filter by company and status, sort by name/account/created_at either way, with total and next_offset', async () => {
    const ofAcme = await get<Page<User>>(`/admin/users?company_id=${acme}`);
    expect(ofAcme.body.data.items.map((u) => u.account)).toEqual(['zoe', 'yann', 'xavi']);
    expect(ofAcme.body.data).toMatchObject({ total: 3, next_offset: null });
    const names = await get<Page<User>>(`/admin/users?company_id=${acme}&sort=name`);
    expect(names.body.data.items.map((u) => u.name)).toEqual(['Xavi', 'yann', 'Zoe']);
    const newest = await get<Page<User>>(`/admin/users?company_id=${acme}&sort=created_at&order=desc&limit=2`);
    expect(newest.body.data.items.map((u) => u.account)).toEqual(['xavi', 'yann']);
    expect(newest.body.data).toMatchObject({ total: 3, next_offset: 2 });
    const rest = await get<Page<User>>(`/admin/users?company_id=${acme}&sort=created_at&order=desc&limit=2&offset=2`);
    expect(rest.body.data).toMatchObject({ items: [{ account: 'zoe' }], total: 3, next_offset: null });
    expect((await get<Page<User>>(`/admin/users?status=disabled`)).body.data.items.map((u) => u.account)).toEqual(['yann']);
    expect((await get<Page<User>>(`/admin/users?company_id=${globex}`)).body.data.items.map((u) => u.account)).toEqual(['xavi']);
    expect((await get('/admin/users?sort=password_hash')).body.code).toBe('10001');
    expect((await get<Page<User>>('/admin/users?company_id=987654')).body.data).toEqual({ items: [], total: 0, next_offset: null });
  });

  it('#16 users: rename (audited user.update), blank names refused; create straight into a company with roles', async () => {
    const renamed = await send<User>('PATCH', '/admin/users/zoe', { name: '  Zoë Z  ' });
    expect(renamed.body.data).toMatchObject({ account: 'zoe', name: 'Zoë Z' });
    expect((await get<User>('/admin/users/zoe')).body.data.name).toBe('Zoë Z');
    expect((await send('PATCH', '/admin/users/zoe', { name: '   ' })).body).toMatchObject({ code: '10001', data: { field: 'name' } });
    expect((await send('PATCH', '/admin/users/zoe', {})).body.code).toBe('10001');
    const events = await get<{ items: Array<{ details: Record<string, unknown>; subject_id: number }> }>('/admin/audit?type=admin.action');
    expect(events.body.data.items[0]).toMatchObject({
      subject_id: renamed.body.data.id,
      details: { action: 'user.update', fields: ['name'] },
    });

    const made = await send<User>('POST', '/admin/users', {
      account: 'walt',
      password: 'walt-password',
      company_id: globex,
      roles: ['ops'],
    });
    expect(made.status).toBe(200);
    expect((await get<{ companies: unknown[] }>('/admin/users/walt')).body.data.companies).toEqual([
      { id: globex, name: 'Globex', roles: ['ops'], is_default: true },
    ]);
    expect((await send('POST', '/admin/users', { account: 'wu', password: 'wu-password', company_id: 987654 })).status).toBe(404);
    expect((await send('POST', '/admin/users', { account: 'wu', password: 'wu-password', roles: ['ops'] })).body).toMatchObject({
      code: '10001',
      data: { field: 'company_id' },
    });
    expect((await get('/admin/users/wu')).status).toBe(404);
  });

  it('#16 companies: paged list with member counts, search and status filters, detail, members with roles', async () => {
    const list = await get<Page<Company>>('/admin/companies');
    expect(list.body.data.items.map((c) => [c.name, c.members])).toEqual([
      ['Default', 1],
      ['Acme', 3],
      ['Globex', 2],
    ]);
    expect(list.body.data).toMatchObject({ total: 3, next_offset: null });
    expect((await get<Page<Company>>('/admin/companies?search=GLO')).body.data.items.map((c) => c.id)).toEqual([globex]);
    expect((await get<Page<Company>>('/admin/companies?limit=1&offset=1')).body.data).toMatchObject({
      items: [{ id: acme }],
      next_offset: 2,
    });
    expect((await get<Company>(`/admin/companies/${acme}`)).body.data).toMatchObject({
      id: acme,
      name: 'Acme',
      status: 'active',
      members: 3,
    });
    expect((await get(`/admin/companies/987654`)).status).toBe(404);
    const members = await get<Page<{ user: { account: string; status: string }; roles: string[]; is_default: boolean }>>(
      `/admin/companies/${globex}/members`,
    );
    expect(members.body.data).toEqual({
      items: [
        { user: expect.objectContaining({ account: 'xavi', status: 'active' }), roles: ['admin'], is_default: false },
        { user: expect.objectContaining({ account: 'walt', status: 'active' }), roles: ['ops'], is_default: true },
      ],
      total: 2,
      next_offset: null,
    });
  });

  it('#16 companies: rename; disabling revokes the sessions bound to it (row, fence, audit) and no others; enable again', async () => {
    const inGlobex = await loginWith('xavi', CHROME, { company_id: globex });
    const inAcme = await loginWith('xavi', CHROME, { company_id: acme });
    expect((await send<Company>('PATCH', `/admin/companies/${globex}`, { name: 'Globex Corp' })).body.data.name).toBe('Globex Corp');
    expect((await send('PATCH', `/admin/companies/${globex}`, {})).body.code).toBe('10001');
    const disabled = await send<Company>('PATCH', `/admin/companies/${globex}`, { status: 'disabled' });
    expect(disabled.body.data).toMatchObject({ name: 'Globex Corp', status: 'disabled' });
    expect((await me(server, inGlobex.access_token)).body.code).toBe('10028');
    expect((await refresh(server, inGlobex.refresh_token)).body.code).toBe('10024');
    expect((await me(server, inAcme.access_token)).status).toBe(200);
    expect((await login(server, 'xavi', 'xavi-password', { company_id: globex })).status).toBe(403);
    const revoked = await get<{ items: Array<{ session_id: string; subject_id: number | null; details: Record<string, unknown> }> }>(
      '/admin/audit?type=session.revoked&limit=1',
    );
    expect(revoked.body.data.items[0]).toMatchObject({
      session_id: sidOf(inGlobex.access_token),
      subject_id: null,
      details: { reason: 'company_disabled' },
    });
    expect((await get<Page<Company>>('/admin/companies?status=disabled')).body.data.items.map((c) => c.id)).toEqual([globex]);
    expect((await send<Company>('PATCH', `/admin/companies/${globex}`, { status: 'active' })).body.data.status).toBe('active');
    expect((await login(server, 'xavi', 'xavi-password', { company_id: globex })).status).toBe(200);
  });

  it('#16 sessions: every live session with its user and a readable device; filters by user, company, device type and IP', async () => {
    const phone = await loginWith('zoe', IPHONE, { device_type: 'ios' });
    server.clock.advance(1);
    await loginWith('zoe', CHROME, { device_type: 'web' });
    await loginWith('xavi', 'curl/8.5.0', { company_id: globex });
    const all = await get<Page<AdminSession>>('/admin/sessions?limit=200');
    const total = all.body.data.total;
    expect(all.body.data.items).toHaveLength(total);
    const zoe = await get<Page<AdminSession>>('/admin/sessions?user=zoe');
    expect(zoe.body.data.items.map((s) => [s.device_type, s.device])).toEqual([
      ['web', 'Chrome 156 on Linux'],
      ['ios', 'Safari 17 on iOS 17'],
    ]);
    expect(zoe.body.data.items[1]).toMatchObject({
      id: sidOf(phone.access_token),
      user: { account: 'zoe', name: 'Zoë Z' },
      company_id: acme,
      ip: '127.0.0.1',
      user_agent: IPHONE,
    });
    expect((await get<Page<AdminSession>>('/admin/sessions?user=zoe&device_type=ios')).body.data.total).toBe(1);
    const ofGlobex = await get<Page<AdminSession>>(`/admin/sessions?company_id=${globex}`);
    expect(ofGlobex.body.data.items[0]).toMatchObject({ user: { account: 'xavi' }, company_id: globex, device: 'curl 8.5.0' });
    expect(ofGlobex.body.data.items.every((s) => s.company_id === globex)).toBe(true);
    expect((await get<Page<AdminSession>>('/admin/sessions?ip=127.0.0.1')).body.data.total).toBe(total);
    expect((await get<Page<AdminSession>>('/admin/sessions?ip=10.9.9.9')).body.data).toEqual({ items: [], total: 0, next_offset: null });
    const paged = await get<Page<AdminSession>>('/admin/sessions?limit=1');
    expect(paged.body.data).toMatchObject({ total, next_offset: total > 1 ? 1 : null });
  });

  it('#16 the self-service session list carries the same readable device', async () => {
    const pair = await loginWith('zoe', IPHONE);
    const mine = await call<Array<{ id: string; device: string | null; current: boolean }>>(server, 'GET', '/auth/sessions', {
      headers: bearer(pair.access_token),
    });
    expect(mine.body.data.find((s) => s.current)).toMatchObject({ id: sidOf(pair.access_token), device: 'Safari 17 on iOS 17' });
  });

  it('#16 sessions: revoke one (its tokens stop at once, audited with its user); revoke many; unknown or ended ids are 404 / left out', async () => {
    const one = await loginWith('zoe', CHROME);
    const two = await loginWith('zoe', CHROME);
    const three = await loginWith('xavi', CHROME);
    const zoeId = (await get<User>('/admin/users/zoe')).body.data.id;
    expect((await send('DELETE', `/admin/sessions/${sidOf(one.access_token)}`)).status).toBe(200);
    expect((await me(server, one.access_token)).body.code).toBe('10028');
    expect((await refresh(server, one.refresh_token)).body.code).toBe('10024');
    const event = await get<{ items: Array<{ subject_id: number; details: Record<string, unknown> }> }>(
      `/admin/audit?type=session.revoked&session_id=${sidOf(one.access_token)}`,
    );
    expect(event.body.data.items[0]).toMatchObject({ subject_id: zoeId, details: { reason: 'revoked_by_admin', target_user: zoeId } });
    expect((await send('DELETE', `/admin/sessions/${sidOf(one.access_token)}`)).status).toBe(404);
    expect((await send('DELETE', '/admin/sessions/no-such-session')).status).toBe(404);

    const ids = [sidOf(two.access_token), sidOf(three.access_token)];
    const bulk = await send<{ revoked: string[] }>('POST', '/admin/sessions/revoke', {
      ids: [...ids, ids[0], sidOf(one.access_token), 'no-such-session'],
    });
    expect(bulk.body.data.revoked.sort()).toEqual([...ids].sort());
    for (const pair of [two, three]) expect((await me(server, pair.access_token)).body.code).toBe('10028');
    const tooMany = Array.from({ length: 201 }, (_, i) => `s${i}`);
    expect((await send('POST', '/admin/sessions/revoke', { ids: tooMany })).body.code).toBe('10001');
    expect((await send('POST', '/admin/sessions/revoke', { ids: [] })).body.code).toBe('10001');
  });

  it('#16 keys: state and age; rotation makes a new active key, keeps the old one published, and is audited', async () => {
    const before = await get<Array<{ kid: string; state: string; age_seconds: number; created_at: number }>>('/admin/keys');
    expect(before.body.data).toEqual([expect.objectContaining({ alg: 'EdDSA', state: 'active', retired_at: null })]);
    const [old] = before.body.data;
    expect(old!.age_seconds).toBe(Math.floor(server.clock.now() / 1000) - old!.created_at);
    const pair = await loginOk(server, 'zoe', 'zoe-password');
    server.clock.advance(5);
    const rotated = await send<{ kid: string; state: string; age_seconds: number }>('POST', '/admin/keys/rotate');
    expect(rotated.body.data).toMatchObject({ state: 'active', age_seconds: 0 });
    expect(rotated.body.data.kid).not.toBe(old!.kid);
    const after = await get<Array<{ kid: string; state: string }>>('/admin/keys');
    expect(after.body.data.map((k) => [k.kid, k.state]).sort()).toEqual(
      [
        [old!.kid, 'published'],
        [rotated.body.data.kid, 'active'],
      ].sort(),
    );
    expect((await me(server, pair.access_token)).status).toBe(200);
    const audit = await get<{ items: Array<{ actor_id: number; details: Record<string, unknown> }> }>('/admin/audit?type=keys.rotated');
    expect(audit.body.data.items[0]!.details).toEqual({ kid: rotated.body.data.kid });
    expect(audit.body.data.items[0]!.actor_id).toBeGreaterThan(0);
  });

  it('#16 overview: version, store, Redis and feed, live sessions, the last hour of logins, lockouts in force', async () => {
    server.clock.advance(3_601);
    admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    const ok = await loginWith('zoe', CHROME);
    for (let i = 0; i < 2; i++) await login(server, 'zoe', 'wrong-password');
    for (let i = 0; i < 10; i++) await login(server, 'no-such-account', 'wrong-password');
    const overview = await get<Record<string, unknown>>('/admin/overview');
    const live = (await get<Page<unknown>>('/admin/sessions')).body.data.total;
    expect(overview.body.data).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      store: 'sqlite',
      redis: { configured: false, connected: false },
      // The store poll reads every 250 ms: the fence is never far behind it.
      revocation_feed: { state: 'live', reason: null, lag_ms: expect.any(Number) },
      active_sessions: live,
      logins_last_hour: { success: 2, failure: 12 },
      lockouts_in_force: 1,
    });
    expect(live).toBeGreaterThan(0);
    await send('DELETE', `/admin/sessions/${sidOf(ok.access_token)}`);
    server.clock.advance(3_601);
    admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    const later = await get<{ logins_last_hour: unknown; lockouts_in_force: number; active_sessions: number }>('/admin/overview');
    expect(later.body.data).toMatchObject({ logins_last_hour: { success: 1, failure: 0 }, lockouts_in_force: 0, active_sessions: live });
  });

  it('#16 the OpenAPI document describes every admin route with its parameters and answer', async () => {
    const doc = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, unknown> }>>;
    };
    const expected: Record<string, string[]> = {
      '/admin/whoami': ['get'],
      '/admin/users': ['get', 'post'],
      '/admin/users/{user}': ['get', 'patch'],
      '/admin/companies': ['get', 'post'],
      '/admin/companies/{id}': ['get', 'patch'],
      '/admin/companies/{id}/members': ['get'],
      '/admin/sessions': ['get'],
      '/admin/sessions/{id}': ['delete'],
      '/admin/sessions/revoke': ['post'],
      '/admin/audit': ['get'],
      '/admin/audit.csv': ['get'],
      '/admin/keys': ['get'],
      '/admin/keys/rotate': ['post'],
      '/admin/overview': ['get'],
    };
    for (const [path, methods] of Object.entries(expected))
      for (const method of methods) {
        const op = doc.paths[path]?.[method];
        expect(op, `${method} ${path}`).toBeDefined();
        expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '403', '404']));
      }
    const names = (path: string) => doc.paths[path]!.get!.parameters!.map((p) => p.name);
    expect(names('/admin/sessions')).toEqual(expect.arrayContaining(['user', 'company_id', 'device_type', 'ip', 'limit', 'offset']));
    expect(names('/admin/users')).toEqual(expect.arrayContaining(['search', 'company_id', 'status', 'sort', 'order', 'limit', 'offset']));
    expect(names('/admin/audit')).toEqual(expect.arrayContaining(['actor', 'subject', 'type', 'outcome', 'since', 'until', 'before_id']));
    const csv = doc.paths['/admin/audit.csv']!.get!.responses['200'] as { content: Record<string, unknown> };
    expect(Object.keys(csv.content)).toEqual(['text/csv']);
    const sessions = JSON.stringify(doc.paths['/admin/sessions']!.get!.responses['200']);
    for (const field of ['device', 'user_agent', 'last_used_at', 'next_offset', 'total']) expect(sessions).toContain(`"${field}"`);
  });
});
