import { randomBytes } from 'node:crypto';
import type { StandardTokenPair } from '@duotoken/protocol';
import { createVerifier, type Verifier, type VerifierOptions } from '@duotoken/verify';
import { loginStandard, startTestServer, type TestServer, type TestServerOptions, type FakeClock } from '@duotoken/test-kit';

/** The verifier credential every test server accepts. */
export const VERIFIER_TOKEN = randomBytes(24).toString('base64url');

/** A real duotoken (JWKS over HTTP, revocation feed on) for verifier tests; `wrapStore` as in `startTestServer`. */
export function startDuotoken(
  env: Record<string, string> = {},
  clock?: FakeClock,
  wrapStore?: TestServerOptions['wrapStore'],
): Promise<TestServer> {
  return startTestServer({ DUOTOKEN_VERIFIER_TOKENS: VERIFIER_TOKEN, DUOTOKEN_RATE_LIMITS: 'off', ...env }, { clock, wrapStore });
}

/** A verifier of a test server's tokens, on its fake clock, following its revocation feed. */
export function verifierOf(server: TestServer, options: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    issuer: 'duotoken',
    audience: 'duotoken',
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    // Rotation tests ask for the new key at once; the cooldown itself is tested on its own.
    jwks: { cooldownMs: 0 },
    revocations: { url: `${server.url}/auth/revocations`, token: VERIFIER_TOKEN },
    clock: server.clock,
    ...options,
  });
}

/** A user with roles in companies; returns what logging in needs. */
export interface Member {
  account: string;
  password: string;
  userId: number;
  companyIds: number[];
}

let serial = 0;

/** Creates a user who is a member of `companies.length` new companies with the given roles. */
export async function createMember(server: TestServer, roles: string[], companies = 1): Promise<Member> {
  const admin = server.runtime.services.admin;
  const actor = { userId: null, ip: null };
  const account = `member${++serial}`;
  const password = 'correct horse battery staple';
  const user = await admin.createUser({ account, password }, actor);
  const companyIds: number[] = [];
  for (let i = 0; i < companies; i++) {
    const company = await admin.createCompany(`${account}-company-${i}`, actor);
    await admin.setMembership(account, company.id, roles, actor, i === 0);
    companyIds.push(company.id);
  }
  return { account, password, userId: user.id, companyIds };
}

/** Logs a member in (standard dialect) and returns the pair. */
export function login(
  server: TestServer,
  member: Pick<Member, 'account' | 'password'>,
  extra: Record<string, unknown> = {},
): Promise<StandardTokenPair> {
  return loginStandard(server, member.account, member.password, extra);
}

/**
 * Waits until `check` passes (bounded: at most `timeoutMs`), for effects that
 * travel over a network push. Not a timing assertion: it fails only when
 * the effect never comes.
 */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
