import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, type TestServer } from '@duotoken/test-kit';
import { createMember, login, startDuotoken, type Member } from './helpers/duotoken.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Debian's python3 (python3-jwt, python3-cryptography); a pyenv shim earlier in PATH may lack them. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const pyjwtReady = await run(python, ['-c', 'import jwt, cryptography'])
  .then(() => true)
  .catch(() => false);
if (!pyjwtReady)
  console.warn(`PyJWT tests skipped: ${python} cannot import jwt and cryptography (apt-get install python3-jwt python3-cryptography)`);

type Outcome = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

async function outcome(command: string, args: string[]): Promise<Outcome> {
  try {
    const { stdout } = await run(command, args, { timeout: 20_000 });
    return { ok: true, claims: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    if (e.code !== 2) throw error;
    return { ok: false, error: String(e.stderr) };
  }
}

const implementations = [
  {
    name: 'jose in a separate node process',
    ready: true,
    check: (jwks: string, token: string) => outcome(process.execPath, [fixture('verify-with-jose.mjs'), jwks, token]),
  },
  {
    name: 'PyJWT',
    ready: pyjwtReady,
    check: (jwks: string, token: string) => outcome(python, [fixture('verify_with_pyjwt.py'), jwks, token]),
  },
];

describe('tokens verified by independent implementations against the JWKS', () => {
  let server: TestServer;
  let member: Member;
  let jwks: string;
  beforeAll(async () => {
    // Independent verifiers read the real time: the server's clock starts at it.
    server = await startDuotoken({}, new FakeClock(Date.now()));
    member = await createMember(server, ['admin']);
    jwks = `${server.url}/.well-known/jwks.json`;
  });
  afterAll(() => server?.close());

  for (const impl of implementations) {
    it.skipIf(!impl.ready)(`${impl.name} accepts genuine tokens across a key rotation and refuses forgeries`, async () => {
      const before = await login(server, member);
      const accepted = await impl.check(jwks, before.access_token);
      expect(accepted).toMatchObject({ ok: true, claims: { uid: member.userId, sub: String(member.userId), roles: ['admin'] } });

      const [h, p, s] = before.access_token.split('.');
      const tampered = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
      expect((await impl.check(jwks, tampered)).ok).toBe(false);
      expect((await impl.check(jwks, before.refresh_token)).ok).toBe(false);

      await server.runtime.services.keyRing.rotate();
      const after = await login(server, member);
      expect((await impl.check(jwks, after.access_token)).ok).toBe(true);
      expect((await impl.check(jwks, before.access_token)).ok).toBe(true);
    });
  }
});
