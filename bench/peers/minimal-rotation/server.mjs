// The least a refresh rotation must do, as a floor for duotoken's figure
// (docs/benchmarks.md): check the token's HMAC, consume it and insert its
// successor atomically, sign an Ed25519 access token, answer JSON. No
// framework, no sessions table, no reuse detection, no grace window, no
// audit. SQLite (better-sqlite3, DB_PATH) by default; PostgreSQL (`pg`) when
// DATABASE_URL is set, with its table in the schema MINIMAL_SCHEMA.
import { createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const TTL_MS = 30 * 86400_000;
const KEY = randomBytes(32);
const { privateKey } = generateKeyPairSync('ed25519');
const HEADER = Buffer.from('{"alg":"EdDSA","typ":"at+jwt"}').toString('base64url');
const TABLE = `refresh_tokens (jti varchar(64) PRIMARY KEY, session_id varchar(64) NOT NULL, user_id bigint NOT NULL,
  expires_at bigint NOT NULL, consumed_at bigint)`;
const CONSUME = 'UPDATE refresh_tokens SET consumed_at = $2 WHERE jti = $1 AND consumed_at IS NULL AND expires_at > $2 RETURNING session_id, user_id';
const INSERT = 'INSERT INTO refresh_tokens (jti, session_id, user_id, expires_at) VALUES ($1, $2, $3, $4)';

const mac = (jti) => createHmac('sha256', KEY).update(jti).digest('base64url');
const mint = (jti) => `${jti}.${mac(jti)}`;
const newId = () => randomBytes(18).toString('base64url');
/** The `jti` of a genuine `<jti>.<HMAC>` token; the database is asked only then. */
function parse(token) {
  const dot = typeof token === 'string' && token.length < 200 ? token.indexOf('.') : -1;
  if (dot < 1) return undefined;
  const [given, expected] = [Buffer.from(token.slice(dot + 1)), Buffer.from(mac(token.slice(0, dot)))];
  return given.length === expected.length && timingSafeEqual(given, expected) ? token.slice(0, dot) : undefined;
}
function accessToken(row, nowMs) {
  const iat = Math.floor(nowMs / 1000);
  const input = `${HEADER}.${Buffer.from(JSON.stringify({ sub: String(row.user_id), sid: row.session_id, iat, exp: iat + 900 })).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

/** SQLite: WAL, synchronous=NORMAL and a table in its key's b-tree, as duotoken's; consume + insert in one transaction. */
async function openSqlite(path) {
  const db = new (await import('better-sqlite3')).default(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} WITHOUT ROWID`);
  const [consume, insert] = [CONSUME, INSERT].map((sql) => db.prepare(sql.replace(/\$\d/g, '?')));
  const rotate = db.transaction((jti, next, now) => {
    const row = consume.get(now, jti, now);
    if (row) insert.run(next, row.session_id, row.user_id, now + TTL_MS);
    return row;
  });
  return { create: async (...values) => insert.run(...values), rotate: async (...values) => rotate(...values) };
}

/** PostgreSQL: consume + insert as one statement (its own transaction), one round trip, prepared once per connection. */
async function openPostgres(url, schema) {
  const pool = new (await import('pg')).default.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE}`);
  const text = `WITH consumed AS (${CONSUME}) ${INSERT.replace('VALUES ($1, $2, $3, $4)', 'SELECT $3, session_id, user_id, $4 FROM consumed')} RETURNING session_id, user_id`;
  return {
    create: (...values) => pool.query(INSERT, values),
    rotate: async (jti, next, now) => (await pool.query({ name: 'rotate', text, values: [jti, now, next, now + TTL_MS] })).rows[0],
  };
}

const store = process.env.DATABASE_URL
  ? await openPostgres(process.env.DATABASE_URL, process.env.MINIMAL_SCHEMA ?? 'minimal_rotation')
  : await openSqlite(process.env.DB_PATH ?? ':memory:');

const routes = {
  'GET /healthz': async () => [200, { status: 'ok' }],
  /** Bench set-up only: a new session's first refresh token (duotoken's bench logs in instead). */
  'POST /session': async () => {
    const jti = newId();
    await store.create(jti, newId(), 1, Date.now() + TTL_MS);
    return [200, { refresh_token: mint(jti) }];
  },
  'POST /refresh': async (body) => {
    const jti = parse(JSON.parse(body || '{}').refresh_token);
    const [now, next] = [Date.now(), newId()];
    const row = jti && (await store.rotate(jti, next, now));
    if (!row) return [401, { error: 'invalid refresh token' }];
    return [200, { access_token: accessToken(row, now), token_type: 'Bearer', expires_in: 900, refresh_token: mint(next) }];
  },
};

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const route = routes[`${req.method} ${req.url}`] ?? (async () => [404, { error: 'not found' }]);
    route(Buffer.concat(chunks).toString('utf8'))
      .catch((error) => [error instanceof SyntaxError ? 400 : 500, { error: error instanceof SyntaxError ? 'bad json' : 'internal' }])
      .then(([status, body]) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  });
}).listen(Number(process.env.PORT ?? 3002), '127.0.0.1');
