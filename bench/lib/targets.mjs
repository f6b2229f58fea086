// Starting the servers under test, each as its own process on 127.0.0.1, and
// the few calls the runner makes to prepare a scenario (accounts, sessions).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
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
    dataDir,
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

/** The reference for the session-check ratio (bench/peers/bare-check): bare node:http answering duotoken's bytes for `token`. */
export async function startBareCheck({ root, token }) {
  const port = await freePort();
  return startProcess({
    name: 'bare-check',
    command: process.execPath,
    args: [join(root, 'bench/peers/bare-check/server.mjs')],
    cwd: root,
    env: { PORT: String(port), KNOWN_TOKEN: token, NODE_ENV: 'production' },
    url: `http://127.0.0.1:${port}`,
  });
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

/**
 * better-auth with email/password on better-sqlite3 (bench/peers/better-auth);
 * `cookieCache` turns on its `session.cookieCache`.
 */
export async function startBetterAuth({ root, cookieCache = false }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'better-auth-bench-'));
  const email = 'bench@example.com';
  const proc = await startProcess({
    name: cookieCache ? 'better-auth (cookie cache)' : 'better-auth',
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
      COOKIE_CACHE: cookieCache ? '1' : '0',
    },
    url: `http://127.0.0.1:${port}`,
  });
  return {
    ...proc,
    email,
    /** What a browser sends: better-auth refuses a sign-in without an Origin in production. */
    origin: proc.url,
    /** Signs in; returns the `Cookie` header a browser would send next (the session token, and the cached session data when on). */
    async login() {
      const { res } = await postJson(`${proc.url}/api/auth/sign-in/email`, { email, password: PASSWORD }, { origin: proc.url });
      const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
      const wanted = cookieCache ? ['session_token', 'session_data'] : ['session_token'];
      const missing = wanted.filter((name) => !cookies.some((c) => c.startsWith(`better-auth.${name}=`)));
      if (missing.length) throw new Error(`better-auth sign-in set no ${missing.join(', ')} cookie`);
      return cookies.filter((c) => wanted.some((name) => c.startsWith(`better-auth.${name}=`))).join('; ');
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A `postgres://` URL as `pg` takes it, and the schema named by its `?schema=` (duotoken's own parameter). */
function splitSchema(databaseUrl) {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  // As duotoken (and libpq) do: no user in the URL or PGUSER means the operating-system user.
  if (!url.username && !process.env.PGUSER) url.username = userInfo().username;
  return { connectionString: url.toString(), schema };
}

/**
 * The minimal rotation (bench/peers/minimal-rotation): on SQLite in a temp
 * file, or on PostgreSQL when `databaseUrl` is given, with its table in a
 * schema of its own beside duotoken's (`<schema>_minimal_rotation`, or
 * `minimal_rotation` when the URL names none), kept across runs as
 * duotoken's is. `login()` stands for a sign-in: a new session's first
 * refresh token.
 */
export async function startMinimalRotation({ root, label, databaseUrl }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'minimal-rotation-bench-'));
  const env = { PORT: String(port), NODE_ENV: 'production' };
  if (databaseUrl) {
    const { connectionString, schema } = splitSchema(databaseUrl);
    env.DATABASE_URL = connectionString;
    env.MINIMAL_SCHEMA = schema ? `${schema}_minimal_rotation` : 'minimal_rotation';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(env.MINIMAL_SCHEMA)) throw new Error(`schema name too long or not plain: ${env.MINIMAL_SCHEMA}`);
  } else env.DB_PATH = join(dataDir, 'db.sqlite');
  const proc = await startProcess({
    name: label,
    command: process.execPath,
    args: [join(root, 'bench/peers/minimal-rotation/server.mjs')],
    cwd: root,
    env,
    url: `http://127.0.0.1:${port}`,
  });
  return {
    ...proc,
    async login() {
      return (await postJson(`${proc.url}/session`, {})).json;
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
