import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from './cli-process.js';

describe('duotoken CLI', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-cli-'));
  const env = { DUOTOKEN_ARGON2_MEMORY_KIB: '1024', DUOTOKEN_ARGON2_ITERATIONS: '1', DUOTOKEN_ADMIN_PASSWORD: 'admin-password-1' };
  const cli = (args: string[], stdin?: string) => runCli(args, { cwd, env, stdin });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('migrate brings the schema up and is idempotent', async () => {
    const first = await cli(['migrate', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0001_initial');
    const second = await cli(['migrate']);
    expect(second.stdout).toContain('up to date');
  });

  it('user add reads the password from stdin and prints the created record with --json', async () => {
    const res = await cli(['user', 'add', 'alice', '--password-stdin', '--name', 'Alice', '--json'], 'alice-password-1\n');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ account: 'alice', name: 'Alice', status: 'active', is_admin: false });
    expect(res.stdout).not.toContain('alice-password-1');
  });

  it('a duplicate account is a clear error on stderr with a non-zero exit', async () => {
    const res = await cli(['user', 'add', 'alice', '--password', 'another-password']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/CONFLICT/);
    expect(res.stdout).toBe('');
  });

  it('a weak password is refused', async () => {
    const res = await cli(['user', 'add', 'bob', '--password', 'short']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/INVALID_REQUEST.*min_length/);
  });

  it('company add, company list, member add and member remove', async () => {
    const added = await cli(['company', 'add', 'Acme', '--json']);
    const acme = JSON.parse(added.stdout) as { id: number; name: string };
    expect(acme).toMatchObject({ name: 'Acme', status: 'active' });
    const list = JSON.parse((await cli(['company', 'list', '--json'])).stdout) as Array<{ name: string }>;
    expect(list.map((c) => c.name)).toEqual(['Default', 'Acme']);
    const member = await cli(['member', 'add', 'alice', String(acme.id), '--role', 'admin', '--role', 'billing', '--json']);
    expect(JSON.parse(member.stdout)).toMatchObject({ company_id: acme.id, roles: ['admin', 'billing'] });
    expect((await cli(['member', 'remove', 'alice', String(acme.id)])).code).toBe(0);
    const again = await cli(['member', 'remove', 'alice', String(acme.id)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/NOT_FOUND/);
  });

  it('user list, disable and passwd', async () => {
    const users = JSON.parse((await cli(['user', 'list', '--json'])).stdout) as Array<{ account: string }>;
    expect(users.map((u) => u.account)).toEqual(['admin', 'alice']);
    const disabled = await cli(['user', 'disable', 'alice', '--json']);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ account: 'alice', status: 'disabled' });
    const passwd = await cli(['user', 'passwd', 'alice', '--password-stdin'], 'a-brand-new-password\n');
    expect(passwd.code).toBe(0);
    const missing = await cli(['user', 'disable', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
  });

  it('keys list (state and age) and keys rotate', async () => {
    type Key = { kid: string; state: string; age_seconds: number };
    const before = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Key[];
    expect(before.map((k) => k.state)).toEqual(['active']);
    expect(before[0]!.age_seconds).toBeGreaterThanOrEqual(0);
    const rotated = JSON.parse((await cli(['keys', 'rotate', '--json'])).stdout) as Key;
    expect(rotated.state).toBe('active');
    const after = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Key[];
    expect(after.find((k) => k.state === 'active')?.kid).toBe(rotated.kid);
    expect(after.map((k) => k.state).sort()).toEqual(['active', 'published']);
    const table = await cli(['keys', 'list']);
    expect(table.stdout).toMatch(/^kid\s+alg\s+state\s+created_at\s+retired_at\s+age_seconds/);
  });

  it('company rename, disable, enable and members; user list filters and rename (#16)', async () => {
    expect(JSON.parse((await cli(['company', 'rename', '2', 'Acme Ltd', '--json'])).stdout)).toMatchObject({ id: 2, name: 'Acme Ltd' });
    expect(JSON.parse((await cli(['company', 'disable', '2', '--json'])).stdout)).toMatchObject({ status: 'disabled' });
    const disabled = JSON.parse((await cli(['company', 'list', '--status', 'disabled', '--json'])).stdout) as Array<{ id: number }>;
    expect(disabled.map((c) => c.id)).toEqual([2]);
    expect(JSON.parse((await cli(['company', 'enable', '2', '--json'])).stdout)).toMatchObject({ status: 'active' });
    await cli(['member', 'add', 'alice', '2', '--role', 'billing']);
    const members = JSON.parse((await cli(['company', 'members', '2', '--json'])).stdout) as Array<{ user: { account: string } }>;
    expect(members).toEqual([{ user: expect.objectContaining({ account: 'alice' }), roles: ['billing'], is_default: false }]);
    const ofAcme = JSON.parse((await cli(['user', 'list', '--company', '2', '--json'])).stdout) as Array<{ account: string }>;
    expect(ofAcme.map((u) => u.account)).toEqual(['alice']);
    const active = JSON.parse((await cli(['user', 'list', '--status', 'active', '--sort', 'account', '--order', 'desc', '--json'])).stdout);
    expect((active as Array<{ account: string }>).map((u) => u.account)).toEqual(['admin']);
    expect(JSON.parse((await cli(['user', 'rename', 'alice', 'Alice A.', '--json'])).stdout)).toMatchObject({ name: 'Alice A.' });
    const bad = await cli(['company', 'disable', '99']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/NOT_FOUND/);
    expect((await cli(['user', 'list', '--sort', 'password_hash'])).code).not.toBe(0);
    // Fourteen CLI processes, each opening and migrating the store: seconds apiece on a loaded machine.
  }, 120_000);

  it('user mfa lists factors without secrets and user mfa-reset removes them, audited (#15)', async () => {
    const listed = await cli(['user', 'mfa', 'admin', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: 0, rememberedDevices: 0 });
    const reset = await cli(['user', 'mfa-reset', 'admin', '--json']);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toEqual({ ok: true });
    const audit = await cli(['audit', '--json']);
    expect(audit.stdout).toContain('user.mfa_reset');
  });

  it('sessions revoke answers how many sessions it revoked', async () => {
    const res = await cli(['sessions', 'revoke', 'admin', '--json']);
    expect(JSON.parse(res.stdout)).toEqual({ revoked: [] });
  });

  it('sessions list across users (--company, --ip, --device-type) and audit --actor/--subject/--outcome/--csv against a served store (#16)', async () => {
    await cli(['user', 'enable', 'alice']);
    const served = await startServe(cwd, { ...env, DUOTOKEN_PORT: '0', DUOTOKEN_HOST: '127.0.0.1', DUOTOKEN_CAPTCHA: 'off' });
    try {
      const login = async (account: string, password: string, extra: Record<string, unknown> = {}) =>
        fetch(`${served.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
          body: JSON.stringify({ account, password, ...extra }),
        });
      expect((await login('alice', 'a-brand-new-password', { company_id: 2, device_type: 'cli' })).status).toBe(200);
      expect((await login('alice', 'wrong-password')).status).toBe(401);
    } finally {
      await served.stop();
    }
    type Session = { id: string; user: { account: string }; company_id: number; device: string; device_type: string };
    const listed = JSON.parse((await cli(['sessions', 'list', '--company', '2', '--ip', '127.0.0.1', '--json'])).stdout) as Session[];
    expect(listed).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ account: 'alice' }), company_id: 2, device: 'curl 8.5.0' }),
    ]);
    expect(JSON.parse((await cli(['sessions', 'list', '--ip', '10.1.1.1', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['sessions', 'list', 'alice', '--device-type', 'cli', '--json'])).stdout)).toHaveLength(1);
    const table = await cli(['sessions', 'list', 'alice']);
    expect(table.stdout).toMatch(/curl 8\.5\.0/);
    expect(table.stdout).toMatch(/alice/);

    const users = JSON.parse((await cli(['user', 'list', '--json'])).stdout) as Array<{ id: number; account: string }>;
    const alice = users.find((u) => u.account === 'alice')!.id;
    type Event = { type: string; outcome: string; actor_id: number | null; subject_id: number | null };
    const failed = JSON.parse((await cli(['audit', '--subject', String(alice), '--outcome', 'failure', '--json'])).stdout) as {
      items: Event[];
    };
    expect(failed.items.map((e) => [e.type, e.outcome, e.subject_id])).toEqual([['login.failure', 'failure', alice]]);
    const own = JSON.parse((await cli(['audit', '--actor', String(alice), '--type', 'login.', '--json'])).stdout) as { items: Event[] };
    expect(own.items.map((e) => e.type)).toEqual(['login.failure', 'login.success']);
    const csv = await cli(['audit', '--subject', String(alice), '--outcome', 'failure', '--csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe('id,at,type,outcome,actor_id,subject_id,session_id,ip,details');
    expect(csv.stdout.split('\r\n')[1]).toMatch(new RegExp(`^\\d+,[^,]+,login\\.failure,failure,${alice},${alice},,127\\.0\\.0\\.1,`));

    const revoked = JSON.parse((await cli(['company', 'disable', '2', '--json'])).stdout) as { status: string };
    expect(revoked.status).toBe('disabled');
    expect(JSON.parse((await cli(['sessions', 'list', 'alice', '--json'])).stdout)).toEqual([]);
    await cli(['company', 'enable', '2']);
  }, 120_000);

  it('bad settings exit non-zero naming the variable', async () => {
    const res = await runCli(['user', 'list'], { cwd, env: { ...env, DUOTOKEN_LOG_LEVEL: 'loud' } });
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(/DUOTOKEN_LOG_LEVEL/);
  });
});
