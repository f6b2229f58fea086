import type { AuditLog } from '../audit/audit-log.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import type { AccessCheckDeps } from '../http/require-access.js';
import type { Store } from '../store/store.js';
import type { createMfa } from './create-mfa.js';

/** The MFA parts the routes call (built by `createMfa`). */
export type MfaParts = ReturnType<typeof createMfa>;

/** What the MFA and passkey routes use: the access check, the MFA parts, the login limit, devices and their audit. */
export interface MfaRouteDeps extends AccessCheckDeps {
  config: Pick<Config, 'autoRenew'>;
  mfa: MfaParts;
  /** Per-IP login limit: the second step and passkey logins count like logins. */
  rateLimiter: RateLimiter;
  store: Pick<Store, 'listMfaDevices' | 'deleteMfaDevices' | 'listWebauthnCredentials'>;
  audit: AuditLog;
  clock: Clock;
}
