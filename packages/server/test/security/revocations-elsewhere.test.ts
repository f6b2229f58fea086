import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandardTokenPair } from '@duotoken/protocol';
import { createVerifier, isVerifyError, type Verifier } from '@duotoken/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../e2e/cli/cli-process.js';
import { assertBuilt, request, sessionIdOf, startInstance, within, type Instance } from '../../../../e2e/scale-out/cluster.js';
import type { Store } from '../../src/store/store.js';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { dropSchema, PG_URL, REDIS_URL, uniqueSchema, warnNotRun, withSchema } from '../store/store-targets.js';
import { bearer, loginOk, SETUP, sidOf, startSecurityServer } from './helpers/security-server.js';
import { switchableStore } from './helpers/switchable-store.js';

/**
 * The property is "refused everywhere within 1 s" (the default
 * `DUOTOKEN_REVOCATION_MAX_LAG`: a store poll every 250 ms, or the Redis bus
 * at once); the probes themselves are HTTP round trips on a shared machine,
 * hence half a second of slack.
 */
const REFUSED_WITHIN_MS = 1_500;
const ADMIN_PASSWORD = 'revocations elsewhere admin password';
const VERIFIER_TOKEN = randomBytes(24).toString('base64url');

/** What one place answers for a token: `"200 00000"` / `"401 10028"` over HTTP, `"ok"` / a refusal reason from a verifier. */
type Answers = Record<string, string>;

interface Deployment {
  name: string;
  runnable: boolean;
  /** Server processes: one on SQLite (a second server refuses a data folder in use), two on PostgreSQL. */
  instances: 1 | 2;
  /** Settings of this deployment (besides the common ones); `cleanup` undoes what it created. */
  settings(): { env: Record<string, string>; cleanup(): Promise<void> };
}

const deployments: Deployment[] = [
  {
    name: 'SQLite, one instance (the CLI is the other process), no Redis',
    runnable: true,
    instances: 1,
    settings: () => ({ env: {}, cleanup: async () => {} }),
  },
  {
    name: 'PostgreSQL, two instances, no Redis',
    runnable: Boolean(PG_URL),
    instances: 2,
    settings() {
      const schema = uniqueSchema('dtrev');
      return { env: { DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema) }, cleanup: () => dropSchema(PG_URL!, schema) };
    },
  },
  {
    // A lag of 30 s makes the store poll run every 7.5 s: only the Redis bus can be in time, so this
    // deployment proves that every path (the CLI included) publishes there, not that the poll catches up.
    name: 'PostgreSQL and Redis, two instances (the bus alone: store poll every 7.5 s)',
    runnable: Boolean(PG_URL && REDIS_URL),
    instances: 2,
    settings() {
      const schema = uniqueSchema('dtrevr');
      return {
        env: {
          DUOTOKEN_DATABASE_URL: withSchema(PG_URL!, schema),
          DUOTOKEN_REDIS_URL: REDIS_URL!,
          DUOTOKEN_REDIS_PREFIX: `${schema}:`,
          DUOTOKEN_REVOCATION_MAX_LAG: '30s',
        },
        cleanup: () => dropSchema(PG_URL!, schema),
      };
    },
  },
];
if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', '#12.13 revocations made elsewhere, on PostgreSQL');
if (!REDIS_URL) warnNotRun('DUOTOKEN_TEST_REDIS_URL', '#12.13 revocations made elsewhere, with Redis');

/**
 * #12.13 (penetration test): a revocation made outside the running process
 * — by the CLI, or by another server process — was not seen: the access
 * token kept working on `/auth/me` and `/auth/verify` (nginx forward-auth)
 * until it expired. Every instance must refuse it within a second, with or
 * without Redis, and so must a `@duotoken/verify` verifier following the
 * instance's revocation feed (OWASP ASVS 5.0 V7.4.1 session termination;
 * CWE-613 insufficient session expiration). Real `duotoken serve` and
 * `duotoken` CLI processes.
 */
for (const deployment of deployments)
  describe.skipIf(!deployment.runnable)(`#12.13 revocations made elsewhere: ${deployment.name}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-revocations-'));
    let env: Record<string, string>;
    let cleanup: () => Promise<void> = async () => {};
    let a: Instance;
    /** The second instance; on SQLite the first stands in for it. */
    let b: Instance;
    let instances: Instance[] = [];
    let adminToken: string;
    const verifiers = new Map<string, Verifier>();
    let serial = 0;

    beforeAll(async () => {
      assertBuilt();
      const settings = deployment.settings();
      cleanup = settings.cleanup;
      env = {
        DUOTOKEN_SECRET: randomBytes(32).toString('base64url'),
        DUOTOKEN_DATA_DIR: dataDir,
        DUOTOKEN_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
        DUOTOKEN_ARGON2_ITERATIONS: '1',
        DUOTOKEN_CAPTCHA: 'off',
        DUOTOKEN_RATE_LIMITS: 'off',
        DUOTOKEN_VERIFIER_TOKENS: VERIFIER_TOKEN,
        ...settings.env,
      };
      const migrated = await runCli(['migrate', '--json'], { env });
      expect(migrated.code, migrated.stderr).toBe(0);
      // A first: it creates the admin on the empty database.
      a = await startInstance('A', env);
      b = deployment.instances === 2 ? await startInstance('B', env) : a;
      instances = [...new Set([a, b])];
      for (const instance of instances)
        verifiers.set(
          instance.name,
          createVerifier({
            issuer: 'duotoken',
            audience: 'duotoken',
            jwksUrl: `${instance.url}/.well-known/jwks.json`,
            revocations: { url: `${instance.url}/auth/revocations`, token: VERIFIER_TOKEN },
          }),
        );
      adminToken = (await login(a, 'admin', ADMIN_PASSWORD)).access_token;
    });

    afterAll(async () => {
      for (const verifier of verifiers.values()) verifier.close();
      await Promise.allSettled(instances.map((instance) => instance.stop()));
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function login(instance: Instance, account: string, password: string): Promise<StandardTokenPair> {
      const res = await request<StandardTokenPair>(instance, 'POST', '/auth/login', { json: { account, password } });
      expect(res.status, JSON.stringify(res)).toBe(200);
      return res.data;
    }

    /** A new user, logged in once on A and once on B. */
    async function userWithSessions(): Promise<{ account: string; onA: StandardTokenPair; onB: StandardTokenPair }> {
      const account = `member${++serial}`;
      const password = `${account} long password`;
      const created = await request(a, 'POST', '/admin/users', { token: adminToken, json: { account, password } });
      expect(created.status, JSON.stringify(created)).toBe(200);
      return { account, onA: await login(a, account, password), onB: await login(b, account, password) };
    }

    /** How A, B and each verifier answer `token` right now. */
    async function answers(token: string): Promise<Answers> {
      const out: Answers = {};
      for (const instance of instances)
        for (const path of ['/auth/me', '/auth/verify']) {
          const res = await request(instance, 'GET', path, { token });
          out[`${instance.name} ${path}`] = `${res.status} ${res.code}`;
        }
      for (const [name, verifier] of verifiers) {
        try {
          await verifier.verify(token);
          out[`verifier of ${name}`] = 'ok';
        } catch (error) {
          out[`verifier of ${name}`] = isVerifyError(error) ? error.reason : String(error);
        }
      }
      return out;
    }

    const everywhere = (http: string, verifier: string): Answers =>
      Object.fromEntries(
        instances.flatMap((i) => [
          [`${i.name} /auth/me`, http],
          [`${i.name} /auth/verify`, http],
          [`verifier of ${i.name}`, verifier],
        ]),
      );
    const admitted = () => everywhere('200 00000', 'ok');
    const refused = () => everywhere('401 10028', 'revoked');

    /** Polls until every place refuses each token; fails after REFUSED_WITHIN_MS naming what still answered otherwise. */
    async function expectRefusedEverywhere(tokens: string[], since: number): Promise<void> {
      let last: Answers[] = [];
      for (;;) {
        last = await Promise.all(tokens.map(answers));
        if (last.every((x) => JSON.stringify(x) === JSON.stringify(refused()))) return;
        if (Date.now() - since > REFUSED_WITHIN_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(last, `#12.13: still not refused everywhere ${REFUSED_WITHIN_MS} ms after the revocation`).toEqual(
        tokens.map(() => refused()),
      );
    }

    it('#12.13 a session revoked by `duotoken sessions revoke` is refused within 1 s by /auth/me, /auth/verify and a verifier, on every instance', async () => {
      const { account, onA, onB } = await userWithSessions();
      expect(await answers(onA.access_token)).toEqual(admitted());
      const cli = await runCli(['sessions', 'revoke', account, '--session', sessionIdOf(onA.access_token), '--json'], { env });
      const revokedAt = Date.now();
      expect(cli.code, cli.stderr).toBe(0);
      await expectRefusedEverywhere([onA.access_token], revokedAt);
      // Only that session: the user's other one lives on.
      expect(await answers(onB.access_token)).toEqual(admitted());
    });

    it('#12.13 a user disabled by `duotoken user disable` is refused within 1 s by /auth/me, /auth/verify and a verifier, on every instance', async () => {
      const { account, onA, onB } = await userWithSessions();
      expect(await answers(onB.access_token)).toEqual(admitted());
      const cli = await runCli(['user', 'disable', account, '--json'], { env });
      const disabledAt = Date.now();
      expect(cli.code, cli.stderr).toBe(0);
      await expectRefusedEverywhere([onA.access_token, onB.access_token], disabledAt);
    });

    // Another server process exists only where two servers may share the store.
    if (deployment.instances === 2)
      it('#12.13 a user disabled through the admin API of another server process is refused within 1 s by /auth/me, /auth/verify and a verifier, on every instance', async () => {
        const { account, onA, onB } = await userWithSessions();
        expect(await answers(onA.access_token)).toEqual(admitted());
        const adminOnB = (await login(b, 'admin', ADMIN_PASSWORD)).access_token;
        const disabled = await request(b, 'POST', `/admin/users/${account}/disable`, { token: adminOnB });
        const disabledAt = Date.now();
        expect(disabled.status, JSON.stringify(disabled)).toBe(200);
        await expectRefusedEverywhere([onA.access_token, onB.access_token], disabledAt);
      });
  });

/** How one in-process server answers a token on /auth/me and /auth/verify. */
async function meAndVerify(server: TestServer, token: string): Promise<{ me: string; verify: string }> {
  const [me, verify] = await Promise.all(['/auth/me', '/auth/verify'].map((path) => call(server, 'GET', path, { headers: bearer(token) })));
  return { me: `${me!.status} ${me!.body.code}`, verify: `${verify!.status} ${verify!.body.code}` };
}

describe('#12.13 the fence and /auth/me on their own', () => {
  let server: TestServer;
  let real: Store;
  let state: { down: boolean };
  beforeAll(async () => {
    server = await startSecurityServer(
      { DUOTOKEN_RATE_LIMITS: 'off' },
      {
        wrapStore: (store) => {
          real = store;
          const switchable = switchableStore(store);
          state = switchable.state;
          return switchable.store;
        },
      },
    );
    const { admin } = server.runtime.services;
    for (const account of ['ana', 'bo', 'cy', 'di', 'ed', 'fay'])
      await admin.createUser({ account, password: `${account} long password` }, SETUP);
  });
  afterAll(() => server.close());
  const loginAs = (account: string) => loginOk(server, account, `${account} long password`);

  it('#12.13 /auth/me refuses a session revoked, ended or re-versioned and a user disabled in the database, even when the fence never heard of it', async () => {
    const db = server.runtime.services.store.opened.db;
    const now = server.clock.now();
    const [revoked, ended, superseded, disabled] = await Promise.all(['ana', 'bo', 'cy', 'di'].map(loginAs));
    // Rows changed by hand (a restore, a script): fenced_at left old, so no poll ever brings them to the fence.
    const byHand = { fenced_at: 0 };
    await db
      .updateTable('sessions')
      .set({ ...byHand, revoked_at: now, revoke_reason: 'by hand' })
      .where('id', '=', sidOf(revoked!.access_token))
      .execute();
    await db
      .updateTable('sessions')
      .set({ ...byHand, expires_at: now - 1 })
      .where('id', '=', sidOf(ended!.access_token))
      .execute();
    await db
      .updateTable('sessions')
      .set({ ...byHand, version: 2 })
      .where('id', '=', sidOf(superseded!.access_token))
      .execute();
    await db.updateTable('users').set({ status: 'disabled' }).where('account', '=', 'di').execute();
    // Wait out a poll of the store: the fence still admits them all (the token-only check), /auth/me does not.
    await new Promise((resolve) => setTimeout(resolve, server.runtime.fencePoll.intervalMs * 2));
    const answers = await Promise.all([revoked, ended, superseded, disabled].map((pair) => meAndVerify(server, pair!.access_token)));
    expect(answers).toEqual([revoked, ended, superseded, disabled].map(() => ({ me: '401 10028', verify: '200 00000' })));
  });

  it('#12.13 a store that cannot be read for the allowed lag closes protected routes (503/10051); once read again, a revocation written meanwhile is in force', async () => {
    const [live, victim] = await Promise.all(['ed', 'fay'].map(loginAs));
    expect(await meAndVerify(server, victim!.access_token)).toEqual({ me: '200 00000', verify: '200 00000' });
    state.down = true;
    try {
      // Another process revokes while this one cannot read: nothing tells this fence.
      await real.revokeSessions({ id: sidOf(victim!.access_token) }, 'elsewhere', server.clock.now());
      const closed = await within(1_500, async () => (await meAndVerify(server, live!.access_token)).verify === '503 10051');
      expect(closed, '#12.13: /auth/verify kept admitting tokens while the revocations could not be read').toBe(true);
      expect((await meAndVerify(server, victim!.access_token)).verify).toBe('503 10051');
      const ready = await server.fetch('/readyz');
      expect({ status: ready.status, checks: ((await ready.json()) as { checks: unknown }).checks }).toMatchObject({
        status: 503,
        checks: { revocations: 'unavailable' },
      });
    } finally {
      state.down = false;
    }
    const open = await within(1_500, async () => (await meAndVerify(server, live!.access_token)).verify === '200 00000');
    expect(open, 'protected routes did not open again once the store answered').toBe(true);
    expect(await meAndVerify(server, victim!.access_token)).toEqual({ me: '401 10028', verify: '401 10028' });
  });
});
