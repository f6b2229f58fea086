// The CPU of each step of a login, measured apart (issue #15): a password
// login of an account without a factor, the first step of an account with one
// (password → 10060), and the second step (recovery code → pair), each as a
// burst of requests 4 at a time, with the server's CPU (all its threads) and,
// with `--pg`, PostgreSQL's (all its processes) read from /proc before and
// after. The bench's closed loops give the rates; this says where a two-step
// login's extra cost lies. `node bench/step-costs.mjs [--pg]` after `npm run build`;
// `--pg` uses DUOTOKEN_DATABASE_URL (default the local test database).
import { commandCpuSeconds, treeCpuSeconds } from './lib/cpu-usage.mjs';
import { call, enrolledRecoveryCodes, expectStatus } from './lib/mfa-login.mjs';
import { PASSWORD, startDuotoken } from './lib/targets.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const PG = process.argv.includes('--pg');
const env = PG ? { DUOTOKEN_DATABASE_URL: process.env.DUOTOKEN_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test' } : {};
const postgresCpuSeconds = () => (PG ? commandCpuSeconds('postgres') : 0);

const server = await startDuotoken({ root: ROOT, label: PG ? 'duotoken-pg' : 'duotoken', env });

/** Runs `work(i)` for i < n, 4 at a time; prints the CPU per request. */
async function measure(label, n, work) {
  const [server0, pg0] = [treeCpuSeconds(server.pid), postgresCpuSeconds()];
  const results = [];
  for (let i = 0; i < n; i += 4) results.push(...(await Promise.all([0, 1, 2, 3].filter((j) => i + j < n).map((j) => work(i + j)))));
  const [server1, pg1] = [treeCpuSeconds(server.pid), postgresCpuSeconds()];
  const us = (seconds) => `${((seconds / n) * 1e6).toFixed(0).padStart(6)} µs`;
  console.log(`${label.padEnd(40)} server ${us(server1 - server0)}${PG ? `   postgres ${us(pg1 - pg0)}` : ''}`);
  return results;
}

try {
  const codes = await enrolledRecoveryCodes(server.url, `steps-${process.pid}`, 40);
  const half = codes.length / 2;
  for (const round of [codes.slice(0, half), codes.slice(half)]) {
    await measure('password login (account without factor)', half, async () =>
      expectStatus(await call(server.url, '/auth/login', { account: server.account, password: PASSWORD }), 200, 'password login'),
    );
    const tickets = await measure('first step (password → 10060)', half, async (i) => {
      const first = await call(server.url, '/auth/login', { account: round[i].account, password: PASSWORD });
      if (first.json.code !== '10060') throw new Error(`first step: ${JSON.stringify(first.json)}`);
      return first.json.data.mfa_ticket;
    });
    await measure('second step (recovery code → pair)', half, async (i) =>
      expectStatus(
        await call(server.url, '/auth/mfa/verify', { mfa_ticket: tickets[i], method: 'recovery_code', code: round[i].code }),
        200,
        'second step',
      ),
    );
  }
} finally {
  await server.stop();
}
