import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { decodeSecret } from '../../src/config/parse-config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unseal } from '../../src/crypto/sealed-box.js';
import { deriveMfaKeys } from '../../src/mfa/mfa-keys.js';
import { call } from '@duotoken/test-kit/standard-client';
import { randomSecret, type TestServer } from '../helpers/test-server.js';
import { dropSchema, PG_URL, uniqueSchema, warnNotRun, withSchema } from '../store/store-targets.js';
import { bearer, login, me, SETUP, startSecurityServer } from '../security/helpers/security-server.js';
import { codeNow, enrollTotp, loginNeedsMfa, verifyMfa } from './mfa-helpers.js';

/**
 * TOTP (RFC 6238) as a second factor over HTTP (SPEC §9): enrollment, the
 * two-step login, recovery codes, tickets, and the account lockout shared
 * with wrong passwords (CWE-307).
 */
function totpSuite(env: Record<string, string>) {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', ...env });
    for (const account of ['tina', 'tom', 'tess', 'theo', 'tara', 'tilo', 'tuck', 'tate', 'plain'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  it('once TOTP is on, the password alone gives no pair: 10060 with a ticket; the right code gives the pair', async () => {
    const { secret, recoveryCodes } = await enrollTotp(server, 'tina', 'tina-password');
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const needed = await loginNeedsMfa(server, 'tina', 'tina-password');
    expect(needed.methods).toEqual(['totp', 'recovery_code']);
    expect(needed.expires_in).toBe(300);
    const done = await verifyMfa(server, { mfa_ticket: needed.mfa_ticket, method: 'totp', code: codeNow(server, secret) });
    expect(done.status).toBe(200);
    expect(done.body.code).toBe('00000');
    expect((await me(server, done.body.data.access_token)).status).toBe(200);
    const status = await call<{ totp: boolean; recovery_codes_left: number }>(server, 'GET', '/auth/mfa', {
      headers: bearer(done.body.data.access_token),
    });
    expect(status.body.data).toMatchObject({ totp: true, recovery_codes_left: 10, methods: ['totp', 'recovery_code'] });
    // The password step wrote its audit line (with the end of its lockout attempt); the second its own.
    const tina = (await server.runtime.services.store.findUserByAccount('tina'))!;
    const events = await server.runtime.services.store.queryAuditEvents({ userId: tina.id, limit: 20 });
    const required = events.find((e) => e.type === 'mfa.required');
    expect(JSON.parse(required?.details ?? '{}')).toMatchObject({ enroll: false, methods: ['totp', 'recovery_code'] });
    expect(events.filter((e) => e.type === 'mfa.success')).toHaveLength(1);
  });

  it('a wrong code answers 10061 and the ticket still works for the right one; a user without a factor logs in as before', async () => {
    const { secret } = await enrollTotp(server, 'tom', 'tom-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'tom', 'tom-password');
    const wrong = String((Number(codeNow(server, secret)) + 1) % 1_000_000).padStart(6, '0');
    const bad = await verifyMfa(server, { mfa_ticket, method: 'totp', code: wrong });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('10061');
    expect((await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret) })).status).toBe(200);
    expect((await login(server, 'plain', 'plain-password')).status).toBe(200);
  });

  it('the same code twice in one step is refused (RFC 6238 §5.2: one use per code), even for two logins', async () => {
    const { secret } = await enrollTotp(server, 'tess', 'tess-password');
    const code = codeNow(server, secret);
    const first = await loginNeedsMfa(server, 'tess', 'tess-password');
    const second = await loginNeedsMfa(server, 'tess', 'tess-password');
    expect((await verifyMfa(server, { mfa_ticket: first.mfa_ticket, method: 'totp', code })).status).toBe(200);
    const replay = await verifyMfa(server, { mfa_ticket: second.mfa_ticket, method: 'totp', code });
    expect(replay.body.code).toBe('10061');
    // A code of the previous step (inside the ±1 window) is refused too once a later step was used.
    server.clock.advance(30);
    const older = await verifyMfa(server, { mfa_ticket: second.mfa_ticket, method: 'totp', code });
    expect(older.body.code).toBe('10061');
    expect((await verifyMfa(server, { mfa_ticket: second.mfa_ticket, method: 'totp', code: codeNow(server, secret) })).status).toBe(200);
  });

  it('a recovery code works once; another one of the set still works', async () => {
    const { recoveryCodes } = await enrollTotp(server, 'theo', 'theo-password');
    const [first, second] = recoveryCodes as [string, string];
    const a = await loginNeedsMfa(server, 'theo', 'theo-password');
    // Case and dashes do not matter when typing a code.
    expect((await verifyMfa(server, { mfa_ticket: a.mfa_ticket, method: 'recovery_code', code: first.toUpperCase() })).status).toBe(200);
    const b = await loginNeedsMfa(server, 'theo', 'theo-password');
    expect((await verifyMfa(server, { mfa_ticket: b.mfa_ticket, method: 'recovery_code', code: first })).body.code).toBe('10061');
    expect((await verifyMfa(server, { mfa_ticket: b.mfa_ticket, method: 'recovery_code', code: second })).status).toBe(200);
  });

  it('a ticket works once, expires after 5 minutes, and cannot finish another user’s login (10062 / 10061)', async () => {
    const tara = await enrollTotp(server, 'tara', 'tara-password');
    const tilo = await enrollTotp(server, 'tilo', 'tilo-password');
    const used = await loginNeedsMfa(server, 'tara', 'tara-password');
    expect((await verifyMfa(server, { mfa_ticket: used.mfa_ticket, method: 'totp', code: codeNow(server, tara.secret) })).status).toBe(200);
    server.clock.advance(30);
    const again = await verifyMfa(server, { mfa_ticket: used.mfa_ticket, method: 'totp', code: codeNow(server, tara.secret) });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('10062');
    expect((await verifyMfa(server, { mfa_ticket: 'no-such-ticket', method: 'totp', code: '123456' })).body.code).toBe('10062');

    const stale = await loginNeedsMfa(server, 'tara', 'tara-password');
    server.clock.advance(301);
    expect((await verifyMfa(server, { mfa_ticket: stale.mfa_ticket, method: 'totp', code: codeNow(server, tara.secret) })).body.code).toBe(
      '10062',
    );

    // Tilo's ticket is Tilo's login: Tara's right code does not finish it, and no session of Tara's comes out.
    const tilos = await loginNeedsMfa(server, 'tilo', 'tilo-password');
    const crossed = await verifyMfa(server, { mfa_ticket: tilos.mfa_ticket, method: 'totp', code: codeNow(server, tara.secret) });
    expect(crossed.body.code).toBe('10061');
    const own = await verifyMfa(server, { mfa_ticket: tilos.mfa_ticket, method: 'totp', code: codeNow(server, tilo.secret) });
    expect(decodeJwt(own.body.data.access_token).uid).toBe((await server.runtime.services.store.findUserByAccount('tilo'))!.id);
  });

  it('10 wrong codes lock the account as 10 wrong passwords do (same counter, 10021 for both); a right password forgives none of them', async () => {
    await enrollTotp(server, 'tuck', 'tuck-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'tuck', 'tuck-password');
    for (let i = 0; i < 5; i++) expect((await verifyMfa(server, { mfa_ticket, method: 'totp', code: '000000' })).body.code).toBe('10061');
    // A new password login in between does not reset the count while the second step is due.
    const next = await loginNeedsMfa(server, 'tuck', 'tuck-password');
    for (let i = 0; i < 5; i++)
      expect((await verifyMfa(server, { mfa_ticket: next.mfa_ticket, method: 'totp', code: '000000' })).body.code).toBe('10061');
    const locked = await login(server, 'tuck', 'tuck-password');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: '10021', data: { retry_after: 60 } });
    const events = await server.runtime.services.store.queryAuditEvents({ type: 'login.locked', limit: 10 });
    expect(events.some((e) => e.details && JSON.stringify(e.details).includes('totp'))).toBe(true);
  });

  it('each step ends its lockout attempt: ten two-step logins at one instant, and the eleventh password still answers 10060 (not 10021)', async () => {
    const { recoveryCodes } = await enrollTotp(server, 'tate', 'tate-password');
    for (const code of recoveryCodes) {
      const { mfa_ticket } = await loginNeedsMfa(server, 'tate', 'tate-password');
      expect((await verifyMfa(server, { mfa_ticket, method: 'recovery_code', code })).status).toBe(200);
    }
    await loginNeedsMfa(server, 'tate', 'tate-password');
  });

  it('TOTP secrets are sealed at rest with the server secret (the column holds no base32 secret)', async () => {
    const user = (await server.runtime.services.store.findUserByAccount('tina'))!;
    const row = (await server.runtime.services.store.findTotp(user.id))!;
    expect(row.secret_sealed).not.toMatch(/^[A-Z2-7]+=*$/);
    const serverSecret = decodeSecret(env.DUOTOKEN_SECRET ?? readFileSync(join(server.dataDir, 'secret.key'), 'utf8').trim());
    expect(unseal(deriveMfaKeys(serverSecret).sealKey, row.secret_sealed)).toMatch(/^[A-Z2-7]{32}$/);
  });
}

describe('TOTP second factor (SQLite)', () => totpSuite({}));

// The second step's statements differ by store (one statement each on PostgreSQL: store/second-step-repo.ts).
if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'TOTP second factor on PostgreSQL');
describe.skipIf(!PG_URL)('TOTP second factor (PostgreSQL)', () => {
  const schema = uniqueSchema('dtmfa');
  afterAll(() => dropSchema(PG_URL!, schema));
  totpSuite({ DUOTOKEN_SECRET: randomSecret(), DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema) });
});
