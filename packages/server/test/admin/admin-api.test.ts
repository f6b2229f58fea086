import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, SETUP, sidOf, startSecurityServer } from '../security/helpers/security-server.js';

interface User {
  id: number;
  account: string;
  status: string;
  is_admin: boolean;
}

/** The admin API (`/admin/…`, SPEC §3): platform admins only, standard envelope, schemas on every route. */
describe('admin API', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let plain: Record<string, string>;
  const get = <T>(path: string, headers = admin) => call<T>(server, 'GET', path, { headers });

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    await server.runtime.services.admin.createUser({ account: 'plain', password: 'plain-password' }, SETUP);
    plain = bearer((await loginOk(server, 'plain', 'plain-password')).access_token);
  });
  afterAll(() => server.close());

  const ROUTES: Array<[string, string, unknown?]> = [
    ['GET', '/admin/users'],
    ['POST', '/admin/users', { account: 'x-user', password: 'x-user-password' }],
    ['GET', '/admin/users/plain'],
    ['POST', '/admin/users/plain/disable'],
    ['POST', '/admin/users/plain/enable'],
    ['POST', '/admin/users/plain/password', { password: 'another-password' }],
    ['POST', '/admin/users/plain/unlock'],
    ['GET', '/admin/users/plain/sessions'],
    ['DELETE', '/admin/users/plain/sessions'],
    ['DELETE', '/admin/users/plain/sessions/some-session'],
    ['PUT', '/admin/users/plain/memberships/1', { roles: ['admin'] }],
    ['DELETE', '/admin/users/plain/memberships/1'],
    ['PATCH', '/admin/users/plain', { name: 'Renamed' }],
    ['GET', '/admin/companies'],
    ['POST', '/admin/companies', { name: 'Evil Corp' }],
    ['GET', '/admin/companies/1'],
    ['PATCH', '/admin/companies/1', { name: 'Evil Corp' }],
    ['GET', '/admin/companies/1/members'],
    ['GET', '/admin/sessions'],
    ['DELETE', '/admin/sessions/some-session'],
    ['POST', '/admin/sessions/revoke', { ids: ['some-session'] }],
    ['GET', '/admin/audit'],
    ['GET', '/admin/audit.csv'],
    ['GET', '/admin/keys'],
    ['POST', '/admin/keys/rotate'],
    ['GET', '/admin/overview'],
  ];

  it('every admin route refuses a non-admin (403/10030) and a missing token (401/10025), and changes nothing', async () => {
    for (const [method, path, json] of ROUTES) {
      const forbidden = await call(server, method, path, { headers: plain, json });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(forbidden.body.code).toBe('10030');
      const anonymous = await call(server, method, path, { json });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.body.code).toBe('10025');
    }
    expect((await login(server, 'plain', 'plain-password')).status).toBe(200);
    expect((await get<{ name: string }>('/admin/users/plain')).body.data.name).toBe('plain');
    expect((await get<{ name: string }>('/admin/companies/1')).body.data.name).toBe('Default');
    expect((await get<Array<{ kid: string }>>('/admin/keys')).body.data).toHaveLength(1);
    expect((await get<{ items: Array<{ name: string }> }>('/admin/companies')).body.data.items.map((c) => c.name)).not.toContain(
      'Evil Corp',
    );
  });

  it('users: create (409 on a duplicate), list with search and paging, get, disable/enable', async () => {
    for (const account of ['alpha', 'alpine', 'beta'])
      expect(
        (
          await call<User>(server, 'POST', '/admin/users', {
            headers: admin,
            json: { account, password: `${account}-password`, name: account.toUpperCase() },
          })
        ).status,
      ).toBe(200);
    const dup = await call(server, 'POST', '/admin/users', { headers: admin, json: { account: 'ALPHA', password: 'alpha-password-2' } });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('10040');

    const search = await get<{ items: User[]; next_offset: number | null }>('/admin/users?search=alp');
    expect(search.body.data.items.map((u) => u.account)).toEqual(['alpha', 'alpine']);
    const page1 = await get<{ items: User[]; next_offset: number | null }>('/admin/users?limit=2');
    expect(page1.body.data.items).toHaveLength(2);
    expect(page1.body.data.next_offset).toBe(2);
    const page2 = await get<{ items: User[]; next_offset: number | null }>(`/admin/users?limit=2&offset=${page1.body.data.next_offset}`);
    expect(page2.body.data.items[0]!.id).toBeGreaterThan(page1.body.data.items[1]!.id);
    expect((await get('/admin/users?limit=0')).body.code).toBe('10001');

    const one = await get<User & { companies: unknown[]; lockout: unknown }>('/admin/users/alpha');
    expect(one.body.data).toMatchObject({ account: 'alpha', status: 'active', is_admin: false, companies: [], lockout: { failures: 0 } });
    expect(JSON.stringify(one.body.data)).not.toContain('argon2');
    expect((await get(`/admin/users/${one.body.data.id}`)).body.data).toMatchObject({ account: 'alpha' });
    expect((await get('/admin/users/nobody')).status).toBe(404);

    expect((await call<User>(server, 'POST', '/admin/users/alpha/disable', { headers: admin })).body.data.status).toBe('disabled');
    expect((await login(server, 'alpha', 'alpha-password')).body.code).toBe('10022');
    expect((await call<User>(server, 'POST', '/admin/users/alpha/enable', { headers: admin })).body.data.status).toBe('active');
    expect((await login(server, 'alpha', 'alpha-password')).status).toBe(200);
  });

  it('an admin cannot disable themselves through the API', async () => {
    const res = await call(server, 'POST', '/admin/users/admin/disable', { headers: admin });
    expect(res.status).toBe(400);
    expect((await get('/admin/users/admin')).body.data).toMatchObject({ status: 'active' });
  });

  it('reset password: the old one stops working, every session ends', async () => {
    const pair = await loginOk(server, 'beta', 'beta-password');
    const res = await call(server, 'POST', '/admin/users/beta/password', { headers: admin, json: { password: 'beta-new-password' } });
    expect(res.status).toBe(200);
    expect((await login(server, 'beta', 'beta-password')).body.code).toBe('10020');
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) })).body.code).toBe('10028');
    expect((await login(server, 'beta', 'beta-new-password')).status).toBe(200);
  });

  it('companies and memberships: create, list, set roles, remove', async () => {
    const company = await call<{ id: number; name: string }>(server, 'POST', '/admin/companies', {
      headers: admin,
      json: { name: 'Initech' },
    });
    expect(company.body.data.name).toBe('Initech');
    expect((await get<{ items: Array<{ id: number }> }>('/admin/companies')).body.data.items.map((c) => c.id)).toContain(
      company.body.data.id,
    );
    const id = company.body.data.id;
    const set = await call(server, 'PUT', `/admin/users/alpine/memberships/${id}`, {
      headers: admin,
      json: { roles: ['auditor'], is_default: true },
    });
    expect(set.body.data).toEqual({ user_id: expect.any(Number), company_id: id, roles: ['auditor'], is_default: true });
    expect((await get<{ companies: unknown[] }>('/admin/users/alpine')).body.data.companies).toEqual([
      { id, name: 'Initech', roles: ['auditor'], is_default: true },
    ]);
    expect((await call(server, 'PUT', `/admin/users/alpine/memberships/9999`, { headers: admin, json: { roles: [] } })).status).toBe(404);
    expect(
      (await call(server, 'PUT', `/admin/users/alpine/memberships/${id}`, { headers: admin, json: { roles: ['bad role!'] } })).body.code,
    ).toBe('10001');
    expect((await call(server, 'DELETE', `/admin/users/alpine/memberships/${id}`, { headers: admin })).status).toBe(200);
    expect((await call(server, 'DELETE', `/admin/users/alpine/memberships/${id}`, { headers: admin })).status).toBe(404);
  });

  it("a user's sessions: list, revoke one (404 for another user's), revoke all", async () => {
    const a = await loginOk(server, 'alpine', 'alpine-password', { device_type: 'web' });
    const b = await loginOk(server, 'alpine', 'alpine-password', { device_type: 'android' });
    const list = await get<Array<{ id: string; device_type: string }>>('/admin/users/alpine/sessions');
    expect(list.body.data.map((s) => s.id).sort()).toEqual([sidOf(a.access_token), sidOf(b.access_token)].sort());
    const plainSession = (await get<Array<{ id: string }>>('/admin/users/plain/sessions')).body.data[0]!.id;
    expect((await call(server, 'DELETE', `/admin/users/alpine/sessions/${plainSession}`, { headers: admin })).status).toBe(404);
    expect((await call(server, 'GET', '/auth/me', { headers: plain })).status).toBe(200);

    expect((await call(server, 'DELETE', `/admin/users/alpine/sessions/${sidOf(a.access_token)}`, { headers: admin })).status).toBe(200);
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(a.access_token) })).body.code).toBe('10028');
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(b.access_token) })).status).toBe(200);
    const all = await call<{ revoked: number }>(server, 'DELETE', '/admin/users/alpine/sessions', { headers: admin });
    expect(all.body.data.revoked).toBe(1);
    expect((await call(server, 'GET', '/auth/me', { headers: bearer(b.access_token) })).body.code).toBe('10028');
  });

  it('the admin API is described in the OpenAPI document', async () => {
    const doc = (await (await server.fetch('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/admin/users', '/admin/users/{user}', '/admin/users/{user}/unlock', '/admin/audit', '/admin/companies'])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
