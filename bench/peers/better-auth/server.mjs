// better-auth as its documentation recommends it for a Node server on SQLite:
// better-sqlite3, email/password enabled, defaults everywhere else (scrypt
// password hashing, database-backed sessions, no cookie cache). Only the rate
// limiter is turned off, as duotoken's is for the benchmark. COOKIE_CACHE=1
// turns on `session.cookieCache` (its documented setting for fast session
// checks: a signed `session_data` cookie, 5 minutes, `compact` strategy), so
// that a session check reads no database, as duotoken's does not.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';

const PORT = Number(process.env.PORT ?? 3001);
const BASE_URL = `http://127.0.0.1:${PORT}`;

const database = new Database(process.env.DB_PATH ?? 'better-auth.db');
database.pragma('journal_mode = WAL');

export const auth = betterAuth({
  database,
  baseURL: BASE_URL,
  secret: process.env.BETTER_AUTH_SECRET ?? 'bench-secret-bench-secret-bench-secret-0123',
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  ...(process.env.COOKIE_CACHE === '1' ? { session: { cookieCache: { enabled: true, maxAge: 5 * 60 } } } : {}),
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

if (process.env.SEED_EMAIL) {
  try {
    await auth.api.signUpEmail({ body: { email: process.env.SEED_EMAIL, password: process.env.SEED_PASSWORD, name: 'Bench User' } });
  } catch (error) {
    if (!/exist/i.test(String(error?.message ?? error))) throw error;
  }
}

const handle = toNodeHandler(auth);
createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  handle(req, res);
}).listen(PORT, '127.0.0.1', () => console.log(`better-auth listening on ${PORT}`));
