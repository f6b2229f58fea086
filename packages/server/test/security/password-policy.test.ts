import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonPasswords } from '../../src/auth/common-passwords.js';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, SETUP, startSecurityServer } from './helpers/security-server.js';

/**
 * Password rules of NIST SP 800-63B §5.1.1.2 and OWASP ASVS 5.0 V6.2:
 * at least 8 characters, at most 256 bytes here, any Unicode, no
 * composition rules, none of the most common passwords (ASVS 6.2.4: at
 * least the top 3000; duotoken ships 10,000), and argon2id parameters
 * upgraded on the next login when they change (ASVS 11.4.2; OWASP Password
 * Storage Cheat Sheet).
 */
describe('password policy', () => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' });
    admin = (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;
  });
  afterAll(() => server.close());

  const create = (account: string, password: string) =>
    call<{ id: number }>(server, 'POST', '/admin/users', { headers: bearer(admin), json: { account, password } });

  it('the common-password list holds at least 3000 entries (10,000 shipped) and is loaded into a Set', () => {
    const list = loadCommonPasswords();
    expect(list).toBeInstanceOf(Set);
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    for (const p of ['123456', 'password', 'qwerty', 'iloveyou', 'trustno1']) expect(list.has(p)).toBe(true);
  });

  it('common passwords are refused on user creation, whatever their case or width', async () => {
    for (const password of ['password1', 'PASSWORD1', 'Password1', 'ｐａｓｓｗｏｒｄ１', 'qwertyuiop', 'iloveyou', '12345678']) {
      const res = await create('common-user', password);
      expect(res.status, password).toBe(400);
      expect(res.body).toMatchObject({ code: '10001', data: { field: 'password', rule: 'common' } });
    }
  });

  it('common passwords are refused on admin reset and on self-service change', async () => {
    expect((await create('tom', 'tom-password-ok')).status).toBe(200);
    const reset = await call(server, 'POST', '/admin/users/tom/password', { headers: bearer(admin), json: { password: 'football' } });
    expect(reset.body).toMatchObject({ code: '10001', data: { rule: 'common' } });
    const tom = await loginOk(server, 'tom', 'tom-password-ok');
    const change = await call(server, 'POST', '/auth/password', {
      headers: bearer(tom.access_token),
      json: { old_password: 'tom-password-ok', new_password: 'baseball' },
    });
    expect(change.body).toMatchObject({ code: '10001', data: { rule: 'common' } });
    expect((await login(server, 'tom', 'tom-password-ok')).status).toBe(200);
  });

  it('at least 8 characters, counted as characters, not bytes; Unicode welcome; no composition rules', async () => {
    expect((await create('short', 'seven77')).body).toMatchObject({ code: '10001', data: { rule: 'min_length', min: 8 } });
    expect((await create('eight', 'eightch8')).status).toBe(200);
    const unicode = '密码短语很安全的啊';
    expect((await create('unicode', unicode)).status).toBe(200);
    expect((await login(server, 'unicode', unicode)).status).toBe(200);
    expect((await create('lowercase', 'all lowercase words only')).status).toBe(200);
    expect((await create('emoji', '🔑🔑🔑🔑🔑🔑🔑🔑')).status).toBe(200);
  });

  it('at most 256 bytes (bounds the hashing work): 257 ASCII bytes or 86 three-byte characters are refused', async () => {
    expect((await create('long-ok', 'a'.repeat(256))).status).toBe(200);
    expect((await create('long-ascii', 'a'.repeat(257))).body).toMatchObject({ code: '10001', data: { rule: 'max_bytes', max: 256 } });
    expect((await create('long-cjk', '密'.repeat(86))).body).toMatchObject({ code: '10001', data: { rule: 'max_bytes' } });
  });

  it('#17 passwords are compared in NFKC form: set with full-width characters, the ASCII form logs in, and the reverse (NIST 800-63B §5.1.1.2)', async () => {
    expect((await create('wide', 'Ｔｒｅａｓｕｒｅ-ｍａｐ-９')).status).toBe(200);
    expect((await login(server, 'wide', 'Treasure-map-9')).status).toBe(200);
    expect((await login(server, 'wide', 'Ｔｒｅａｓｕｒｅ-ｍａｐ-９')).status).toBe(200);
    expect((await create('narrow', 'Compass-rose-7')).status).toBe(200);
    expect((await login(server, 'narrow', 'Ｃｏｍｐａｓｓ-ｒｏｓｅ-７')).status).toBe(200);
    // Folding is NFKC only: case still matters.
    expect((await login(server, 'narrow', 'compass-rose-7')).status).toBe(401);
  });

  it('#17 a hash stored before normalisation (of the password as typed) keeps working; the next successful login stores the hash of the NFKC form', async () => {
    const { store } = server.runtime.services;
    const typed = 'ｏｌｄ-ｗｉｄｅ-ｐａｓｓ';
    const user = await server.runtime.services.admin.createUser({ account: 'legacy', password: 'placeholder-password' }, SETUP);
    // What duotoken stored before passwords were normalised: the argon2 hash of the string as typed.
    const legacy = await hash(typed, { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await store.setPasswordHash(user.id, legacy, server.clock.now());
    expect((await login(server, 'legacy', 'old-wide-pass')).status).toBe(401);
    expect((await login(server, 'legacy', typed)).status).toBe(200);
    const upgraded = (await store.findUserByAccount('legacy'))!.password_hash;
    expect(upgraded).not.toBe(legacy);
    expect(await verify(upgraded, 'old-wide-pass')).toBe(true);
    expect((await login(server, 'legacy', 'old-wide-pass')).status).toBe(200);
    expect((await login(server, 'legacy', typed)).status).toBe(200);
    expect((await store.findUserByAccount('legacy'))!.password_hash).toBe(upgraded);
  });

  it('changed argon2 parameters: the next successful login rehashes the password with the new ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-rehash-'));
    try {
      const before = await startTestServer({ DUOTOKEN_CAPTCHA: 'off' }, { dataDir });
      await before.runtime.services.admin.createUser({ account: 'rehash', password: 'rehash-password' }, { userId: null, ip: null });
      const oldHash = (await before.runtime.services.store.findUserByAccount('rehash'))!.password_hash;
      expect(parseOptions(oldHash)).toMatchObject({ memoryCost: 1024, timeCost: 1 });
      await before.close();

      const after = await startTestServer(
        { DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_ARGON2_MEMORY_KIB: '2048', DUOTOKEN_ARGON2_ITERATIONS: '2' },
        { dataDir },
      );
      try {
        expect((await login(after, 'rehash', 'wrong-password')).status).toBe(401);
        expect((await after.runtime.services.store.findUserByAccount('rehash'))!.password_hash).toBe(oldHash);
        expect((await login(after, 'rehash', 'rehash-password')).status).toBe(200);
        const newHash = (await after.runtime.services.store.findUserByAccount('rehash'))!.password_hash;
        expect(parseOptions(newHash)).toMatchObject({ memoryCost: 2048, timeCost: 2 });
        expect((await login(after, 'rehash', 'rehash-password')).status).toBe(200);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
