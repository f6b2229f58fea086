import type { CaptchaPolicy } from '../auth/captcha-policy.js';
import type { ChallengeService } from '../auth/challenge-service.js';
import type { LoginService } from '../auth/login-service.js';
import type { PasswordChange } from '../auth/password-change.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import type { AccessCheckDeps } from '../http/require-access.js';
import type { RecentAuthDeps } from '../http/require-recent-auth.js';
import type { SessionService } from '../sessions/session-service.js';
import type { TenancyService } from '../tenancy/tenancy-service.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import type { RefreshTokenCodec } from '../tokens/refresh-token-codec.js';

// What each wire dialect uses of the service layer (`createServices` gives them all).

/** The login routes (`standard-login.ts`, `mmm-login.ts`, `shared-login.ts`). */
export interface LoginRouteDeps {
  config: Config;
  clock: Clock;
  login: LoginService;
}

/** Every dialect: login, refresh and company switch, and the access check of its protected routes. */
export interface DialectDeps extends LoginRouteDeps, AccessCheckDeps {
  tenancy: TenancyService;
}

/** The standard dialect: its sessions, password change, challenges and their limits. */
export interface StandardDeps extends DialectDeps {
  sessions: SessionService;
  passwords: PasswordChange;
  challenges: ChallengeService;
  captchaPolicy: CaptchaPolicy;
  rateLimiter: RateLimiter;
  /** How recent an authentication a password change needs (step-up). */
  mfa: { recentAuth: RecentAuthDeps };
}

/** The lin-cms dialect: its password change, captcha, and the token checks of its refresh route. */
export interface LinCmsDeps extends DialectDeps {
  passwords: PasswordChange;
  challenges: ChallengeService;
  rateLimiter: RateLimiter;
  accessTokens: AccessTokens;
  codec: RefreshTokenCodec;
}

/** The mmm dialect: its session listing and logout. */
export interface MmmDeps extends DialectDeps {
  sessions: SessionService;
}
