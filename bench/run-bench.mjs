#!/usr/bin/env node
// `npm run bench`: duotoken against the servers teams would pick instead, on
// this machine, in one run. Each server is its own process; the load comes
// from another process (lib/load-worker.mjs, autocannon). Writes
// bench/results/<date>.{json,md,svg} and bench/results/latest.{md,svg}.
//
// Options: --seconds N (each measured run, default 6), --warmup N (default 1.5),
// --only duotoken,pg,minimal-rotation,bare-check,express-jwt,better-auth,console   --scenarios refresh,me,…
// (duotoken scenarios to run: unauthenticated, session-check, me, refresh,
// login, password-flood, mfa-login)   --profile (CPU profiles of the duotoken hot paths,
// summarised into <date>-profile.md; of the PostgreSQL store with `--only pg`). `minimal-rotation` is the rotation baseline, on
// SQLite and, with DUOTOKEN_DATABASE_URL, on PostgreSQL; `bare-check` (bare
// node:http, duotoken's bytes) is the reference for session check ÷ /healthz, measured
// with duotoken (SQLite); `better-auth` runs it without and with its cookie cache.
import { cpus, totalmem, release, platform } from 'node:os';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, treeCpuSeconds } from './lib/cpu-usage.mjs';
import { captchaCost } from './lib/captcha-cost.mjs';
import { consoleJsSize, renderConsoleSection, usersPageReadyMs } from './lib/console-bench.mjs';
import { argon2Ceiling, scryptCeiling } from './lib/hash-ceiling.mjs';
import { LoadClient } from './lib/load-client.mjs';
import { closedLoop, enrolledRecoveryCodes, passwordLogin, twoStepLogin } from './lib/mfa-login.mjs';
import { summariseProfiles } from './lib/profile-summary.mjs';
import { evaluateTargets, renderMarkdown, renderSvg } from './lib/report.mjs';
import {
  inBatches,
  installBetterAuth,
  PASSWORD,
  startBareCheck,
  startBetterAuth,
  startDuotoken,
  startExpressJwt,
  startMinimalRotation,
} from './lib/targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// `--soak`: a long rotation run with retention on (bench/soak.mjs), instead of the comparison.
if (process.argv.includes('--soak')) {
  await import('./soak.mjs');
  await new Promise(() => {}); // soak.mjs exits by itself
}
const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '1.5' },
    only: { type: 'string' },
    scenarios: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const ONLY = opts.only ? new Set(opts.only.split(',')) : undefined;
const wants = (name) => !ONLY || ONLY.has(name);
const SCENARIOS = opts.scenarios ? opts.scenarios.split(',') : undefined;
const started = Date.now();
const log = (line) => process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);

/** Connections of the throughput runs; the refresh run uses one per session. */
const CONNECTIONS = 32;
const SESSIONS = 50;
/** Rounds of the cost-of-auth pair (the median is reported), each shorter than a normal run. */
const ROUNDS = 5;
const ROUND_SECONDS = Math.min(SECONDS, 4);
const LOGIN_CONNECTIONS = 8;
/** The protected-route probe that runs beside the login flood: a steady, modest rate. */
const PROBE = { connections: 4, overallRate: 200 };
/** The password-change flood (issue #12 finding 4) and the logins measured beside it: real users logging in meanwhile. */
const FLOOD_ACCOUNTS = 8;
const FLOOD_CONNECTIONS = 32;
const LOGIN_PROBE = { connections: 2, overallRate: 20 };

const load = new LoadClient();
const runs = [];
/** argon2id verifies per second on this machine (the hash alone), measured first; sizes the MFA scenario's supply of codes. */
let argon2PerSecond;
const skipped = [];

const get = (path, headers = {}, extra = {}) => ({ kind: 'static', method: 'GET', path, headers, connections: CONNECTIONS, ...extra });
const postJson = (path, body, extra = {}) => ({
  kind: 'static',
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  connections: CONNECTIONS,
  ...extra,
});
/** Refresh chains: one connection per session; the first half of `tokens` warms up, the second is measured. */
const chain = (path, tokens, send, extract) => ({
  kind: 'chain',
  method: 'POST',
  path,
  headers: {},
  warmupTokens: tokens.slice(0, tokens.length / 2),
  tokens: tokens.slice(tokens.length / 2),
  send,
  extract,
  connections: tokens.length / 2,
});

/**
 * One measured scenario on one server; the row lands in the results. Besides
 * autocannon's figures it records the server's CPU time during the measured
 * run (all its processes), so that work per request can be compared even
 * when other work shares the machine.
 */
async function measure(server, target, scenario, job, note) {
  let cpuStart;
  let loadStart;
  const result = await load.run({ url: server.url, seconds: SECONDS, warmupSeconds: WARMUP, ...job }, () => {
    cpuStart = treeCpuSeconds(server.pid);
    loadStart = loadAverage();
  });
  const cpuEnd = treeCpuSeconds(server.pid);
  const cpuSeconds = cpuStart === undefined || cpuEnd === undefined ? undefined : cpuEnd - cpuStart;
  // Per request of the main load (a login's figure includes its share of the probe, about 1 %).
  const served = result.main.total;
  const cpu = cpuSeconds === undefined || !served ? undefined : { seconds: cpuSeconds, microsPerRequest: (cpuSeconds / served) * 1e6 };
  const row = { target, scenario, path: job.main.path, note, ...result, serverCpu: cpu, loadAverage: loadStart };
  if (!job.keep) runs.push(row);
  const m = result.main;
  const probe = result.probe ? `; probe ${result.probe.requestsPerSecond.toFixed(0)} req/s p99 ${result.probe.latencyMs.p99} ms` : '';
  const bad = m.non2xx || m.errors ? ` (${m.non2xx} non-2xx, ${m.errors} errors)` : '';
  const cpuText = cpu ? `  cpu ${cpu.microsPerRequest.toFixed(0)} µs/req` : '';
  log(
    `${target.padEnd(18)} ${scenario.padEnd(16)} ${m.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${m.latencyMs.p99} ms${cpuText}${bad}${probe}`,
  );
  return row;
}

/** The row of the median round, with every round's req/s in `rounds`. */
function medianRow(rows) {
  const median = [...rows].sort((a, b) => a.main.requestsPerSecond - b.main.requestsPerSecond)[Math.floor(rows.length / 2)];
  return { ...median, rounds: rows.map((r) => r.main.requestsPerSecond) };
}

/**
 * The cost-of-auth pair (unauthenticated route, then the protected one),
 * measured alternately `ROUNDS` times, so that both see the same machine:
 * the report judges the median of the per-round ratios, and each row shows
 * its median round. A burst of other work on the machine during one round
 * then decides neither the ratio nor the figures. Every round's req/s is kept
 * in `rounds`. An entry with its own `server` and `target` (the bare-check
 * reference) takes its turn in the same rounds.
 */
async function measureAuthCost(server, target, pair) {
  const rounds = pair.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, entry] of pair.entries())
      rounds[i].push(
        await measure(
          entry.server ?? server,
          entry.target ?? target,
          entry.scenario,
          { ...entry.job, keep: true, seconds: ROUND_SECONDS },
          entry.note,
        ),
      );
  for (const r of rounds) runs.push(medianRow(r));
}

/**
 * Scenarios that compare servers with one another (duotoken's refresh against
 * the minimal rotation, PostgreSQL against SQLite) in the same way: all the
 * servers run, and each round measures each of them in turn, so that a
 * ratio of two servers is taken on the same machine, round by round. An
 * entry is `{ server, target, scenario, note, job }`; `job()` gives the load
 * of one round (a refresh round asks for fresh sessions).
 */
async function measureAcross(entries, rounds = ROUNDS) {
  for (const scenario of new Set(entries.map((e) => e.scenario))) {
    const group = entries.filter((e) => e.scenario === scenario);
    const rows = group.map(() => []);
    for (let round = 0; round < rounds; round++)
      for (const [i, e] of group.entries())
        rows[i].push(await measure(e.server, e.target, scenario, { ...(await e.job()), keep: true, seconds: ROUND_SECONDS }, e.note));
    for (const r of rows) runs.push(medianRow(r));
  }
}

/** A refresh entry for `measureAcross`: each round, 2 × SESSIONS new sessions (half warm up, half are measured). */
function refreshEntry(server, target, path, extract, note) {
  const job = async () => {
    const sessions = await inBatches(2 * SESSIONS, 4, () => server.login());
    return {
      main: chain(
        path,
        sessions.map((s) => s.refresh_token),
        { jsonField: 'refresh_token' },
        extract,
      ),
    };
  };
  return { server, target, scenario: 'refresh', note, job };
}

/** Starts a server; one that does not start is listed under "Not run" with the line of its output that says why. */
async function startOrSkip(target, start) {
  try {
    return await start();
  } catch (error) {
    const lines = String(error.message).split('\n');
    const reason = (lines.find((l) => /duotoken:|Error/.test(l)) ?? lines[0]).trim();
    skipped.push({ target, reason: `not run: server did not start (${reason.slice(0, 200)})` });
    log(`${target}: not run — ${reason}`);
    return undefined;
  }
}

/**
 * Scenarios of one duotoken configuration; `only` restricts them (profiling
 * runs one at a time). Those it measures alone run here; the server is left
 * running and returned with the entries for `measureAcross` (`me`, `refresh`),
 * whose caller stops it.
 */
async function benchDuotoken(target, env, { profileDir, only } = {}) {
  const pick = (name) => !only || only.includes(name);
  const server = await startOrSkip(target, () => startDuotoken({ root: ROOT, label: target, env, profileDir }));
  if (!server) return;
  try {
    const pair = await server.login();
    const bearer = { authorization: `Bearer ${pair.access_token}` };
    if (pick('unauthenticated') && pick('session-check')) {
      // The reference for the ratio (SQLite run only: it does not depend on the store), in the same rounds.
      const bare =
        target === 'duotoken' && wants('bare-check')
          ? await startOrSkip('bare-check', () => startBareCheck({ root: ROOT, token: pair.access_token }))
          : undefined;
      try {
        await measureAuthCost(server, target, [
          { scenario: 'unauthenticated', job: { main: get('/healthz') } },
          { scenario: 'session-check', job: { main: get('/auth/verify', bearer) }, note: 'forward-auth GET /auth/verify' },
          ...(bare
            ? [
                {
                  server: bare,
                  target: 'bare-check',
                  scenario: 'unauthenticated',
                  job: { main: get('/healthz') },
                  note: "duotoken's /healthz bytes",
                },
                {
                  server: bare,
                  target: 'bare-check',
                  scenario: 'session-check',
                  job: { main: get('/auth/verify', bearer) },
                  note: "duotoken's /auth/verify bytes after one Map lookup",
                },
              ]
            : []),
        ]);
      } finally {
        await bare?.stop();
      }
    } else if (pick('session-check'))
      await measure(server, target, 'session-check', { main: get('/auth/verify', bearer) }, 'forward-auth GET /auth/verify');
    const entries = [];
    if (pick('me'))
      entries.push({
        server,
        target,
        scenario: 'me',
        note: 'GET /auth/me (reads user, memberships, session)',
        job: async () => ({ main: get('/auth/me', bearer) }),
      });
    if (pick('refresh'))
      entries.push(
        refreshEntry(
          server,
          target,
          '/auth/refresh-token',
          'data.refresh_token',
          `${SESSIONS} sessions rotating, each connection its own chain`,
        ),
      );
    if (pick('login')) await measure(server, target, 'probe-idle', { main: get('/auth/verify', bearer, PROBE) }, 'the login probe alone');
    if (pick('login'))
      await measure(
        server,
        target,
        'login',
        {
          main: postJson('/auth/login', { account: server.account, password: PASSWORD }, { connections: LOGIN_CONNECTIONS }),
          probe: get('/auth/verify', bearer, PROBE),
        },
        'argon2id m=19456 t=2 p=1; probe = GET /auth/verify at 200 req/s during the flood',
      );
    if (pick('password-flood')) await measurePasswordFlood(server, target);
    if (pick('mfa-login')) await measureMfaLogin(server, target);
    return { server, entries };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The minimal rotation on SQLite and, when DUOTOKEN_DATABASE_URL is set, on PostgreSQL: servers and their refresh entries. */
async function startMinimalRotations() {
  const out = [];
  for (const [target, databaseUrl] of [
    ['minimal-rotation', undefined],
    ['minimal-rotation-pg', process.env.DUOTOKEN_DATABASE_URL],
  ]) {
    if (target === 'minimal-rotation-pg' && !databaseUrl) {
      skipped.push({ target, reason: 'not run: DUOTOKEN_DATABASE_URL is not set' });
      continue;
    }
    const server = await startOrSkip(target, () => startMinimalRotation({ root: ROOT, label: target, databaseUrl }));
    if (!server) continue;
    const note = `${SESSIONS} sessions rotating: HMAC check, consume + insert in one transaction, Ed25519 signature, JSON`;
    out.push({ server, entries: [refreshEntry(server, target, '/refresh', 'refresh_token', note)] });
  }
  return out;
}

/**
 * Login p99 while a few accounts flood `POST /auth/password` (issue #12
 * finding 4). Each sends its own right old password, so no lockout stops
 * them (it only caps each account at 10 checks in flight): every request
 * costs a verify and a hash, and only the bounded hash queue
 * (DUOTOKEN_HASH_QUEUE) keeps the logins beside the flood from waiting
 * seconds behind it. Over the queue a login is refused at once with 10023
 * (the probe's non-2xx). Rate limits are off in the bench, as for every scenario.
 */
async function measurePasswordFlood(server, target) {
  const login = postJson('/auth/login', { account: server.account, password: PASSWORD }, LOGIN_PROBE);
  await measure(server, target, 'login-probe-idle', { main: login }, `${LOGIN_PROBE.overallRate} logins/s alone`);
  const tokens = [];
  for (let i = 0; i < FLOOD_ACCOUNTS; i++) tokens.push(`Bearer ${(await server.login(await server.addUser(`flood${i}`))).access_token}`);
  const flood = {
    ...postJson('/auth/password', { old_password: PASSWORD, new_password: PASSWORD }, { connections: FLOOD_CONNECTIONS }),
    kind: 'per-connection',
    header: 'authorization',
    values: tokens,
  };
  await measure(
    server,
    target,
    'password-flood',
    { main: flood, probe: login },
    `${FLOOD_CONNECTIONS} connections of ${FLOOD_ACCOUNTS} accounts changing their passwords (right old password: never locked); probe = ${LOGIN_PROBE.overallRate} logins/s of another account`,
  );
}

/**
 * The login with a second step (issue #15) against the password login alone,
 * on one server, in alternating rounds of closed loops (LOGIN_CONNECTIONS
 * workers each): password + recovery code (10060, then `/auth/mfa/verify`)
 * on accounts with TOTP enrolled, and the password login of an account
 * without a factor. Each two-step login spends one recovery code, so enough
 * accounts are enrolled first (through the API) for every round.
 */
async function measureMfaLogin(server, target) {
  const perRound = Math.ceil((argon2PerSecond ?? 200) * 1.5 * ROUND_SECONDS);
  const accounts = Math.ceil((perRound * ROUNDS) / 10);
  log(`${target}: enrolling TOTP for ${accounts} accounts (recovery codes for the two-step logins) …`);
  const codes = await enrolledRecoveryCodes(server.url, server.account, accounts);
  const plain = [];
  const twoStep = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [rows, scenario, once] of [
      [plain, 'login-closed', passwordLogin(server.url, server.account)],
      [twoStep, 'login-mfa', twoStepLogin(server.url, codes)],
    ]) {
      const cpuStart = treeCpuSeconds(server.pid);
      const loadStart = loadAverage();
      const result = await closedLoop({ connections: LOGIN_CONNECTIONS, seconds: ROUND_SECONDS }, once);
      const cpuEnd = treeCpuSeconds(server.pid);
      const served = result.main.total;
      const cpu =
        cpuStart === undefined || cpuEnd === undefined || !served
          ? undefined
          : { seconds: cpuEnd - cpuStart, microsPerRequest: ((cpuEnd - cpuStart) / served) * 1e6 };
      const note =
        scenario === 'login-mfa'
          ? `password then recovery code (10060 + /auth/mfa/verify), ${LOGIN_CONNECTIONS} closed loops; second step alone p50 ${result.secondStepMs?.p50} ms, p99 ${result.secondStepMs?.p99} ms`
          : `password login of an account without a factor, ${LOGIN_CONNECTIONS} closed loops (the baseline of login-mfa)`;
      rows.push({ target, scenario, path: '/auth/login', note, ...result, serverCpu: cpu, loadAverage: loadStart });
      log(
        `${target.padEnd(18)} ${scenario.padEnd(16)} ${result.main.requestsPerSecond.toFixed(0).padStart(7)} logins/s  p99 ${result.main.latencyMs.p99} ms${cpu ? `  cpu ${cpu.microsPerRequest.toFixed(0)} µs/login` : ''}${result.main.non2xx ? ` (${result.main.non2xx} failed)` : ''}`,
      );
    }
  }
  runs.push(medianRow(plain), medianRow(twoStep));
}

async function benchExpressJwt() {
  const target = 'express-jwt';
  const server = await startExpressJwt({ root: ROOT });
  try {
    const pair = await server.login();
    const bearer = { authorization: `Bearer ${pair.accessToken}` };
    await measureAuthCost(server, target, [
      { scenario: 'unauthenticated', job: { main: get('/healthz') } },
      { scenario: 'session-check', job: { main: get('/protected', bearer) }, note: 'GET /protected (jwt.verify, HS256)' },
    ]);
    await measure(server, target, 'me', { main: get('/me', bearer) }, 'GET /me (jwt.verify + one SELECT)');
    const sessions = await inBatches(2 * SESSIONS, 4, () => server.login());
    await measure(
      server,
      target,
      'refresh',
      {
        main: chain(
          '/refresh',
          sessions.map((s) => s.refreshToken),
          { jsonField: 'refreshToken' },
          'refreshToken',
        ),
      },
      `${SESSIONS} sessions rotating`,
    );
    await measure(server, target, 'probe-idle', { main: get('/protected', bearer, PROBE) }, 'the login probe alone');
    await measure(
      server,
      target,
      'login',
      {
        main: postJson('/login', { email: server.email, password: PASSWORD }, { connections: LOGIN_CONNECTIONS }),
        probe: get('/protected', bearer, PROBE),
      },
      'argon2id m=19456 t=2 p=1 (same as duotoken), no concurrency cap',
    );
  } finally {
    await server.stop();
  }
}

/** better-auth as configured by default; with `cookieCache`, its cookie cache on (the session check only). */
async function benchBetterAuth({ cookieCache = false } = {}) {
  const target = cookieCache ? 'better-auth-cookie-cache' : 'better-auth';
  try {
    await installBetterAuth({ root: ROOT, log });
  } catch (error) {
    skipped.push({ target, reason: `not run: npm install failed (${String(error.message).split('\n')[0]})` });
    log(`${target}: not run — install failed`);
    return;
  }
  const server = await startBetterAuth({ root: ROOT, cookieCache });
  try {
    const cookie = { cookie: await server.login() };
    const check = cookieCache
      ? 'GET /api/auth/get-session (session token + session_data cookies; the cached session, no DB read)'
      : 'GET /api/auth/get-session (cookie)';
    await measureAuthCost(server, target, [
      { scenario: 'unauthenticated', job: { main: get('/healthz') }, note: 'plain node:http handler beside better-auth' },
      { scenario: 'session-check', job: { main: get('/api/auth/get-session', cookie) }, note: check },
    ]);
    if (cookieCache) return;
    await measure(server, target, 'probe-idle', { main: get('/api/auth/get-session', cookie, PROBE) }, 'the login probe alone');
    await measure(
      server,
      target,
      'login',
      {
        main: postJson(
          '/api/auth/sign-in/email',
          { email: server.email, password: PASSWORD },
          { connections: LOGIN_CONNECTIONS, headers: { 'content-type': 'application/json', origin: server.origin } },
        ),
        probe: get('/api/auth/get-session', cookie, PROBE),
      },
      'POST /api/auth/sign-in/email; scrypt N=16384 r=16 p=1 (its default)',
    );
  } finally {
    await server.stop();
  }
}

/** The web console: gzip size of its JS, and the users page ready with 10,000 users (real Chromium). */
async function benchConsole() {
  const size = consoleJsSize(ROOT);
  const server = await startDuotoken({ root: ROOT, label: 'duotoken-console' });
  try {
    log('console: users page with 10,000 users (Chromium) …');
    const browserPath = process.env.DUOTOKEN_TEST_BROWSER ?? '/usr/bin/chromium';
    const usersPageReady = await usersPageReadyMs({ server, adminPassword: PASSWORD, browserPath });
    log(
      `console: JS ${size.firstLoadGzipBytes} B gzip first load, ${size.allGzipBytes} B all; users page ready in ${usersPageReady.ms} ms`,
    );
    return { ...size, usersPageReady };
  } finally {
    await server.stop();
  }
}

async function main() {
  const date = new Date().toISOString().replace(/:/g, '-').replace(/\..+$/, '');
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverageAtStart: loadAverage(),
  };
  log(`machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  const reference = {};
  log('hash ceilings (the hash alone, 2 at a time) …');
  reference.argon2idVerifyPerSecond = await argon2Ceiling(3, 2);
  argon2PerSecond = reference.argon2idVerifyPerSecond;
  reference.scryptVerifyPerSecond = await scryptCeiling(3, 2);
  log(`argon2id ${reference.argon2idVerifyPerSecond.toFixed(0)}/s, scrypt ${reference.scryptVerifyPerSecond.toFixed(0)}/s`);
  reference.captcha = await captchaCost(ROOT, 1);
  const before = reference.captcha.svgCaptcha
    ? `; svg-captcha (before #12.5) ${reference.captcha.svgCaptcha.microsPerImage.toFixed(0)} µs`
    : '';
  log(`captcha: ${reference.captcha.distorted.microsPerImage.toFixed(0)} µs CPU per image${before}`);

  try {
    // Servers kept running until the scenarios measured across them are done.
    const open = [];
    try {
      if (wants('duotoken')) open.push(await benchDuotoken('duotoken', {}, { only: SCENARIOS }));
      if (wants('pg')) {
        if (process.env.DUOTOKEN_DATABASE_URL)
          open.push(await benchDuotoken('duotoken-pg', { DUOTOKEN_DATABASE_URL: process.env.DUOTOKEN_DATABASE_URL }, { only: SCENARIOS }));
        else skipped.push({ target: 'duotoken-pg', reason: 'not run: DUOTOKEN_DATABASE_URL is not set' });
      }
      if (wants('minimal-rotation') && (!SCENARIOS || SCENARIOS.includes('refresh'))) open.push(...(await startMinimalRotations()));
      await measureAcross(open.flatMap((o) => o?.entries ?? []));
    } finally {
      for (const o of open) await o?.server.stop();
    }
    if (wants('express-jwt')) await benchExpressJwt();
    if (wants('better-auth')) {
      await benchBetterAuth();
      await benchBetterAuth({ cookieCache: true });
    }

    const consoleFigures = wants('console') ? await benchConsole() : undefined;

    let profiles;
    if (opts.profile) {
      // One profiled server per hot path, so that each profile holds one scenario.
      profiles = [];
      const before = runs.length;
      // `--only pg` profiles the PostgreSQL store; otherwise the default one.
      const profiledTarget =
        ONLY?.has('pg') && !ONLY.has('duotoken') && process.env.DUOTOKEN_DATABASE_URL
          ? { target: 'duotoken-pg', env: { DUOTOKEN_DATABASE_URL: process.env.DUOTOKEN_DATABASE_URL } }
          : { target: 'duotoken', env: {} };
      for (const scenario of SCENARIOS ?? ['session-check', 'me', 'refresh', 'login']) {
        const profileDir = mkdtempSync(join(tmpdir(), `duotoken-prof-${scenario}-`));
        log(`profiling ${profiledTarget.target} ${scenario} (node --cpu-prof) …`);
        const profiled = await benchDuotoken(profiledTarget.target, profiledTarget.env, { profileDir, only: [scenario] });
        try {
          await measureAcross(profiled?.entries ?? [], 1);
        } finally {
          await profiled?.server.stop();
        }
        profiles.push(summariseProfiles(profileDir, 25, `${profiledTarget.target} ${scenario}`));
        rmSync(profileDir, { recursive: true, force: true });
      }
      runs.splice(before);
      profiles = profiles.join('\n');
    }

    const report = {
      date,
      machine,
      settings: {
        rounds: ROUNDS,
        roundSeconds: ROUND_SECONDS,
        seconds: SECONDS,
        warmupSeconds: WARMUP,
        connections: CONNECTIONS,
        sessions: SESSIONS,
        loginConnections: LOGIN_CONNECTIONS,
        probe: PROBE,
        passwordFlood: { accounts: FLOOD_ACCOUNTS, connections: FLOOD_CONNECTIONS, loginProbe: LOGIN_PROBE },
      },
      reference,
      runs,
      console: consoleFigures,
      skipped,
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
    report.targets = evaluateTargets(report);
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${date}.json`), JSON.stringify(report, null, 2) + '\n');
    const svgName = `${date}.svg`;
    writeFileSync(join(dir, svgName), renderSvg(report));
    const markdown = renderMarkdown(report, { svg: svgName }) + renderConsoleSection(consoleFigures);
    writeFileSync(join(dir, `${date}.md`), markdown);
    writeFileSync(join(dir, 'latest.md'), renderMarkdown(report, { svg: 'latest.svg' }) + renderConsoleSection(consoleFigures));
    copyFileSync(join(dir, svgName), join(dir, 'latest.svg'));
    if (profiles) writeFileSync(join(dir, `${date}-profile.md`), profiles);
    log(`wrote bench/results/${date}.{json,md,svg} and latest.{md,svg} in ${report.wallSeconds} s`);
    process.stdout.write(`\n${markdown}\n`);
  } finally {
    load.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  load.close();
  process.exit(1);
});
