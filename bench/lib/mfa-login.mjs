// The login with a second step (issue #15): accounts with TOTP enrolled through
// the API as a user would, and closed loops of logins with and without the
// second step against the same server, so that their rates can be compared in
// one run.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Secret, TOTP } from 'otpauth';
import { inBatches, PASSWORD } from './targets.mjs';

/**
 * Keep-alive connections for the closed loops. node:http rather than fetch:
 * the load shares the machine's cores with the server, and fetch costs the
 * client about twice as much CPU per request; a two-step login makes two
 * requests, so a heavy client would show up as a slower second step.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** POST `body` as JSON; resolves with the status and the parsed answer. */
export function call(base, path, body, headers = {}) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `call`, waiting out a 429 (the hash queue can still be full just after the password-flood scenario). */
async function patientCall(base, path, body, headers = {}) {
  for (let attempt = 0; ; attempt++) {
    const answer = await call(base, path, body, headers);
    if (answer.status !== 429 || attempt >= 20) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1000 * (answer.json.data?.retry_after ?? 1)));
  }
}

export function expectStatus(answer, status, what) {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`);
  return answer.json.data;
}

/**
 * Creates `count` accounts (password `PASSWORD`) through the admin API and
 * enrolls TOTP for each (login, set-up, the current code); returns their
 * recovery codes as `{ account, code }`, ten per account, each usable once.
 */
export async function enrolledRecoveryCodes(base, prefix, count) {
  const admin = expectStatus(await patientCall(base, '/auth/login', { account: 'admin', password: PASSWORD }), 200, 'admin login');
  const asAdmin = { authorization: `Bearer ${admin.access_token}` };
  const perAccount = await inBatches(count, 4, async (i) => {
    const account = `${prefix}-mfa-${i}`;
    expectStatus(await patientCall(base, '/admin/users', { account, password: PASSWORD }, asAdmin), 200, 'create user');
    const pair = expectStatus(await patientCall(base, '/auth/login', { account, password: PASSWORD }), 200, 'login');
    const bearer = { authorization: `Bearer ${pair.access_token}` };
    const { secret } = expectStatus(await patientCall(base, '/auth/mfa/totp/setup', {}, bearer), 200, 'TOTP set-up');
    const code = TOTP.generate({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    const { recovery_codes } = expectStatus(await patientCall(base, '/auth/mfa/totp/enable', { code }, bearer), 200, 'TOTP enable');
    return recovery_codes.map((c) => ({ account, code: c }));
  });
  return perAccount.flat();
}

/** A password login that must end in a pair (no second factor on the account). */
export function passwordLogin(base, account) {
  return async () => {
    expectStatus(await call(base, '/auth/login', { account, password: PASSWORD }), 200, 'password login');
    return undefined;
  };
}

/**
 * A login with its second step: the password answers 10060 with a ticket,
 * the ticket and a recovery code answer the pair. Each call spends one code
 * of `codes`; resolves with the second step's own latency (ms).
 */
export function twoStepLogin(base, codes) {
  return async () => {
    const next = codes.pop();
    if (!next) throw new Error('out of recovery codes: enroll more accounts for the bench');
    const first = await call(base, '/auth/login', { account: next.account, password: PASSWORD });
    if (first.status !== 401 || first.json.code !== '10060') throw new Error(`first step: ${first.status} ${first.json.code}`);
    const started = performance.now();
    const second = await call(base, '/auth/mfa/verify', {
      mfa_ticket: first.json.data.mfa_ticket,
      method: 'recovery_code',
      code: next.code,
    });
    expectStatus(second, 200, 'second step');
    return performance.now() - started;
  };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/**
 * `connections` workers for `seconds`, each running `once` back to back (a
 * closed loop: the next login starts when the last one ended). Returns the
 * figures in the shape of a load run's `main` (autocannon's), plus the
 * latencies `once` reported (the second step's) when it reports any.
 */
export async function closedLoop({ connections, seconds }, once) {
  const end = performance.now() + seconds * 1000;
  const latencies = [];
  const inner = [];
  let failures = 0;
  let firstError;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const part = await once();
          latencies.push(performance.now() - t0);
          if (part !== undefined) inner.push(part);
        } catch (error) {
          failures += 1;
          firstError ??= error;
        }
      }
    }),
  );
  if (failures && !latencies.length) throw firstError;
  const sorted = latencies.sort((a, b) => a - b);
  const innerSorted = inner.sort((a, b) => a - b);
  const ms = (x) => Math.round(x * 10) / 10;
  return {
    main: {
      requestsPerSecond: sorted.length / seconds,
      total: sorted.length,
      latencyMs: { p50: ms(percentile(sorted, 50)), p99: ms(percentile(sorted, 99)) },
      non2xx: failures,
      errors: 0,
    },
    secondStepMs: inner.length ? { p50: ms(percentile(innerSorted, 50)), p99: ms(percentile(innerSorted, 99)) } : undefined,
  };
}
