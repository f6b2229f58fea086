import { AuthError } from '../errors/auth-error.js';

/** Driver-independent classification of a database error. */
export type DbErrorKind = 'UNIQUE_VIOLATION' | 'UNAVAILABLE' | 'OTHER';

/** Maps SQLite and PostgreSQL driver errors to one kind. */
export function classifyDbError(error: unknown): DbErrorKind {
  const code = (error as { code?: unknown })?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return 'UNIQUE_VIOLATION';
  if (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'].includes(code) ||
      code.startsWith('08') || // PostgreSQL connection exceptions
      code === '57P01' ||
      code === '57P03')
  )
    return 'UNAVAILABLE';
  if (
    error instanceof Error &&
    /Connection terminated|database connection is not open|timeout exceeded when trying to connect/i.test(error.message)
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
