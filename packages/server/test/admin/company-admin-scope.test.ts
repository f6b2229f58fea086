import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Answer } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, SETUP, sidOf, startSecurityServer } from '../security/helpers/security-server.js';

type Page<T> = { items: T[]; total: number; next_offset: number | null };

/**
 * #16 company admins (role `admin` in a company) over HTTP, as the attacker:
 * an admin of company A must not read, change, revoke or even learn of
 * company B's users, sessions and company (CWE-639 IDOR, CWE-285; OWASP
 * API1:2023 BOLA). Out of scope answers 404/10044 exactly as for ids that do
 * not exist; visible but not wholly theirs answers 403/10030.
 */
describe('admin API: company admins stay inside their companies', () => {
  let server: TestServer;
  let root: Record<string, string>;
  let alice: Record<string, string>;
  let a: number;
  let b: number;
  let bobId: number;
  const sid = {} as Record<'amy' | 'bob' | 'bothA' | 'bothB' | 'root2', string>;
  const token = {} as Record<'bob' | 'bothB', string>;
  const as = (headers: Record<string, string>) => ({
    get: <T>(path: string) => call<T>(server, 'GET', path, { headers }),
    send: <T>(method: string, path: string, json?: unknown) => call<T>(server, method, path, { headers, json }),
  });

  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    const admin = server.runtime.services.admin;
    a = (await admin.createCompany('Acme', SETUP)).id;
    b = (await admin.createCompany('Bravo', SETUP)).id;
    const user = async (account: string, memberships: Array<[number, string[]]>, isAdmin = false) => {
      const created = await admin.createUser({ account, password: `${account}-password`, isAdmin }, SETUP);
      for (const [company, roles] of memberships) await admin.setMembership(account, company, roles, SETUP);
      return created.id;
    };
    await user('alice', [[a, ['admin']]]);
    await user('bert', [[b, ['admin']]]);
    await user('amy', [[a, ['member']]]);
    bobId = await user('bob', [[b, ['member']]]);
    await user('both', [
      [a, ['member']],
      [b, ['member']],
    ]);
    await user('root2', [[a, ['member']]], true);
    root = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);
    alice = bearer((await loginOk(server, 'alice', 'alice-password', { company_id: a })).access_token);
    sid.amy = sidOf((await loginOk(server, 'amy', 'amy-password', { company_id: a })).access_token);
    const bob = await loginOk(server, 'bob', 'bob-password', { company_id: b });
    [sid.bob, token.bob] = [sidOf(bob.access_token), bob.access_token];
    sid.bothA = sidOf((await loginOk(server, 'both', 'both-password', { company_id: a })).access_token);
    const bothB = await loginOk(server, 'both', 'both-password', { company_id: b });
    [sid.bothB, token.bothB] = [sidOf(bothB.access_token), bothB.access_token];
    sid.root2 = sidOf((await loginOk(server, 'root2', 'root2-password', { company_id: a })).access_token);
  });
  afterAll(() => server.close());

  /** Status, code and data of an answer: what an attacker can compare. */
  const seen = (res: Answer) => ({ status: res.status, code: res.body.code, data: res.body.data });

  it('#16 whoami tells the console what the caller administers: platform, companies, or nothing', async () => {
    expect((await as(alice).get('/admin/whoami')).body.data).toEqual({ platform_admin: false, company_admin_of: [a] });
    expect((await as(root).get('/admin/whoami')).body.data).toEqual({ platform_admin: true, company_admin_of: [1] });
    const amy = bearer((await loginOk(server, 'amy', 'amy-password')).access_token);
    expect(seen(await as(amy).get('/admin/whoami'))).toMatchObject({ status: 200, data: { platform_admin: false, company_admin_of: [] } });
    expect((await as(amy).get('/admin/users')).body.code).toBe('10030');
  });

  /** Routes naming B's user `bob` (by account and by id): each must answer as for a user that does not exist. */
  const OUT_OF_SCOPE_USER: Array<[string, string, unknown?]> = [
    ['GET', '/admin/users/{u}'],
    ['PATCH', '/admin/users/{u}', { name: 'Pwned' }],
    ['POST', '/admin/users/{u}/disable'],
    ['POST', '/admin/users/{u}/enable'],
    ['POST', '/admin/users/{u}/password', { password: 'attacker-chosen-1' }],
    ['POST', '/admin/users/{u}/unlock'],
    ['GET', '/admin/users/{u}/sessions'],
    ['DELETE', '/admin/users/{u}/sessions'],
    ['DELETE', '/admin/users/{u}/sessions/{bobSession}'],
    ['PUT', '/admin/users/{u}/memberships/{a}', { roles: ['admin'] }],
    ['DELETE', '/admin/users/{u}/memberships/{b}'],
  ];
  const fill = (path: string, u: string) =>
    path.replace('{u}', u).replace('{a}', String(a)).replace('{b}', String(b)).replace('{bobSession}', sid.bob);

  it.each(OUT_OF_SCOPE_USER)(
    "#16 IDOR (CWE-639): %s %s on company B's user answers 404 exactly as for no such user, and changes nothing",
    async (method, path, json) => {
      for (const [target, missing] of [
        ['bob', 'no-such-user'],
        [String(bobId), '987654'],
      ]) {
        const attempt = seen(await as(alice).send(method, fill(path, target!), json));
        expect(attempt, `${method} ${path} as ${target}`).toEqual(seen(await as(alice).send(method, fill(path, missing!), json)));
        expect(attempt.status).toBe(404);
        expect(attempt.code).toBe('10044');
      }
      const bob = (await as(root).get<{ name: string; status: string; companies: unknown[] }>('/admin/users/bob')).body.data;
      expect(bob).toMatchObject({ name: 'bob', status: 'active', companies: [{ id: b, roles: ['member'] }] });
      expect((await me(server, token.bob)).status).toBe(200);
      expect((await login(server, 'bob', 'bob-password')).status).toBe(200);
    },
  );

  /** Routes on users alice can see but not wholly manage: `both` (also in B) and `root2` (a platform admin in A). */
  const NOT_WHOLLY_THEIRS: Array<[string, string, unknown?]> = [
    ['PATCH', '/admin/users/{u}', { name: 'Pwned' }],
    ['POST', '/admin/users/{u}/disable'],
    ['POST', '/admin/users/{u}/enable'],
    ['POST', '/admin/users/{u}/password', { password: 'attacker-chosen-1' }],
    ['POST', '/admin/users/{u}/unlock'],
    ['DELETE', '/admin/users/{u}/sessions'],
  ];

  it.each(NOT_WHOLLY_THEIRS)(
    '#16 (CWE-285): %s %s is refused (403) for a member of another company too, and for a platform admin',
    async (method, path, json) => {
      for (const target of ['both', 'root2']) {
        const res = await as(alice).send(method, fill(path, target), json);
        expect(seen(res), `${method} ${path} as ${target}`).toMatchObject({ status: 403, code: '10030' });
      }
      expect((await as(root).get<{ name: string; status: string }>('/admin/users/both')).body.data).toMatchObject({
        name: 'both',
        status: 'active',
      });
      expect((await me(server, token.bothB)).status).toBe(200);
    },
  );

  it('#16 a user in A and B shows only their A membership to an admin of A', async () => {
    const detail = await as(alice).get<{ companies: Array<{ id: number }> }>('/admin/users/both');
    expect(detail.body.data.companies.map((c) => c.id)).toEqual([a]);
    const sessions = await as(alice).get<Array<{ id: string }>>('/admin/users/both/sessions');
    expect(sessions.body.data.map((s) => s.id)).toEqual([sid.bothA]);
  });

  it('#16 IDOR: user listing and search show only members of A; a filter on company B answers as for no company', async () => {
    const all = await as(alice).get<Page<{ account: string }>>('/admin/users?limit=200');
    expect(all.body.data.items.map((u) => u.account).sort()).toEqual(['alice', 'amy', 'both', 'root2']);
    expect(all.body.data.total).toBe(4);
    const search = await as(alice).get<Page<unknown>>('/admin/users?search=bob');
    expect(search.body.data).toEqual({ items: [], total: 0, next_offset: null });
    const ofB = seen(await as(alice).get(`/admin/users?company_id=${b}`));
    expect(ofB).toEqual(seen(await as(alice).get('/admin/users?company_id=987654')));
    expect(ofB.status).toBe(404);
  });

  it('#16 IDOR: companies: only A is listed; B answers as a company that does not exist; no create, no disable', async () => {
    const list = await as(alice).get<Page<{ id: number }>>('/admin/companies');
    expect(list.body.data.items.map((c) => c.id)).toEqual([a]);
    expect(list.body.data.total).toBe(1);
    for (const [method, path, json] of [
      ['GET', '/admin/companies/{c}', undefined],
      ['PATCH', '/admin/companies/{c}', { name: 'Pwned' }],
      ['GET', '/admin/companies/{c}/members', undefined],
    ] as const) {
      const attempt = seen(await as(alice).send(method, path.replace('{c}', String(b)), json));
      expect(attempt, `${method} ${path}`).toEqual(seen(await as(alice).send(method, path.replace('{c}', '987654'), json)));
      expect(attempt.status).toBe(404);
    }
    expect((await as(root).get<{ name: string }>(`/admin/companies/${b}`)).body.data.name).toBe('Bravo');
    expect(seen(await as(alice).send('POST', '/admin/companies', { name: 'Mine' }))).toMatchObject({ status: 403, code: '10030' });
    expect(seen(await as(alice).send('PATCH', `/admin/companies/${a}`, { status: 'disabled' }))).toMatchObject({ status: 403 });
    expect((await me(server, token.bothB)).status).toBe(200);
    const renamed = await as(alice).send<{ name: string }>('PATCH', `/admin/companies/${a}`, { name: 'Acme Ltd' });
    expect(renamed.body.data.name).toBe('Acme Ltd');
  });

  it('#16 IDOR: sessions: only those bound to A are listed; B user and company filters answer as for none', async () => {
    const list = await as(alice).get<Page<{ id: string; company_id: number }>>('/admin/sessions?limit=200');
    const ids = list.body.data.items.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([sid.amy, sid.bothA, sid.root2]));
    expect(ids).not.toContain(sid.bob);
    expect(ids).not.toContain(sid.bothB);
    expect(list.body.data.items.every((s) => s.company_id === a)).toBe(true);
    expect(seen(await as(alice).get('/admin/sessions?user=bob'))).toEqual(seen(await as(alice).get('/admin/sessions?user=no-such-user')));
    expect((await as(alice).get<Page<unknown>>('/admin/sessions?user=bob')).body.data.total).toBe(0);
    const ofB = seen(await as(alice).get(`/admin/sessions?company_id=${b}`));
    expect(ofB).toEqual(seen(await as(alice).get('/admin/sessions?company_id=987654')));
    expect(ofB.status).toBe(404);
  });

  it("#16 IDOR: revoking B's sessions (one, in bulk, through a user in both) answers as for unknown sessions; they stay alive", async () => {
    for (const target of [sid.bob, sid.bothB]) {
      const attempt = seen(await as(alice).send('DELETE', `/admin/sessions/${target}`));
      expect(attempt).toEqual(seen(await as(alice).send('DELETE', '/admin/sessions/no-such-session')));
      expect(attempt.status).toBe(404);
    }
    const viaUser = seen(await as(alice).send('DELETE', `/admin/users/both/sessions/${sid.bothB}`));
    expect(viaUser).toEqual(seen(await as(alice).send('DELETE', '/admin/users/both/sessions/no-such-session')));
    expect(viaUser.status).toBe(404);
    const platformAdmins = await as(alice).send('DELETE', `/admin/sessions/${sid.root2}`);
    expect(seen(platformAdmins)).toMatchObject({ status: 403, code: '10030' });
    expect((await me(server, token.bob)).status).toBe(200);
    expect((await me(server, token.bothB)).status).toBe(200);

    const bulk = await as(alice).send<{ revoked: string[] }>('POST', '/admin/sessions/revoke', {
      ids: [sid.bob, sid.bothB, sid.root2, 'no-such-session', sid.amy],
    });
    expect(bulk.body.data).toEqual({ revoked: [sid.amy] });
    expect((await me(server, token.bob)).status).toBe(200);
    expect((await me(server, token.bothB)).status).toBe(200);
    const live = await as(root).get<Page<{ id: string }>>('/admin/sessions?limit=200');
    expect(live.body.data.items.map((s) => s.id)).toEqual(expect.arrayContaining([sid.bob, sid.bothB, sid.root2]));
    expect(live.body.data.items.map((s) => s.id)).not.toContain(sid.amy);
  });

  it("#16 memberships: an admin of A changes A's members only, never pulls in B's users, never touches B", async () => {
    expect(seen(await as(alice).send('PUT', `/admin/users/amy/memberships/${b}`, { roles: ['member'] }))).toMatchObject({ status: 404 });
    expect(seen(await as(alice).send('DELETE', `/admin/users/both/memberships/${b}`))).toMatchObject({ status: 404 });
    const changed = await as(alice).send('PUT', `/admin/users/both/memberships/${a}`, { roles: ['editor'] });
    expect(changed.status).toBe(200);
    const both = (await as(root).get<{ companies: Array<{ id: number; roles: string[] }> }>('/admin/users/both')).body.data;
    expect(both.companies).toEqual([
      expect.objectContaining({ id: a, roles: ['editor'] }),
      expect.objectContaining({ id: b, roles: ['member'] }),
    ]);
  });

  it('#16 creating users: company admins must name one of their companies and cannot create platform admins', async () => {
    const create = (json: Record<string, unknown>) =>
      as(alice).send<{ id: number; is_admin: boolean }>('POST', '/admin/users', { password: 'new-user-password', ...json });
    expect(seen(await create({ account: 'nc1' }))).toMatchObject({ status: 400, code: '10001', data: { field: 'company_id' } });
    expect(seen(await create({ account: 'nc2', company_id: b }))).toEqual(seen(await create({ account: 'nc2', company_id: 987654 })));
    expect((await create({ account: 'nc2', company_id: b })).status).toBe(404);
    expect(seen(await create({ account: 'nc3', company_id: a, is_admin: true }))).toMatchObject({ status: 403, code: '10030' });
    const made = await create({ account: 'nc4', company_id: a, roles: ['member'], name: 'New Four' });
    expect(made.body.data).toMatchObject({ account: 'nc4', is_admin: false });
    const detail = await as(alice).get<{ companies: unknown[] }>('/admin/users/nc4');
    expect(detail.body.data.companies).toEqual([{ id: a, name: 'Acme Ltd', roles: ['member'], is_default: true }]);
    for (const account of ['nc1', 'nc2', 'nc3']) expect((await as(root).get(`/admin/users/${account}`)).status).toBe(404);
  });

  it('#16 platform-only routes refuse a company admin: audit, CSV export, keys, rotation, overview', async () => {
    for (const [method, path] of [
      ['GET', '/admin/audit'],
      ['GET', '/admin/audit.csv'],
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys/rotate'],
      ['GET', '/admin/overview'],
    ] as const)
      expect(seen(await as(alice).send(method, path)), `${method} ${path}`).toMatchObject({ status: 403, code: '10030' });
    expect((await as(root).get<unknown[]>('/admin/keys')).body.data).toHaveLength(1);
  });

  it('#16 a company admin manages a member wholly theirs: rename, disable/enable, password, unlock, revoke', async () => {
    const amy = await loginOk(server, 'amy', 'amy-password', { company_id: a });
    expect((await as(alice).send<{ name: string }>('PATCH', '/admin/users/amy', { name: 'Amy A' })).body.data.name).toBe('Amy A');
    expect((await as(alice).send('POST', '/admin/users/amy/unlock')).status).toBe(200);
    expect((await as(alice).send<{ revoked: number }>('DELETE', '/admin/users/amy/sessions')).body.data.revoked).toBeGreaterThan(0);
    expect((await me(server, amy.access_token)).body.code).toBe('10028');
    expect((await as(alice).send('POST', '/admin/users/amy/password', { password: 'amy-new-password' })).status).toBe(200);
    expect((await as(alice).send<{ status: string }>('POST', '/admin/users/amy/disable')).body.data.status).toBe('disabled');
    expect((await as(alice).send<{ status: string }>('POST', '/admin/users/amy/enable')).body.data.status).toBe('active');
    expect((await login(server, 'amy', 'amy-new-password')).status).toBe(200);
  });

  it('#16 rights are read from the database on every call: a demoted company admin is refused at once, token unchanged', async () => {
    const admin = server.runtime.services.admin;
    const elsewhere = (await admin.createCompany('Charlie', SETUP)).id;
    await admin.createUser({ account: 'carl', password: 'carl-password' }, SETUP);
    await admin.setMembership('carl', a, ['admin'], SETUP);
    await admin.setMembership('carl', elsewhere, ['member'], SETUP);
    // Carl's session is bound to another company, so changing his roles in A fences nothing: only the per-call read can refuse him.
    const carl = (await loginOk(server, 'carl', 'carl-password', { company_id: elsewhere })).access_token;
    expect((await as(bearer(carl)).get('/admin/users/amy')).status).toBe(200);
    await admin.setMembership('carl', a, ['member'], SETUP);
    expect((await me(server, carl)).status).toBe(200);
    expect(seen(await as(bearer(carl)).get('/admin/users/amy'))).toMatchObject({ status: 403, code: '10030' });
    await admin.setMembership('carl', a, ['admin'], SETUP);
    expect((await as(bearer(carl)).get('/admin/users/amy')).status).toBe(200);
    await admin.companies.update(a, { status: 'disabled' }, SETUP);
    expect(seen(await as(bearer(carl)).get('/admin/users/amy'))).toMatchObject({ status: 403, code: '10030' });
    await admin.companies.update(a, { status: 'active' }, SETUP);
  });
});
