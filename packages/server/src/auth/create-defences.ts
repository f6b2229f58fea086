import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import { SessionLimits } from '../sessions/session-limits.js';
import type { SessionService } from '../sessions/session-service.js';
import { CaptchaPolicy } from './captcha-policy.js';
import type { Lockout } from './lockout.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * The abuse defences beside lockout, wired from the configuration: request
 * rate limits (made first by the caller: the password change counts toward
 * them too), the captcha policy and the per-user session limits.
 */
export function createDefences(
  config: Config,
  deps: { ephemeral: EphemeralStore; lockout: Lockout; sessions: SessionService; clock: Clock; rateLimiter: RateLimiter },
) {
  return {
    rateLimiter: deps.rateLimiter,
    captchaPolicy: new CaptchaPolicy(deps.ephemeral, deps.lockout, {
      mode: config.captcha,
      afterFailures: config.captchaAfterFailures,
      ipWindowSeconds: config.captchaIpWindow,
    }),
    sessionLimits: new SessionLimits(deps.sessions, () => deps.clock.now(), {
      maxPerUser: config.sessionsMaxPerUser,
      singleDeviceTypes: config.sessionsSingleDeviceTypes,
    }),
  };
}
