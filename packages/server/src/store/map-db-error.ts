import { AuthError } from '../errors/auth-error.js';

/** Driver-independent classification of a database error. */
export type DbErrorKind = 'UNIQUE_VIOLATION' | 'UNAVAILABLE' | 'OTHER';

/**
 * Transient PostgreSQL states, answered 503 so clients retry: admin/crash
 * shutdown and start-up (57P01-57P03), too many connections (53300), statement
 * timeout (57014), serialization failure and deadlock (40001, 40P01).
 */
const PG_TRANSIENT = ['57P01', '57P02', '57P03', '53300', '57014', '40001', '40P01'];
/** Socket-level failures of any driver. */
const NETWORK = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

/** Maps SQLite and PostgreSQL driver errors to one kind. */
export function classifyDbError(error: unknown): DbErrorKind {
  const code = (error as { code?: unknown })?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return 'UNIQUE_VIOLATION';
  if (
    typeof code === 'string' &&
    (NETWORK.includes(code) ||
      ['SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'].includes(code) ||
      code.startsWith('08') || // PostgreSQL connection exceptions
      PG_TRANSIENT.includes(code))
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

/** Rethrows a database error as the AuthError a client should see. */
export function toAuthError(error: unknown, conflictField?: string): unknown {
  switch (classifyDbError(error)) {
    case 'UNIQUE_VIOLATION':
      return new AuthError('CONFLICT', { cause: error, details: conflictField ? { field: conflictField } : undefined });
    case 'UNAVAILABLE':
      return new AuthError('STORE_UNAVAILABLE', { cause: error });
    default:
      return error;
  }
}
