import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, decodeProtectedHeader, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { b64u, claimsOf, forge, hmacSign, nonCanonical, signWith } from '@duotoken/test-kit/forge';
import { bearer, loginOk, me, startSecurityServer } from './helpers/security-server.js';

/**
 * Attacks on the JOSE header of an access token. Every forged token must be
 * answered 401/10028 with `WWW-Authenticate: Bearer … error="invalid_token"`
 * (RFC 6750 §3.1), never a 5xx, never a 200.
 */
describe('forged JOSE headers are refused (RFC 8725 §2.1, §3.1, §3.10; CWE-347)', () => {
  let server: TestServer;
  let token: string;
  let claims: Record<string, unknown>;
  let realKid: string;
  let realJwk: JWK;
  const attacker = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    server = await startSecurityServer();
    token = (await loginOk(server, ADMIN.account, ADMIN.password)).access_token;
    claims = claimsOf(token);
    realKid = String(decodeProtectedHeader(token).kid);
    const jwks = await call(server, 'GET', '/.well-known/jwks.json').then((r) => r.body as unknown as { keys: JWK[] });
    realJwk = jwks.keys[0]!;
  });
  afterAll(() => server.close());

  async function expectRefused(forged: string) {
    for (const path of ['/auth/me', '/auth/verify']) {
      const res = await call(server, 'GET', path, { headers: bearer(forged) });
      expect(res.status, `${path} ${forged.slice(0, 60)}`).toBe(401);
      expect(res.body.code).toBe('10028');
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  }

  it('the genuine token works (control)', async () => {
    expect((await me(server, token)).status).toBe(200);
  });

  it('alg "none" in every spelling, with and without a signature part (RFC 8725 §3.1, CVE-2015-9235)', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const header = { alg, typ: 'at+jwt', kid: realKid };
      await expectRefused(forge(header, claims));
      await expectRefused(`${b64u(header)}.${b64u(claims)}`);
      await expectRefused(forge(header, claims, 'AAAA'));
      // The genuine signature glued to a none header.
      await expectRefused(`${b64u(header)}.${token.split('.')[1]}.${token.split('.')[2]}`);
    }
  });

  it('an empty, truncated or altered signature (RFC 7515 §5.2)', async () => {
    const [h, p, s] = token.split('.') as [string, string, string];
    await expectRefused(`${h}.${p}.`);
    await expectRefused(`${h}.${p}`);
    await expectRefused(`${h}.${p}.${s.slice(0, -2)}`);
    await expectRefused(`${h}.${p}.${s.slice(0, 43)}`);
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    await expectRefused(`${h}.${p}.${flipped.toString('base64url')}`);
  });

  it('#12.10 a genuine token respelled with a non-canonical last base64url character in any part (same bytes) is refused (RFC 4648 §3.5, RFC 7515 §2)', async () => {
    const parts = token.split('.');
    let respelled = 0;
    for (const [i, part] of parts.entries()) {
      const odd = nonCanonical(part);
      if (!odd) continue;
      // The attack is real: the other spelling decodes to the very same bytes.
      expect(Buffer.from(odd, 'base64url').equals(Buffer.from(part, 'base64url'))).toBe(true);
      await expectRefused(parts.map((p, j) => (j === i ? odd : p)).join('.'));
      respelled++;
    }
    // An Ed25519 signature (64 bytes, 86 characters) always has unused bits.
    expect(respelled).toBeGreaterThan(0);
    expect((await me(server, token)).status).toBe(200);
  });

  it('HS256 signed with the public key (JWK x, its bytes, PEM) or an empty key: algorithm confusion (RFC 8725 §2.1, CVE-2016-10555)', async () => {
    const header = { alg: 'HS256', typ: 'at+jwt', kid: realKid };
    const publicPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    const x = String(realJwk.x);
    for (const key of [x, Buffer.from(x, 'base64url'), JSON.stringify(realJwk), publicPem, '', Buffer.alloc(0)])
      await expectRefused(hmacSign(header, claims, key));
    for (const alg of ['HS384', 'HS512', 'RS256', 'ES256', 'PS256']) await expectRefused(hmacSign({ ...header, alg }, claims, x));
  });

  it('kid injection values are refused without a 5xx or a store error (RFC 8725 §3.10; CWE-89, CWE-22)', async () => {
    const values: unknown[] = [
      '../../etc/passwd',
      "' OR 1=1 --",
      '"; DROP TABLE users; --',
      '\u0000',
      'k'.repeat(129),
      'k'.repeat(6000),
      42,
      null,
      {},
      ['a'],
    ];
    for (const kid of values) await expectRefused(await signWith(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid }, claims));
    expect(server.logs.some((l) => l.includes('"level":50'))).toBe(false);
    // The users table is intact: the admin still logs in.
    await loginOk(server, ADMIN.account, ADMIN.password);
  });

  describe('key-carrying headers are never followed (RFC 8725 §3.10; RFC 7515 §4.1.2-§4.1.6; CWE-918)', () => {
    let listener: Server;
    let hits = 0;
    let base = '';
    beforeAll(async () => {
      listener = createServer((_req, res) => {
        hits++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [attacker.publicKey.export({ format: 'jwk' })] }));
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    it('jwk, jku, x5u and x5c headers pointing at the attacker key: refused, and no request is ever made', async () => {
      const jwk = attacker.publicKey.export({ format: 'jwk' }) as JWK;
      const attackerKid = await calculateJwkThumbprint(jwk);
      const headers = [
        { jwk, kid: attackerKid },
        { jwk, kid: realKid },
        { jwk },
        { jku: `${base}/jwks.json`, kid: attackerKid },
        { jku: `${base}/jwks.json`, kid: realKid },
        { x5u: `${base}/cert.pem`, kid: attackerKid },
        { x5c: [Buffer.from('not a certificate').toString('base64')], kid: attackerKid },
      ];
      for (const extra of headers)
        await expectRefused(await signWith(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', ...extra }, claims));
      // The listener works (control), and the server never called it.
      const control = await fetch(`${base}/jwks.json`);
      expect(control.status).toBe(200);
      expect(hits).toBe(1);
    });
  });

  it('16 KB tokens and garbage are refused without a 5xx (RFC 8725 §3.x resource bounds; CWE-400)', async () => {
    const long = `${b64u({ alg: 'EdDSA', typ: 'at+jwt', kid: realKid })}.${'A'.repeat(12 * 1024)}.${'B'.repeat(86)}`;
    await expectRefused(long);
    const sixteen = `${'a'.repeat(8 * 1024)}.${'b'.repeat(8 * 1024)}.c`;
    const viaForm = await call(server, 'POST', '/auth/verify', { form: { access_token: sixteen } });
    expect(viaForm.status).toBe(401);
    expect(viaForm.body.code).toBe('10028');
    // Past Node's header limit the server answers 431 itself: still a refusal, never a crash.
    const huge = await server.fetch('/auth/me', { headers: bearer(`${'a'.repeat(20 * 1024)}.b.c`) });
    expect(huge.status).toBe(431);
    await huge.arrayBuffer();

    for (const garbage of [
      'a.b.c',
      'e30.e30.e30',
      '!!!.!!!.!!!',
      'bm90anNvbg.e30.AAAA',
      'W10.W10.W10',
      `${b64u('null')}.${b64u('null')}.AAAA`,
      '..',
      'eyJhbGciOiJFZERTQSJ9',
      '令牌.令牌.令牌',
      `${b64u({ alg: 'EdDSA', kid: realKid, typ: 'at+jwt', crit: ['exp'] })}.${b64u(claims)}.AAAA`,
    ]) {
      for (const res of [
        await call(server, 'GET', `/auth/me?access-token=${encodeURIComponent(garbage)}`),
        await call(server, 'POST', '/auth/verify', { form: { access_token: garbage } }),
      ]) {
        expect(res.status, garbage).toBe(401);
        expect(res.body.code).toBe('10028');
      }
    }
    expect(server.logs.some((l) => l.includes('"level":50'))).toBe(false);
  });
});
