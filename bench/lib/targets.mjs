// Starting the servers under test, each as its own process on 127.0.0.1, and
// the few calls the runner makes to prepare a scenario (accounts, sessions).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCommand, startProcess } from './processes.mjs';

export const PASSWORD = 'correct horse battery staple';

/**
 * A fixed server secret for the bench (never for production): a PostgreSQL
 * database keeps the signing keys sealed under it, so runs against the same
 * scratch database keep working.
 */
const BENCH_SECRET = 'ZHVvdG9rZW4tYmVuY2gtc2VjcmV0LW5vdC1mb3ItcHJvZHVjdGlvbg';

async function postJson(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return { res, json: JSON.parse(text) };
}

/** Runs `work(i)` for i < n, `concurrency` at a time. */
export async function inBatches(n, concurrency, work) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

/**
 * duotoken from the built CLI (`npm run build` first) with a temp data dir,
 * rate limits and captcha off, log level warn. `env` adds settings
 * (`DUOTOKEN_DATABASE_URL`, `DUOTOKEN_WORKERS`). A bench account with a
 * membership is created through the CLI, as an operator would.
 */
export async function startDuotoken({ root, label, env = {}, profileDir }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-bench-'));
  const settings = {
    DUOTOKEN_DATA_DIR: dataDir,
    DUOTOKEN_PORT: String(port),
    DUOTOKEN_HOST: '127.0.0.1',
    DUOTOKEN_RATE_LIMITS: 'off',
    DUOTOKEN_CAPTCHA: 'off',
    DUOTOKEN_LOG_LEVEL: 'warn',
    DUOTOKEN_ADMIN_PASSWORD: PASSWORD,
    DUOTOKEN_SECRET: BENCH_SECRET,
    ...env,
  };
  const bin = join(root, 'packages/server/bin/duotoken.js');
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const proc = await startProcess({
    name: label,
    command: process.execPath,
    args: [...nodeArgs, bin, 'serve'],
    cwd: root,
    env: settings,
    url: `http://127.0.0.1:${port}`,
  });
  const account = `bench-${process.pid}-${port}`;
  const cli = (args, input) => runCommand(process.execPath, [bin, '--json', ...args], { cwd: root, env: settings, input });
  try {
    await cli(['user', 'add', account, '--password-stdin', '--name', 'Bench User'], PASSWORD);
    const company = JSON.parse(await cli(['company', 'add', 'Bench Co']));
    await cli(['member', 'add', account, String(company.id), '--role', 'member', '--default']);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    ...proc,
    account,
    /** A new session of the bench account (or of `as`): the standard token pair. */
    async login(as = account) {
      const { json } = await postJson(`${proc.url}/auth/login`, { account: as, password: PASSWORD });
      return json.data;
    },
    /** Adds another account (password `PASSWORD`) through the CLI; returns its name. */
    async addUser(suffix) {
      const other = `${account}-${suffix}`;
      await cli(['user', 'add', other, '--password-stdin'], PASSWORD);
      return other;
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The hand-rolled Express + jsonwebtoken baseline (bench/peers/express-jwt). */
export async function startExpressJwt({ root }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'express-jwt-bench-'));
  const email = 'bench@example.com';
  const proc = await startProcess({
    name: 'express-jwt',
    command: process.execPath,
    args: [join(root, 'bench/peers/express-jwt/server.mjs')],
    cwd: root,
    env: { PORT: String(port), DB_PATH: join(dataDir, 'db.sqlite'), SEED_EMAIL: email, SEED_PASSWORD: PASSWORD, NODE_ENV: 'production' },
    url: `http://127.0.0.1:${port}`,
  });
  return {
    ...proc,
    email,
    async login() {
      return (await postJson(`${proc.url}/login`, { email, password: PASSWORD })).json;
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * better-auth, installed at run time into bench/peers/better-auth with its
 * own package.json (never into the workspace). better-sqlite3 is linked from
 * the workspace's install (same version) and install scripts are skipped, so
 * the native module is not rebuilt; an existing install of the pinned
 * version is reused.
 */
export async function installBetterAuth({ root, log }) {
  const dir = join(root, 'bench/peers/better-auth');
  const wanted = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies['better-auth'];
  const installed = join(dir, 'node_modules/better-auth/package.json');
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === wanted) return;
  log(`installing better-auth@${wanted} into bench/peers/better-auth …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await runCommand(npm, ['install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir });
}

/** better-auth with email/password on better-sqlite3 (bench/peers/better-auth). */
export async function startBetterAuth({ root }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'better-auth-bench-'));
  const email = 'bench@example.com';
  const proc = await startProcess({
    name: 'better-auth',
    command: process.execPath,
    args: [join(root, 'bench/peers/better-auth/server.mjs')],
    cwd: join(root, 'bench/peers/better-auth'),
    env: {
      PORT: String(port),
      DB_PATH: join(dataDir, 'db.sqlite'),
      SEED_EMAIL: email,
      SEED_PASSWORD: PASSWORD,
      NODE_ENV: 'production',
      BETTER_AUTH_TELEMETRY: '0',
    },
    url: `http://127.0.0.1:${port}`,
  });
  return {
    ...proc,
    email,
    /** Signs in; returns the session cookie. */
    /** What a browser sends: better-auth refuses a sign-in without an Origin in production. */
    origin: proc.url,
    async login() {
      const { res } = await postJson(`${proc.url}/api/auth/sign-in/email`, { email, password: PASSWORD }, { origin: proc.url });
      const cookie = /better-auth\.session_token=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
      if (!cookie) throw new Error('better-auth sign-in set no session cookie');
      return cookie;
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
