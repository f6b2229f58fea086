import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusalAnswer, type AccessRefusal, type ErrorDialect, type Verifier } from '@duotoken/verify';
import { call, type TestServer } from '@duotoken/test-kit';
import { createMember, eventually, login, startDuotoken, VERIFIER_TOKEN, verifierOf, type Member } from './helpers/duotoken.js';
import { FRAMEWORK_APPS } from './helpers/framework-apps.js';
import type { TinyApp } from './helpers/tiny-app.js';

/**
 * One table, one answer: every refusal reason of `ACCESS_REFUSALS`, sent as a
 * real request to the server's protected routes in each dialect and to every
 * verifier adapter in each error shape. Each row states what SPEC §6
 * (standard, mmm) and SPEC §4 (lin-cms) require; the table must say it, and
 * every server route and adapter must answer it, with the same message and
 * `WWW-Authenticate` challenge.
 */

const SHAPES: readonly ErrorDialect[] = ['standard', 'mmm', 'lin-cms'];

/** A refused request: its token (if any), a copy of it in the URL (two places), the route asking for a role. */
interface Refused {
  token?: string;
  alsoInUrl?: boolean;
  needsRole?: boolean;
  /** An adapter route behind another guard (`/mfa`: requireMfa, `/recent`: requireRecentAuth(300)). */
  route?: '/mfa' | '/recent';
}

interface Answer {
  target: string;
  shape: ErrorDialect;
  status: number;
  code: unknown;
  message: unknown;
  challenge: string | null;
}

/** Where a refused request goes: a protected route of the server in one dialect, or an adapter's tiny app. */
interface Target {
  name: string;
  shape: ErrorDialect;
  send(refused: Refused): Promise<Answer>;
}

/** The verifier an adapter row uses: the server's feed and keys, or one whose feed or keys cannot be reached. */
type VerifierKind = 'live' | 'feed-down' | 'keys-down';

interface Row {
  reason: AccessRefusal;
  /** [HTTP status, code] in the envelope dialects (SPEC §6) and in lin-cms (SPEC §4). */
  envelope: [number, string];
  linCms: [number, number];
  /** The server dialects that can meet this refusal (`[]`: a verifier-only one). */
  servers: readonly ErrorDialect[];
  verifier?: VerifierKind;
  request(): Promise<Refused>;
}

const json = async (res: Response) => {
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
};

async function answerOf(target: string, shape: ErrorDialect, res: Response): Promise<Answer> {
  const body = await json(res);
  return {
    target,
    shape,
    status: res.status,
    code: body.code,
    message: shape === 'lin-cms' ? body.message : body.msg,
    challenge: res.headers.get('www-authenticate'),
  };
}

/** A URL nothing listens on (connections are refused at once). */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('every refusal reason answers the same codes from the server and from each verifier adapter (ACCESS_REFUSALS, SPEC §4, §6)', () => {
  let server: TestServer;
  let member: Member;
  let viewer: Member;
  const verifiers: Verifier[] = [];
  const apps: TinyApp[] = [];

  const serverTargets = (): Target[] =>
    SHAPES.map((shape) => ({
      name: `server ${shape}`,
      shape,
      send: async ({ token, alsoInUrl }) => {
        const headers: Record<string, string> = { 'accept-language': 'en' };
        const query = alsoInUrl && token ? `?access-token=${encodeURIComponent(token)}` : '';
        if (token && shape === 'mmm') headers['x-mmm-accesstoken'] = token;
        else if (token) headers.authorization = `Bearer ${token}`;
        const path = { standard: '/auth/me', mmm: '/v1/auth/me', 'lin-cms': '/cms/user/information' }[shape];
        return answerOf(`server ${shape}`, shape, await server.fetch(`${path}${query}`, { headers }));
      },
    }));

  async function adapterTargets(verifier: Verifier): Promise<Target[]> {
    const targets: Target[] = [];
    for (const [framework, makeApp] of Object.entries(FRAMEWORK_APPS))
      for (const shape of SHAPES) {
        const app = await makeApp(verifier, shape);
        apps.push(app);
        const name = `${framework} adapter ${shape}`;
        targets.push({
          name,
          shape,
          send: async ({ token, alsoInUrl, needsRole, route }) => {
            const headers: Record<string, string> = { 'accept-language': 'en' };
            if (token) headers.authorization = `Bearer ${token}`;
            const query = alsoInUrl && token ? `?access-token=${encodeURIComponent(token)}` : '';
            return answerOf(name, shape, await fetch(`${app.url}${needsRole ? '/admin' : (route ?? '/me')}${query}`, { headers }));
          },
        });
      }
    return targets;
  }

  const adapters: Partial<Record<VerifierKind, Promise<Target[]>>> = {};

  /** The adapters of every framework in every shape, around a verifier of that kind (built once, on first use). */
  function adaptersFor(kind: VerifierKind): Promise<Target[]> {
    adapters[kind] ??= (async () => {
      const down = kind === 'live' ? undefined : await deadUrl();
      const verifier = verifierOf(server, {
        strict: true,
        ...(kind === 'feed-down' && { revocations: { url: `${down}/auth/revocations`, token: VERIFIER_TOKEN, maxStalenessMs: 1000 } }),
        ...(kind === 'keys-down' && { jwksUrl: `${down}/.well-known/jwks.json`, revocations: undefined }),
      });
      verifiers.push(verifier);
      return adapterTargets(verifier);
    })();
    return adapters[kind];
  }

  beforeAll(async () => {
    server = await startDuotoken({ DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm', DUOTOKEN_TOKEN_STRICT: 'on' });
    member = await createMember(server, ['admin'], 2);
    viewer = await createMember(server, ['viewer']);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    for (const verifier of verifiers) verifier.close();
    await server?.close();
  });

  /** A token signed with the server's own key from a fresh login's claims, so only `change` can make it fail. */
  async function forge(change: { claims?: JWTPayload; typ?: string }): Promise<string> {
    const real = decodeJwt((await login(server, member)).access_token);
    const { kid, alg, key } = server.runtime.services.keyRing.signingKey();
    return new SignJWT({ ...real, ...change.claims }).setProtectedHeader({ alg, kid, typ: change.typ ?? 'at+jwt' }).sign(key);
  }
  const nowS = () => Math.floor(server.clock.now() / 1000);
  const ALL = SHAPES;

  const ROWS: Row[] = [
    { reason: 'missing', envelope: [401, '10025'], linCms: [401, 10000], servers: ALL, request: async () => ({}) },
    {
      reason: 'ambiguous',
      envelope: [400, '10001'],
      linCms: [400, 10030],
      // Only the standard dialect reads more than one place (with DUOTOKEN_TOKEN_STRICT=on).
      servers: ['standard'],
      request: async () => ({ token: (await login(server, member)).access_token, alsoInUrl: true }),
    },
    { reason: 'malformed', envelope: [401, '10028'], linCms: [401, 10041], servers: ALL, request: async () => ({ token: 'a.b.c' }) },
    {
      reason: 'header',
      envelope: [401, '10028'],
      linCms: [401, 10041],
      servers: ALL,
      request: async () => ({ token: await forge({ typ: 'JWT' }) }),
    },
    {
      reason: 'signature',
      envelope: [401, '10028'],
      linCms: [401, 10041],
      servers: ALL,
      request: async () => {
        const [h, p, s] = (await login(server, member)).access_token.split('.') as [string, string, string];
        return { token: `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}` };
      },
    },
    {
      reason: 'claims',
      envelope: [401, '10028'],
      linCms: [401, 10041],
      servers: ALL,
      request: async () => ({ token: await forge({ claims: { aud: 'another-api' } }) }),
    },
    {
      reason: 'not_yet_valid',
      envelope: [401, '10028'],
      linCms: [401, 10041],
      servers: ALL,
      request: async () => ({ token: await forge({ claims: { nbf: nowS() + 3600 } }) }),
    },
    {
      reason: 'refresh_token',
      envelope: [401, '10028'],
      linCms: [401, 10250],
      servers: ALL,
      request: async () => ({ token: (await login(server, member)).refresh_token }),
    },
    {
      reason: 'expired',
      envelope: [401, '10027'],
      linCms: [401, 10051],
      servers: ALL,
      request: async () => ({ token: await forge({ claims: { iat: nowS() - 901, nbf: nowS() - 901, exp: nowS() - 1 } }) }),
    },
    {
      reason: 'revoked',
      envelope: [401, '10028'],
      linCms: [401, 10050],
      servers: ALL,
      request: async () => {
        const { access_token } = await login(server, member);
        expect((await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
        return { token: access_token };
      },
    },
    {
      reason: 'stale',
      envelope: [401, '10028'],
      linCms: [401, 10041],
      servers: ALL,
      request: async () => {
        const { access_token } = await login(server, member);
        const switched = await call(server, 'POST', '/auth/change-company', {
          headers: { authorization: `Bearer ${access_token}` },
          json: { company_id: member.companyIds[1] },
        });
        expect(switched.status).toBe(200);
        return { token: access_token };
      },
    },
    {
      reason: 'forbidden',
      envelope: [403, '10030'],
      linCms: [403, 10001],
      // The verifiers' role guard; the server's own 403s are service errors, not token refusals.
      servers: [],
      request: async () => ({ token: (await login(server, viewer)).access_token, needsRole: true }),
    },
    {
      reason: 'mfa_required',
      envelope: [401, '10063'],
      linCms: [401, 10001],
      // The verifiers' requireMfa guard; the server's step-up answers 10063 as a service error with data.methods.
      servers: [],
      request: async () => ({ token: (await login(server, member)).access_token, route: '/mfa' }),
    },
    {
      reason: 'authentication_too_old',
      envelope: [401, '10063'],
      linCms: [401, 10001],
      servers: [],
      request: async () => ({ token: await forge({ claims: { auth_time: nowS() - 301 } }), route: '/recent' }),
    },
    {
      reason: 'keys_unavailable',
      envelope: [503, '10051'],
      linCms: [503, 9999],
      // The server holds its keys.
      servers: [],
      verifier: 'keys-down',
      request: async () => ({ token: (await login(server, member)).access_token }),
    },
    {
      reason: 'revocations_unavailable',
      envelope: [503, '10051'],
      linCms: [503, 9999],
      servers: ALL,
      verifier: 'feed-down',
      request: async () => ({ token: (await login(server, member)).access_token }),
    },
  ];

  for (const row of ROWS)
    it(`${row.reason}: ${row.envelope.join(' ')} in standard and mmm, ${row.linCms.join(' ')} in lin-cms, from the table, ${row.servers.length ? 'the server' : 'no server route'} and every adapter`, async () => {
      expect(refusalAnswer(row.reason, 'standard', 'en')).toMatchObject({ status: row.envelope[0], code: row.envelope[1] });
      expect(refusalAnswer(row.reason, 'mmm', 'en')).toMatchObject({ status: row.envelope[0], code: row.envelope[1] });
      expect(refusalAnswer(row.reason, 'lin-cms', 'en')).toMatchObject({ status: row.linCms[0], code: row.linCms[1] });

      const targets = [...serverTargets().filter((t) => row.servers.includes(t.shape)), ...(await adaptersFor(row.verifier ?? 'live'))];
      const refused = await row.request();
      // The server's fence stops vouching for its revocations (as when its store goes unread past the lag).
      if (row.reason === 'revocations_unavailable') server.runtime.services.fence.suspend('refusals-test', 'test');
      try {
        // Revocations reach the verifiers over the feed within a second.
        await eventually(async () => {
          const answers = await Promise.all(targets.map((t) => t.send(refused)));
          for (const a of answers) {
            const [status, code] = a.shape === 'lin-cms' ? row.linCms : row.envelope;
            const table = refusalAnswer(row.reason, a.shape, 'en');
            expect(a).toEqual({
              target: a.target,
              shape: a.shape,
              status,
              code,
              message: table.message,
              challenge: table.challenge ?? null,
            });
          }
        }, 3_000);
      } finally {
        server.runtime.services.fence.resume('refusals-test');
      }
    });
});
