import { AuthError } from '../errors/auth-error.js';

/** Driver-independent classification of a database error. */
export type DbErrorKind = 'UNIQUE_VIOLATION' | 'UNAVAILABLE' | 'OTHER';

/**
 * Transient PostgreSQL states, answered 503 so clients retry: admin/crash
 * shutdown and start-up (57P01-57P03), statement timeout (57014),
 * serialization failure and deadlock (40001, 40P01), I/O and system errors
 * (58030, 58000). Class 53 (insufficient resources: disk full, out of memory,
 * too many connections) and class 08 (connection) are matched by prefix.
 */
const PG_TRANSIENT = ['57P01', '57P02', '57P03', '57014', '40001', '40P01', '58030', '58000'];
const PG_TRANSIENT_CLASSES = ['08', '53'];
/**
 * SQLite result codes whose whole family (`SQLITE_IOERR_WRITE`,
 * `SQLITE_BUSY_SNAPSHOT`…: better-sqlite3 reports extended codes) means the
 * database cannot do the work now: locked, disk full (#13.1), I/O error,
 * file gone, out of memory.
 */
const SQLITE_TRANSIENT = ['SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'SQLITE_NOMEM'];
/** Socket-level failures of any driver. */
const NETWORK = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

const inFamily = (code: string, families: string[]) => families.some((f) => code === f || code.startsWith(`${f}_`));

/** Maps SQLite and PostgreSQL driver errors to one kind. */
export function classifyDbError(error: unknown): DbErrorKind {
  const code = (error as { code?: unknown })?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return 'UNIQUE_VIOLATION';
  if (
    typeof code === 'string' &&
    (NETWORK.includes(code) ||
      inFamily(code, SQLITE_TRANSIENT) ||
      PG_TRANSIENT.includes(code) ||
      PG_TRANSIENT_CLASSES.some((c) => code.length === 5 && code.startsWith(c)))
  )
    return 'UNAVAILABLE';
  if (
    error instanceof Error &&
    /Connection terminated|database connection is not open|driver has already been destroyed|timeout exceeded when trying to connect|not queryable|Query read timeout|pool after calling end/i.test(
      error.message,
    )
  )
    return 'UNAVAILABLE';
  return 'OTHER';
}

/** A database error as the AuthError a client should see (CONFLICT, STORE_UNAVAILABLE), any other error as it is. */
export function toAuthError(error: unknown): unknown {
  switch (classifyDbError(error)) {
    case 'UNIQUE_VIOLATION':
      return new AuthError('CONFLICT', { cause: error });
    case 'UNAVAILABLE':
      return new AuthError('STORE_UNAVAILABLE', { cause: error });
    default:
      return error;
  }
}
