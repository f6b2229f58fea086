import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, isVerifyError, type Verifier, type VerifyError } from '@duotoken/verify';
import { call, randomSecret, type TestServer, nonCanonical } from '@duotoken/test-kit';
import { createMember, eventually, login, startDuotoken, VERIFIER_TOKEN, verifierOf, type Member } from './helpers/duotoken.js';

async function refusal(promise: Promise<unknown>): Promise<VerifyError> {
  try {
    await promise;
  } catch (error) {
    if (isVerifyError(error)) return error;
    throw error;
  }
  throw new Error('expected a VerifyError');
}

function jwksFetches(server: TestServer): number {
  return server.logs.filter((l) => l.includes('incoming request') && l.includes('/.well-known/jwks.json')).length;
}

describe('createVerifier against a real duotoken', () => {
  let server: TestServer;
  let verifier: Verifier;
  let member: Member;
  beforeAll(async () => {
    server = await startDuotoken();
    verifier = verifierOf(server);
    member = await createMember(server, ['admin', 'ops']);
  });
  afterAll(async () => {
    verifier?.close();
    await server?.close();
  });

  /** Signs claims with the server's own signing key, so only the altered part can make it fail. */
  async function forge(change: { claims?: JWTPayload; typ?: string; kid?: string }): Promise<string> {
    const real = decodeJwt((await login(server, member)).access_token);
    const { kid, alg, key } = server.runtime.services.keyRing.signingKey();
    return new SignJWT({ ...real, ...change.claims })
      .setProtectedHeader({ alg, kid: change.kid ?? kid, typ: change.typ ?? 'at+jwt' })
      .sign(key);
  }

  it('resolves to the typed claims of a genuine token', async () => {
    const pair = await login(server, member);
    const claims = await verifier.verify(pair.access_token);
    expect(claims).toMatchObject({
      uid: member.userId,
      sub: String(member.userId),
      company_id: member.companyIds[0],
      roles: ['admin', 'ops'],
    });
    expect(typeof claims.sid).toBe('string');
  });

  it('enforces typ, iss, aud, claim shapes and refuses refresh tokens, each with 10028', async () => {
    const cases: Array<[Parameters<typeof forge>[0], VerifyError['reason']]> = [
      [{}, 'signature'],
      [{ typ: 'JWT' }, 'header'],
      [{ typ: 'rt+jwt' }, 'header'],
      [{ claims: { iss: 'someone-else' } }, 'claims'],
      [{ claims: { aud: 'another-api' } }, 'claims'],
      [{ claims: { sid: undefined } }, 'claims'],
      [{ claims: { type: 'refresh' } }, 'refresh_token'],
      [{ claims: { nbf: Math.floor(server.clock.now() / 1000) + 3600 } }, 'not_yet_valid'],
    ];
    const baseline = await forge({});
    expect((await verifier.verify(baseline)).uid).toBe(member.userId);
    for (const [change, reason] of cases.slice(1)) {
      const error = await refusal(verifier.verify(await forge(change)));
      expect({ code: error.code, wire: error.wire, status: error.status, reason: error.reason }).toEqual({
        code: 'ACCESS_TOKEN_INVALID',
        wire: '10028',
        status: 401,
        reason,
      });
    }
    const [h, p] = baseline.split('.');
    expect((await refusal(verifier.verify(`${h}.${p}.${'A'.repeat(86)}`))).reason).toBe('signature');
    const pair = await login(server, member);
    expect((await refusal(verifier.verify(pair.refresh_token))).code).toBe('ACCESS_TOKEN_INVALID');
    expect((await refusal(verifier.verify(undefined))).wire).toBe('10025');
  });

  it('#12.10 refuses a genuine token respelled with a non-canonical last base64url character (same bytes) as malformed', async () => {
    const token = (await login(server, member)).access_token;
    const parts = token.split('.');
    for (const [i, part] of parts.entries()) {
      const odd = nonCanonical(part);
      if (!odd) continue;
      expect(Buffer.from(odd, 'base64url').equals(Buffer.from(part, 'base64url'))).toBe(true);
      const error = await refusal(verifier.verify(parts.map((p, j) => (j === i ? odd : p)).join('.')));
      expect({ wire: error.wire, reason: error.reason }).toEqual({ wire: '10028', reason: 'malformed' });
    }
    expect(nonCanonical(parts[2]!)).toBeDefined();
    expect((await verifier.verify(token)).uid).toBe(member.userId);
  });

  it('accepts only the configured algorithms (an HS256 token made with the public key is refused)', async () => {
    const jwk = server.runtime.services.keyRing.jwks().keys[0]!;
    const confused = await new SignJWT({ ...decodeJwt((await login(server, member)).access_token) })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await refusal(verifier.verify(confused))).code).toBe('ACCESS_TOKEN_INVALID');
    expect(() => createVerifier({ issuer: 'i', audience: 'a', jwksUrl: server.url, algorithms: ['HS256'] })).toThrow(TypeError);
  });

  it('serves a repeated token from its cache and rate-limits JWKS fetches for unknown kids', async () => {
    const fresh = verifierOf(server, { jwks: {} });
    try {
      const pair = await login(server, member);
      const before = jwksFetches(server);
      for (let i = 0; i < 50; i++) await fresh.verify(pair.access_token);
      expect(jwksFetches(server)).toBe(before + 1);
      for (let i = 0; i < 5; i++)
        expect((await refusal(fresh.verify(await forge({ kid: `unknown-${i}` })))).code).toBe('ACCESS_TOKEN_INVALID');
      expect(jwksFetches(server)).toBe(before + 1);
    } finally {
      fresh.close();
    }
  });

  it('still refuses a cached token once its session is revoked', async () => {
    const pair = await login(server, member);
    await verifier.verify(pair.access_token);
    await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${pair.access_token}` } });
    await eventually(async () => expect((await refusal(verifier.verify(pair.access_token))).reason).toBe('revoked'));
  });

  it('follows the feed by long-polling when asked to', async () => {
    const polling = verifierOf(server, {
      revocations: { url: `${server.url}/auth/revocations`, token: VERIFIER_TOKEN, transport: 'poll' },
    });
    try {
      const pair = await login(server, member);
      await polling.verify(pair.access_token);
      expect(polling.revocationStatus()).toMatchObject({ transport: 'poll', current: true });
      await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${pair.access_token}` } });
      await eventually(async () => expect((await refusal(polling.verify(pair.access_token))).reason).toBe('revoked'));
    } finally {
      polling.close();
    }
  });

  it('checks its options once, when created', () => {
    const base = { issuer: 'duotoken', audience: 'duotoken' };
    expect(() => createVerifier(base)).toThrow(/exactly one/);
    expect(() => createVerifier({ ...base, jwksUrl: server.url, secret: randomSecret() })).toThrow(/exactly one/);
    expect(() => createVerifier({ ...base, secret: 'short' })).toThrow(/32 bytes/);
    expect(() => createVerifier({ ...base, jwksUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => createVerifier({ ...base, jwksUrl: server.url, clockTolerance: 'soon' })).toThrow(/clockTolerance/);
  });
});

describe('a verifier that cannot stay current', () => {
  it('fails closed with 10051 once the feed has been silent too long, or keeps accepting when told to', async () => {
    const server = await startDuotoken();
    const member = await createMember(server, ['admin']);
    const strict = verifierOf(server, {
      revocations: { url: `${server.url}/auth/revocations`, token: VERIFIER_TOKEN, maxStalenessMs: 1000 },
    });
    const lenient = verifierOf(server, {
      revocations: { url: `${server.url}/auth/revocations`, token: VERIFIER_TOKEN, maxStalenessMs: 1000, failClosed: false },
    });
    try {
      const pair = await login(server, member);
      await strict.verify(pair.access_token);
      await lenient.verify(pair.access_token);
      await server.close();
      await eventually(async () => {
        const error = await refusal(strict.verify(pair.access_token));
        expect({ code: error.code, wire: error.wire, status: error.status, reason: error.reason }).toEqual({
          code: 'STORE_UNAVAILABLE',
          wire: '10051',
          status: 503,
          reason: 'revocations_unavailable',
        });
      });
      // Each verifier has its own feed and last sign of life: the lenient one goes stale on its own schedule.
      await eventually(() => expect(lenient.revocationStatus()?.current).toBe(false));
      expect((await lenient.verify(pair.access_token)).uid).toBe(member.userId);
    } finally {
      strict.close();
      lenient.close();
    }
  });
});

describe('HS256 deployments', () => {
  it('verifies with the shared secret', async () => {
    const secret = randomSecret();
    const server = await startDuotoken({ DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: secret });
    const verifier = createVerifier({ issuer: 'duotoken', audience: 'duotoken', secret, clock: server.clock });
    const wrong = createVerifier({ issuer: 'duotoken', audience: 'duotoken', secret: randomSecret(), clock: server.clock });
    try {
      const pair = await login(server, await createMember(server, ['x']));
      expect((await verifier.verify(pair.access_token)).roles).toEqual(['x']);
      expect((await refusal(wrong.verify(pair.access_token))).reason).toBe('signature');
    } finally {
      await server.close();
    }
  });
});
