import type { AuditLog } from '../audit/audit-log.js';
import type { Lockout } from '../auth/lockout.js';
import type { LoginService } from '../auth/login-service.js';
import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import type { Store } from '../store/store.js';
import { MfaFactors } from './mfa-factors.js';
import { deriveMfaKeys } from './mfa-keys.js';
import { MfaLogin } from './mfa-login.js';
import { MfaTickets } from './mfa-tickets.js';
import { MfaGate } from './second-step.js';
import { Reauth } from './reauth.js';
import { RememberedDevices } from './remembered-devices.js';
import { Passkeys } from './passkeys.js';
import { PasskeyLogin } from './passkey-login.js';
import type { ChallengeService } from '../auth/challenge-service.js';
import type { RecentAuthDeps } from '../http/require-recent-auth.js';
import type { PasswordAttempts } from '../auth/password-attempts.js';
import type { TokenIssuer } from '../sessions/token-issuer.js';

/** What the MFA module needs from the rest of the service layer. */
export interface MfaDeps {
  store: Store;
  ephemeral: EphemeralStore;
  clock: Clock;
  audit: AuditLog;
  lockout: Lockout;
  login: LoginService;
  attempts: PasswordAttempts;
  issuer: TokenIssuer;
  challenges: ChallengeService;
  serverSecret: Buffer;
}

/** Wires the MFA module: factors, tickets, the login gate and the second step. */
export function createMfa(config: Config, deps: MfaDeps) {
  const { store, ephemeral, clock, audit, lockout, login, attempts, issuer } = deps;
  const keys = deriveMfaKeys(deps.serverSecret);
  const factors = new MfaFactors({ store, clock, keys, audit, issuer: config.issuer });
  const tickets = new MfaTickets(ephemeral, clock);
  const rp = {
    id: config.webauthnRpId,
    name: config.webauthnRpName,
    origins: config.webauthnOrigins.length ? config.webauthnOrigins : [`http://localhost:${config.port}`],
  };
  const passkeys = new Passkeys({ store, ephemeral, clock, audit, rp });
  const devices = new RememberedDevices({ store, clock, hashKey: keys.hashKey, rememberSeconds: config.mfaRemember });
  return {
    factors,
    tickets,
    devices,
    gate: new MfaGate({ factors, tickets, devices, lockout, audit, clock, policy: config.mfa }),
    passkeys,
    /** The step-up check's deps (`http/require-recent-auth.ts`). */
    recentAuth: {
      clock,
      maxAgeSeconds: config.stepUpMaxAge,
      methodsOf: async (userId: number) => (await factors.status(userId)).methods,
    } satisfies RecentAuthDeps,
    passkeyLogin: new PasskeyLogin({ store, clock, challenges: deps.challenges, passkeys, login, audit }),
    verify: new MfaLogin({ store, clock, factors, tickets, devices, passkeys, lockout, audit, login }),
    reauth: new Reauth({ store, clock, attempts, lockout, factors, issuer, audit }),
  };
}

/** The wired MFA module. */
export type Mfa = ReturnType<typeof createMfa>;
