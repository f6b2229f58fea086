import type { AuditLog } from '../audit/audit-log.js';
import type { Lockout } from '../auth/lockout.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import type { SessionChanges } from '../sessions/session-changes.js';
import type { SessionFence } from '../sessions/session-fence.js';
import type { PasswordPolicy } from '../auth/password-policy.js';
import type { SessionService } from '../sessions/session-service.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/key-ring.js';

/** What the admin services need (each part picks its own). */
export interface AdminDeps {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  /** Session listings. */
  sessions: SessionService;
  /** Every revocation and version bump goes through it: rows, audit event, fence. */
  changes: SessionChanges;
  audit: AuditLog;
  checkPassword: PasswordPolicy;
  /** Lets admins unlock accounts; a password reset clears the lockout too. */
  lockout: Lockout;
  keyRing: KeyRing;
  /** Pinged for the overview's Redis state. */
  ephemeral: EphemeralStore;
  fence: SessionFence;
  /** Whether `DUOTOKEN_REDIS_URL` is set. */
  redisConfigured: boolean;
}
