import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** A resolve hook that refuses `@simplewebauthn/browser`, so a child process shows whether the SDK ever asks for it. */
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@simplewebauthn/browser')) throw new Error('webauthn-loaded');
  return next(specifier, context);
}`;

const SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const sdk = await import('@duotoken/client');
await import('@duotoken/client/axios');
const answer = () => new Response(JSON.stringify({ code: '00000', msg: 'ok', data: { t: 't1', challenge: 'c' } }), { status: 200 });
const client = sdk.createAuthClient({ baseUrl: 'http://127.0.0.1:9', storage: 'memory', fetch: async () => answer() });
await client.login({ account: 'a', password: 'b' }).catch(() => undefined);
const before = 'loaded nothing';
const failure = await client.loginWithPasskey().catch((e) => String(e && e.message));
console.log(JSON.stringify({ before, failure }));
`;

describe('passkey helpers stay out of the Node path', () => {
  it('importing and using the SDK never loads @simplewebauthn/browser; a passkey operation loads it on first use', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: process.cwd() });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as { before: string; failure: string };
    // Reaching this line at all means neither entry nor login() imported it (the hook would have thrown).
    expect(seen.before).toBe('loaded nothing');
    // The control: the hook does fire once a passkey ceremony needs the library.
    expect(seen.failure).toContain('webauthn-loaded');
  });
});
