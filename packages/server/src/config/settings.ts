import { parseDuration } from './duration.js';
import { parseUpstreams, type UpstreamRoute } from './parse-upstreams.js';
import { parseCorsOrigins } from './parse-cors-origins.js';
import { parseVerifierTokens } from './parse-verifier-tokens.js';

/** Result of parsing one raw setting: a value, or a sentence saying what is wrong. */
type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** One setting: its config key, environment variable, default and parser. */
export interface Setting<T> {
  /** Environment variable name (`DUOTOKEN_ACCESS_TTL`). */
  readonly env: string;
  /** Key in the JSON config file (`access_ttl`; nested objects are flattened with `_`). */
  readonly fileKey: string;
  /** Default as text for the docs, `undefined` when the setting is unset by default. */
  readonly defaultText: string;
  readonly description: string;
  readonly parse: (raw: unknown) => Parsed<T>;
  readonly fallback: T;
}

function setting<T>(name: string, fallback: T, defaultText: string, description: string, parse: (raw: unknown) => Parsed<T>): Setting<T> {
  return { env: `DUOTOKEN_${name.toUpperCase()}`, fileKey: name, fallback, defaultText, description, parse };
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

const integer =
  (min: number, max: number) =>
  (raw: unknown): Parsed<number> => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? ok(n) : bad(`must be a whole number from ${min} to ${max}`);
  };

const duration =
  (minSeconds: number) =>
  (raw: unknown): Parsed<number> => {
    const s = parseDuration(raw);
    if (s === undefined) return bad('must be seconds or a duration like "15m", "30d"');
    return s >= minSeconds ? ok(s) : bad(`must be at least ${minSeconds} seconds`);
  };

const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (raw: unknown): Parsed<T> =>
    typeof raw === 'string' && (choices as readonly string[]).includes(raw.trim())
      ? ok(raw.trim() as T)
      : bad(`must be one of ${choices.join(', ')}`);

const listOf =
  <T extends string>(choices: readonly T[] | null, allowEmpty = false) =>
  (raw: unknown): Parsed<T[]> => {
    const items = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : [])
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (!allowEmpty && items.length === 0) return bad('must name at least one item');
    const unknown = choices ? items.filter((i) => !(choices as readonly string[]).includes(i)) : [];
    if (unknown.length) return bad(`unknown item ${unknown.join(', ')}; choose from ${choices!.join(', ')}`);
    return ok([...new Set(items)] as T[]);
  };

const onOff = (raw: unknown): Parsed<boolean> => {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['on', 'true', '1', 'yes'].includes(text)) return ok(true);
  if (['off', 'false', '0', 'no'].includes(text)) return ok(false);
  return bad('must be on or off');
};

const text =
  (pattern?: RegExp, hint?: string) =>
  (raw: unknown): Parsed<string> => {
    if (typeof raw !== 'string' || raw.trim() === '') return bad('must be a non-empty string');
    return !pattern || pattern.test(raw.trim()) ? ok(raw.trim()) : bad(hint ?? `must match ${pattern}`);
  };

const optionalText =
  (pattern?: RegExp, hint?: string) =>
  (raw: unknown): Parsed<string | undefined> =>
    raw === undefined || raw === '' ? ok(undefined) : text(pattern, hint)(raw);

/** Fastify's `trustProxy`: off, on, or the proxies' addresses (IPs and CIDRs, comma-separated). */
const trustProxyValue = (raw: unknown): Parsed<boolean | string> => {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (/^(off|false|no|0)$/i.test(text)) return ok(false);
  if (/^(on|true|yes|1)$/i.test(text)) return ok(true);
  const items = text.split(',').map((s) => s.trim());
  return text && items.every((i) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(i))
    ? ok(items.join(','))
    : bad('must be off, on, or a comma list of proxy addresses/CIDRs');
};

export const DIALECT_NAMES = ['standard', 'lin-cms', 'mmm'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];
export const TOKEN_SOURCES = ['header', 'query', 'form'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

/**
 * Every setting of duotoken, in the order the README's configuration table
 * lists them. This table is the one source of names, defaults and parsing.
 */
export const SETTINGS = {
  port: setting('port', 8080, '`8080`', 'HTTP port', integer(0, 65535)),
  host: setting('host', '0.0.0.0', '`0.0.0.0`', 'HTTP listen address', text()),
  dataDir: setting('data_dir', './data', '`./data`', 'Folder of the SQLite file and the server secret', text()),
  dialects: setting<DialectName[]>(
    'dialects',
    ['standard'],
    '`standard`',
    'Mounted wire dialects: comma list of `standard`, `lin-cms`, `mmm`',
    listOf(DIALECT_NAMES),
  ),
  captcha: setting(
    'captcha',
    'always' as 'always' | 'after-failures' | 'off',
    '`always`',
    'Captcha policy at the standard and lin-cms logins: `always`, `after-failures`, `off`',
    oneOf(['always', 'after-failures', 'off'] as const),
  ),
  captchaAfterFailures: setting(
    'captcha_after_failures',
    3,
    '`3`',
    'With `after-failures`: failures of an account or IP after which a captcha is required',
    integer(1, 1000),
  ),
  lockoutThreshold: setting(
    'lockout_threshold',
    10,
    '`10`',
    'Consecutive failed logins of an account before it is locked',
    integer(1, 100),
  ),
  lockoutBase: setting('lockout_base', 60, '`60s`', 'First lockout; doubles with each further failure', duration(1)),
  lockoutMax: setting('lockout_max', 900, '`15m`', 'Longest lockout (never permanent)', duration(1)),
  lockoutHardLimit: setting(
    'lockout_hard_limit',
    100,
    '`100`',
    'Consecutive failures after which an account stays locked until an admin unlocks it or resets its password (NIST 800-63B: at most 100); `0` turns it off',
    integer(0, 100),
  ),
  captchaIpWindow: setting(
    'captcha_ip_window',
    900,
    '`15m`',
    'With `after-failures`: how long failed logins from one IP count toward its captcha requirement',
    duration(1),
  ),
  rateLimits: setting('rate_limits', true, '`on`', 'Per-IP and global request limits (`off` for load tests)', onOff),
  rateLimitWindow: setting('rate_limit_window', 60, '`1m`', 'Window of the per-IP and global request limits', duration(1)),
  rateLimitGetTIp: setting('rate_limit_get_t_ip', 120, '`120`', '`GET /auth/get_t` per IP per window', integer(1, 1_000_000)),
  rateLimitGetTGlobal: setting(
    'rate_limit_get_t_global',
    6000,
    '`6000`',
    '`GET /auth/get_t` for all clients per window',
    integer(1, 100_000_000),
  ),
  rateLimitCaptchaIp: setting('rate_limit_captcha_ip', 120, '`120`', 'Captcha images per IP per window', integer(1, 1_000_000)),
  rateLimitCaptchaGlobal: setting(
    'rate_limit_captcha_global',
    3000,
    '`3000`',
    'Captcha images for all clients per window',
    integer(1, 100_000_000),
  ),
  rateLimitLoginIp: setting('rate_limit_login_ip', 60, '`60`', 'Login requests (every dialect) per IP per window', integer(1, 1_000_000)),
  rateLimitLoginGlobal: setting(
    'rate_limit_login_global',
    1200,
    '`1200`',
    'Login requests for all clients per window',
    integer(1, 100_000_000),
  ),
  rateLimitRefreshIp: setting('rate_limit_refresh_ip', 600, '`600`', 'Refresh requests per IP per window', integer(1, 1_000_000)),
  rateLimitRefreshGlobal: setting(
    'rate_limit_refresh_global',
    30000,
    '`30000`',
    'Refresh requests for all clients per window',
    integer(1, 100_000_000),
  ),
  accessTtl: setting('access_ttl', 900, '`15m`', 'Access token lifetime', duration(10)),
  refreshTtl: setting('refresh_ttl', 30 * 86400, '`30d`', 'Refresh token lifetime', duration(60)),
  sessionMaxAge: setting('session_max_age', 90 * 86400, '`90d`', 'Absolute session lifetime', duration(60)),
  sessionIdleTimeout: setting(
    'session_idle_timeout',
    0,
    '`0` (off)',
    'A session unused (no refresh) this long ends; `0` disables the idle limit',
    duration(0),
  ),
  sessionsMaxPerUser: setting(
    'sessions_max_per_user',
    0,
    '`0` (unlimited)',
    'Live sessions a user may hold; a new login beyond it revokes the oldest',
    integer(0, 100_000),
  ),
  sessionsSingleDeviceTypes: setting<string[]>(
    'sessions_single_device_types',
    [],
    'none',
    'Device types (the `device_type` a client declares at login) limited to one live session per user: a new login revokes the older one',
    listOf(null, true),
  ),
  refreshGrace: setting(
    'refresh_grace',
    10,
    '`10s`',
    'Window in which a just-rotated refresh token returns its own successor again, while that successor is unused',
    duration(0),
  ),
  challengeTtl: setting('challenge_ttl', 300, '`5m`', 'Lifetime of a login challenge `t`', duration(10)),
  clockTolerance: setting('clock_tolerance', 5, '`5s`', 'Leeway for `nbf`/`iat` in the future (never for `exp`)', duration(0)),
  issuer: setting('issuer', 'duotoken', '`duotoken`', 'JWT `iss`', text()),
  audience: setting('audience', 'duotoken', '`duotoken`', 'JWT `aud`', text()),
  jwtAlg: setting(
    'jwt_alg',
    'EdDSA' as 'EdDSA' | 'HS256',
    '`EdDSA`',
    'Access token algorithm: `EdDSA` (keys in the store, JWKS) or `HS256` (shared secret)',
    oneOf(['EdDSA', 'HS256'] as const),
  ),
  jwtSecret: setting<string | undefined>(
    'jwt_secret',
    undefined,
    'none',
    'HS256 shared secret: at least 32 random bytes as base64/base64url (43+ chars) or hex (64+ chars)',
    optionalText(),
  ),
  secret: setting<string | undefined>(
    'secret',
    undefined,
    'generated in `DATA_DIR/secret.key`',
    'Server secret (32+ bytes, base64url or hex) keying refresh tokens and sealing private keys; share it across instances',
    optionalText(),
  ),
  tokenSources: setting<TokenSource[]>(
    'token_sources',
    ['header', 'query', 'form'],
    '`header,query,form`',
    'Where protected routes look for the access token, in order',
    listOf(TOKEN_SOURCES),
  ),
  tokenHeaders: setting<string[]>(
    'token_headers',
    ['authorization', 'access-token'],
    '`authorization,access-token`',
    'Access token headers, in order (`authorization` takes `Bearer <t>`)',
    listOf(null),
  ),
  tokenStrict: setting('token_strict', false, '`off`', 'Reject a request carrying access tokens in two sources (RFC 6750 §2)', onOff),
  autoRenew: setting<DialectName[]>(
    'auto_renew',
    ['mmm'],
    '`mmm`',
    'Dialects whose protected routes answer 10026 with a new pair for an expired access token plus a valid refresh token: `mmm`, `standard` (lin-cms has no auto-renew: its clients send one token at a time)',
    listOf(['standard', 'mmm'] as const, true),
  ),
  lincmsRefresh: setting(
    'lincms_refresh',
    'keep' as 'keep' | 'rotate',
    '`keep`',
    "lin-cms refresh tokens: `keep` (lin-cms-compatible: one refresh token per lin-cms login, reusable until it expires or its session is revoked; a stolen one works until then; tokens of other dialects' logins still rotate) or `rotate` (single use with reuse detection, but lin-cms-vue, which never stores a new refresh token, is logged out once the grace window has passed)",
    oneOf(['keep', 'rotate'] as const),
  ),
  argon2MemoryKib: setting('argon2_memory_kib', 19456, '`19456`', 'argon2id memory cost (KiB)', integer(1024, 4194304)),
  argon2Iterations: setting('argon2_iterations', 2, '`2`', 'argon2id time cost', integer(1, 100)),
  argon2Parallelism: setting('argon2_parallelism', 1, '`1`', 'argon2id parallelism', integer(1, 16)),
  hashConcurrency: setting('hash_concurrency', 2, '`2`', 'Password hashes in flight at once (near the core count)', integer(1, 64)),
  hashQueue: setting(
    'hash_queue',
    32,
    '`32`',
    'Password hashes that may wait for a free thread; one more (a login, a password change) is refused at once with 10023 and `Retry-After: 1`, so a flood never delays other logins by more than this queue takes to drain',
    integer(1, 10_000),
  ),
  passwordMinLength: setting('password_min_length', 8, '`8`', 'Shortest password accepted (characters)', integer(1, 128)),
  adminAccount: setting('admin_account', 'admin', '`admin`', 'First-start admin account', text()),
  adminPassword: setting<string | undefined>(
    'admin_password',
    undefined,
    'generated and printed once',
    'First-start admin password',
    optionalText(),
  ),
  databaseUrl: setting<string | undefined>(
    'database_url',
    undefined,
    'none (embedded SQLite in `DATA_DIR/duotoken.db`)',
    '`postgres://…` for PostgreSQL, or `sqlite:path`',
    optionalText(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres:// or sqlite:'),
  ),
  retentionInterval: setting(
    'retention_interval',
    600,
    '`10m`',
    'Pause between passes of the retention job, which deletes expired refresh tokens, ended sessions and old audit events in small batches; `0` turns it off',
    duration(0),
  ),
  retentionBatch: setting(
    'retention_batch',
    200,
    '`200`',
    'Rows deleted per statement by the retention job (on SQLite the event loop waits for each statement: a few ms for 200 rows)',
    integer(1, 100_000),
  ),
  auditRetention: setting(
    'audit_retention',
    365 * 86400,
    '`365d`',
    'Audit events older than this are deleted by the retention job; `0` keeps them for ever',
    duration(0),
  ),
  redisUrl: setting<string | undefined>(
    'redis_url',
    undefined,
    'none (in-memory ephemeral state)',
    '`redis://…` for shared challenges, rate limits and revocations',
    optionalText(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
  ),
  redisPrefix: setting(
    'redis_prefix',
    'duotoken:',
    '`duotoken:`',
    'Prefix of every Redis key and channel, so deployments (and test runs) sharing a Redis do not collide',
    text(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits or _ . : -'),
  ),
  trustProxy: setting<boolean | string>(
    'trust_proxy',
    false,
    '`off`',
    'Behind a load balancer: whose `X-Forwarded-For` to believe for the client address (rate limits, sessions, audit): `off`, `on` (any peer: only when instances are reachable through the proxy alone), or a comma list of proxy addresses/CIDRs',
    trustProxyValue,
  ),
  corsOrigins: setting<string[]>(
    'cors_origins',
    [],
    'none (no CORS headers)',
    'Origins (comma list, exact: `https://admin.example.com`) whose pages may call duotoken from the browser (CORS); others get no CORS headers and their preflights are refused',
    parseCorsOrigins,
  ),
  headersTimeout: setting(
    'headers_timeout',
    10,
    '`10s`',
    'Longest time a client may take to send the request headers; then 408 and the connection is closed (slowloris)',
    duration(1),
  ),
  bodyTimeout: setting(
    'body_timeout',
    10,
    '`10s`',
    'Longest silence while a request body arrives; then the connection is closed; `0` turns it off',
    duration(0),
  ),
  requestTimeout: setting(
    'request_timeout',
    30,
    '`30s`',
    'Longest time a client may take to send a whole request, body included; then 408 and the connection is closed; `0` turns it off (raise it for large uploads through the gateway)',
    duration(0),
  ),
  maxConnectionsPerIp: setting(
    'max_connections_per_ip',
    256,
    '`256`',
    'Open connections one client address (IPv6: its /64) may hold; more are closed at once. Peers trusted by `DUOTOKEN_TRUST_PROXY` are not counted; `0` turns the cap off',
    integer(0, 1_000_000),
  ),
  revocationMaxLag: setting(
    'revocation_max_lag',
    1,
    '`1s`',
    'How long a revocation made elsewhere (another instance, the CLI) may take to be in force on every instance. Each instance reads new revocations from the database every quarter of it, and with Redis also hears them at once; one that has not read the database, or heard the Redis feed, within it answers 503 (10051) on protected routes until it has',
    duration(1),
  ),
  verifierTokens: setting<string[]>(
    'verifier_tokens',
    [],
    'none (feed off)',
    'Credentials (comma list, 32+ characters each) of remote verifiers allowed to read the revocation feed `GET /auth/revocations`',
    parseVerifierTokens,
  ),
  upstream: setting<UpstreamRoute[]>(
    'upstream',
    [],
    'none (gateway off)',
    'Gateway mode: proxy every non-auth route to this URL, or a comma list of `prefix=url`, after checking the access token',
    parseUpstreams,
  ),
  upstreamUrlToken: setting(
    'upstream_url_token',
    false,
    '`off`',
    'Gateway: keep an access token sent in the URL when forwarding (off: it is removed, so it never reaches upstream logs)',
    onOff,
  ),
  logLevel: setting(
    'log_level',
    'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
    '`info`',
    'pino log level',
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  ),
  metricsToken: setting<string | undefined>(
    'metrics_token',
    undefined,
    'none (no `/metrics` on the main port)',
    'Bearer token that unlocks `GET /metrics` (Prometheus) on the main port; 16+ characters',
    optionalText(/^\S{16,}$/, 'must be at least 16 characters without spaces'),
  ),
  metricsPort: setting<number | undefined>(
    'metrics_port',
    undefined,
    'none',
    'Port of a separate listener serving only `GET /metrics` (for a private scrape network)',
    (raw) => (raw === undefined || raw === '' ? ok(undefined) : integer(0, 65535)(raw)),
  ),
  metricsHost: setting('metrics_host', '127.0.0.1', '`127.0.0.1`', 'Address of the separate metrics listener', text()),
  mfa: setting(
    'mfa',
    'optional' as 'optional' | 'required-for-admins' | 'required',
    '`optional`',
    'Second-factor policy: `optional`, `required-for-admins`, `required` (a covered user without a factor must enroll: 10064)',
    oneOf(['optional', 'required-for-admins', 'required'] as const),
  ),
  mfaRemember: setting(
    'mfa_remember',
    30 * 86400,
    '`30d`',
    'How long a remembered device skips the second step (`0`: devices are never remembered)',
    duration(0),
  ),
  webauthnRpId: setting('webauthn_rp_id', 'localhost', '`localhost`', 'WebAuthn relying-party ID (the site’s domain)', text()),
  webauthnRpName: setting('webauthn_rp_name', 'duotoken', '`duotoken`', 'WebAuthn relying-party name shown by authenticators', text()),
  webauthnOrigins: setting<string[]>(
    'webauthn_origins',
    [],
    '`http://localhost:<port>`',
    'Comma list of exact origins whose WebAuthn credentials are accepted',
    listOf(null, true),
  ),
  stepUpMaxAge: setting(
    'step_up_max_age',
    300,
    '`5m`',
    'Password, MFA, passkey and admin changes need an authentication this recent (else 10063; `POST /auth/reauth`)',
    duration(10),
  ),
} as const;

type Settings = typeof SETTINGS;

/** The validated, frozen configuration of one duotoken process. */
export type Config = { readonly [K in keyof Settings]: Settings[K]['fallback'] } & {
  /** Path of the JSON config file that was read, if any. */
  readonly configFile: string | undefined;
};
