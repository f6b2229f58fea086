import { closestName } from './closest-name.js';
import { SETTINGS, type Config } from './settings.js';

/**
 * `DUOTOKEN_*` variables that are not settings: the config file's path, the
 * test suite's service URLs and the console's dev-server proxy target.
 */
const NOT_SETTINGS = /^DUOTOKEN_(CONFIG|CONSOLE_API|TEST_[A-Z0-9_]+)$/;

/** Thrown when settings are invalid; `problems` has one line per bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Flattens `{ sessions: { max_per_user: 3 } }` to `{ sessions_max_per_user: 3 }`. */
function flatten(object: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const name = prefix + key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      Object.assign(out, flatten(value as Record<string, unknown>, `${name}_`));
    else out[name] = value;
  }
  return out;
}

/**
 * Builds the configuration from environment variables (which win) and an
 * optional parsed JSON config file. Reports every problem at once, each line
 * naming the variable and the file key. Returns a frozen object.
 */
export function parseConfig(env: Record<string, string | undefined>, file: Record<string, unknown> = {}, configFile?: string): Config {
  const problems: string[] = [];
  const fromFile = flatten(file);
  problems.push(...unknownNames(env, fromFile, configFile));
  const out: Record<string, unknown> = { configFile };
  for (const [name, s] of Object.entries(SETTINGS)) {
    const raw = env[s.env] !== undefined && env[s.env] !== '' ? env[s.env] : fromFile[s.fileKey];
    if (raw === undefined) {
      out[name] = s.fallback;
      continue;
    }
    const parsed = s.parse(raw as never);
    if (parsed.ok) out[name] = parsed.value;
    else problems.push(`${s.env} (config key "${s.fileKey}"): ${parsed.problem}`);
  }
  const config = out as Config;
  if (problems.length === 0) problems.push(...crossCheck(config));
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}

const didYouMean = (hint: string | undefined, quote = '') => (hint ? `; did you mean ${quote}${hint}${quote}?` : '');

/**
 * A misspelt name would otherwise be ignored silently and its default used
 * (a typo in `DUOTOKEN_ACCESS_TTL` leaves tokens living 15 minutes): every
 * unknown variable or key stops start-up, naming the closest known one.
 */
function unknownNames(env: Record<string, string | undefined>, fromFile: Record<string, unknown>, configFile?: string): string[] {
  const problems: string[] = [];
  const fileKeys = Object.values(SETTINGS).map((s) => s.fileKey);
  for (const key of Object.keys(fromFile))
    if (!fileKeys.includes(key))
      problems.push(`${configFile ?? 'config file'}: unknown key "${key}"${didYouMean(closestName(key, fileKeys), '"')}`);
  const envNames = Object.values(SETTINGS).map((s) => s.env);
  for (const name of Object.keys(env).sort())
    if (name.startsWith('DUOTOKEN_') && !NOT_SETTINGS.test(name) && !envNames.includes(name))
      problems.push(`${name}: unknown setting${didYouMean(closestName(name, envNames))}`);
  return problems;
}

const MIN_SECRET_BYTES = 32;

/** Decodes a secret given as hex or base64/base64url text. */
export function decodeSecret(text: string): Buffer {
  return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
}

function crossCheck(c: Config): string[] {
  const problems: string[] = [];
  if (c.refreshTtl <= c.accessTtl)
    problems.push(`DUOTOKEN_REFRESH_TTL (config key "refresh_ttl"): must be longer than DUOTOKEN_ACCESS_TTL`);
  if (c.sessionMaxAge < c.accessTtl)
    problems.push(`DUOTOKEN_SESSION_MAX_AGE (config key "session_max_age"): must be at least DUOTOKEN_ACCESS_TTL`);
  if (c.jwtAlg === 'HS256') {
    if (!c.jwtSecret) problems.push('DUOTOKEN_JWT_SECRET (config key "jwt_secret"): required when DUOTOKEN_JWT_ALG is HS256');
    else if (decodeSecret(c.jwtSecret).length < MIN_SECRET_BYTES)
      problems.push(
        `DUOTOKEN_JWT_SECRET (config key "jwt_secret"): must hold at least ${MIN_SECRET_BYTES} random bytes (base64url or hex)`,
      );
  }
  if (c.secret && decodeSecret(c.secret).length < MIN_SECRET_BYTES)
    problems.push(`DUOTOKEN_SECRET (config key "secret"): must hold at least ${MIN_SECRET_BYTES} random bytes (base64url or hex)`);
  if (c.lockoutHardLimit !== 0 && c.lockoutHardLimit <= c.lockoutThreshold)
    problems.push('DUOTOKEN_LOCKOUT_HARD_LIMIT (config key "lockout_hard_limit"): must be 0 or above DUOTOKEN_LOCKOUT_THRESHOLD');
  if (c.lockoutMax < c.lockoutBase)
    problems.push('DUOTOKEN_LOCKOUT_MAX (config key "lockout_max"): must be at least DUOTOKEN_LOCKOUT_BASE');
  if (c.requestTimeout !== 0 && c.headersTimeout > c.requestTimeout)
    problems.push('DUOTOKEN_HEADERS_TIMEOUT (config key "headers_timeout"): must not exceed DUOTOKEN_REQUEST_TIMEOUT');
  const headers = c.tokenHeaders.filter((h) => !/^[a-z0-9-]+$/.test(h));
  if (headers.length) problems.push(`DUOTOKEN_TOKEN_HEADERS (config key "token_headers"): bad header name ${headers.join(', ')}`);
  return problems;
}
