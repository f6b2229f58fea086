import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import { SessionLimits } from '../sessions/session-limits.js';
import type { SessionChanges } from '../sessions/session-changes.js';
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
  deps: { ephemeral: EphemeralStore; lockout: Lockout; changes: SessionChanges; clock: Clock; rateLimiter: RateLimiter },
) {
  return {
    rateLimiter: deps.rateLimiter,
    captchaPolicy: new CaptchaPolicy(deps.ephemeral, deps.lockout, {
      mode: config.captcha,
      afterFailures: config.captchaAfterFailures,
      ipWindowSeconds: config.captchaIpWindow,
    }),
    sessionLimits: new SessionLimits(deps.changes, () => deps.clock.now(), {
      maxPerUser: config.sessionsMaxPerUser,
      singleDeviceTypes: config.sessionsSingleDeviceTypes,
    }),
  };
}
