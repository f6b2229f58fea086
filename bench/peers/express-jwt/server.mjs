// The baseline most teams start from: a hand-rolled Express + jsonwebtoken
// dual-token server. HS256 access tokens (15 min), refresh tokens as JWTs
// whose jti is stored in SQLite and rotated on use. No reuse detection, no
// grace window, no lockout, no revocation of access tokens: this is what
// duotoken is measured against, not a recommendation.
// The password hash is argon2id at the same cost as duotoken's default, so
// the login comparison measures the server, not the choice of hash.
import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import express from 'express';
import jwt from 'jsonwebtoken';

const PORT = Number(process.env.PORT ?? 3000);
const ACCESS_SECRET = process.env.ACCESS_SECRET ?? 'access-secret-change-me-access-secret';
const REFRESH_SECRET = process.env.REFRESH_SECRET ?? 'refresh-secret-change-me-refresh-secret';
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

const db = new Database(process.env.DB_PATH ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL, password_hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS refresh_tokens (jti TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
`);
const findUserByEmail = db.prepare('SELECT * FROM users WHERE email = ?');
const findUserById = db.prepare('SELECT id, email, name FROM users WHERE id = ?');
const insertRefresh = db.prepare('INSERT INTO refresh_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)');
const revokeRefresh = db.prepare('UPDATE refresh_tokens SET revoked = 1 WHERE jti = ? AND revoked = 0 AND expires_at > ?');

if (process.env.SEED_EMAIL && !findUserByEmail.get(process.env.SEED_EMAIL))
  db.prepare('INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)').run(
    process.env.SEED_EMAIL,
    'Bench User',
    await hash(process.env.SEED_PASSWORD, ARGON2),
  );

function issueTokens(user) {
  const accessToken = jwt.sign({ sub: String(user.id), email: user.email }, ACCESS_SECRET, { expiresIn: '15m' });
  const jti = randomUUID();
  const refreshToken = jwt.sign({ sub: String(user.id) }, REFRESH_SECRET, { expiresIn: '30d', jwtid: jti });
  insertRefresh.run(jti, user.id, Date.now() + 30 * 86400_000);
  return { accessToken, refreshToken };
}

function requireAuth(req, res, next) {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return res.status(401).json({ error: 'missing token' });
  try {
    req.user = jwt.verify(header.slice(7), ACCESS_SECRET);
    next();
  } catch {
    res.status(401).json({ error: 'invalid token' });
  }
}

const app = express();
app.use(express.json());

app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));

app.post('/login', async (req, res) => {
  const { email, password } = req.body ?? {};
  const user = typeof email === 'string' ? findUserByEmail.get(email) : undefined;
  if (!user || typeof password !== 'string' || !(await verify(user.password_hash, password)))
    return res.status(401).json({ error: 'invalid credentials' });
  res.json(issueTokens(user));
});

app.post('/refresh', (req, res) => {
  let payload;
  try {
    payload = jwt.verify(req.body?.refreshToken ?? '', REFRESH_SECRET);
  } catch {
    return res.status(401).json({ error: 'invalid refresh token' });
  }
  const rotated = db.transaction(() => {
    if (revokeRefresh.run(payload.jti, Date.now()).changes !== 1) return undefined;
    return issueTokens({ id: Number(payload.sub), email: findUserById.get(Number(payload.sub))?.email });
  })();
  if (!rotated) return res.status(401).json({ error: 'refresh token revoked' });
  res.json(rotated);
});

app.get('/protected', requireAuth, (req, res) => res.json({ userId: req.user.sub }));

app.get('/me', requireAuth, (req, res) => {
  const user = findUserById.get(Number(req.user.sub));
  if (!user) return res.status(404).json({ error: 'not found' });
  res.json(user);
});

app.listen(PORT, '127.0.0.1', () => console.log(`express-jwt listening on ${PORT}`));
