// Compile-time only (`npm run typecheck`; no test runs it): the security dependencies of the
// services are required members of their deps types, so wiring that forgets one does not compile.
// Make one optional (`rateLimiter?:`) and its name below stops being assignable: tsc fails here.
import type { AdminDeps } from '../../src/admin/admin-deps.js';
import type { LoginService } from '../../src/auth/login-service.js';
import type { PasswordAttempts } from '../../src/auth/password-attempts.js';
import type { PasswordChange } from '../../src/auth/password-change.js';
import type { RefreshService } from '../../src/sessions/refresh-service.js';
import type { SessionChanges } from '../../src/sessions/session-changes.js';

/** The names of `T`'s members that may not be left out. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type DepsOf<C extends abstract new (...args: never[]) => unknown> = ConstructorParameters<C>[0];

export const loginRequires: Array<RequiredKeys<DepsOf<typeof LoginService>>> = [
  'rateLimiter',
  'captchaPolicy',
  'limits',
  'lockout',
  'attempts',
  'challenges',
  'audit',
];
export const passwordAttemptsRequire: Array<RequiredKeys<DepsOf<typeof PasswordAttempts>>> = ['rateLimiter', 'lockout', 'audit'];
export const passwordChangeRequires: Array<RequiredKeys<DepsOf<typeof PasswordChange>>> = ['rateLimiter', 'attempts', 'changes', 'audit'];
export const refreshRequires: Array<RequiredKeys<DepsOf<typeof RefreshService>>> = ['rateLimiter', 'changes', 'audit'];
export const sessionChangesRequire: Array<RequiredKeys<DepsOf<typeof SessionChanges>>> = ['fence', 'audit'];
export const adminRequires: Array<RequiredKeys<AdminDeps>> = ['lockout', 'changes', 'audit', 'checkPassword'];
