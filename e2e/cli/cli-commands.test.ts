import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

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

  it('keys list and keys rotate', async () => {
    const before = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Array<{ kid: string; signing: boolean }>;
    expect(before.filter((k) => k.signing)).toHaveLength(1);
    const rotated = JSON.parse((await cli(['keys', 'rotate', '--json'])).stdout) as { kid: string };
    const after = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Array<{
      kid: string;
      signing: boolean;
      published: boolean;
    }>;
    expect(after.find((k) => k.signing)?.kid).toBe(rotated.kid);
    expect(after.filter((k) => k.published)).toHaveLength(2);
  });

  it('sessions revoke answers how many sessions it revoked', async () => {
    const res = await cli(['sessions', 'revoke', 'admin', '--json']);
    expect(JSON.parse(res.stdout)).toEqual({ revoked: [] });
  });

  it('bad settings exit non-zero naming the variable', async () => {
    const res = await runCli(['user', 'list'], { cwd, env: { ...env, DUOTOKEN_LOG_LEVEL: 'loud' } });
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(/DUOTOKEN_LOG_LEVEL/);
  });
});
