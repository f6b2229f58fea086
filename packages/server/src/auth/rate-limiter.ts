import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Config } from '../config/settings.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';

/** The unauthenticated operations that are rate limited. */
export type LimitedAction = 'get_t' | 'captcha' | 'login' | 'refresh';

/** Requests allowed per window: from one client address, and from everyone together. */
export interface RateLimit {
  ip: number;
  global: number;
}

/** Numbers of the limiter; see `RateLimiter.fromConfig` for the settings they come from. */
export interface RateLimiterOptions {
  /** `false` (DUOTOKEN_RATE_LIMITS=off) lifts every limit; account lockout is elsewhere and stays. */
  enabled: boolean;
  windowSeconds: number;
  limits: Readonly<Record<LimitedAction, RateLimit>>;
}

/**
 * Fixed-window request limits per client address and for all clients, kept
 * in the EphemeralStore through its atomic `increment()`. With the in-memory
 * store they hold for one instance; with a shared (Redis) store every
 * instance counts into the same windows, so the limits hold for the cluster.
 *
 * An IPv6 client is counted by its /64 prefix (one subscriber's allocation),
 * so rotating addresses inside it gains nothing.
 *
 * @example await limiter.hit('login', request.ip) // throws RATE_LIMITED (10023) with Retry-After
 */
export class RateLimiter {
  constructor(
    private readonly ephemeral: EphemeralStore,
    private readonly options: RateLimiterOptions,
  ) {}

  /** The limiter configured by the `DUOTOKEN_RATE_LIMIT*` settings. */
  static fromConfig(config: Config, ephemeral: EphemeralStore): RateLimiter {
    return new RateLimiter(ephemeral, {
      enabled: config.rateLimits,
      windowSeconds: config.rateLimitWindow,
      limits: {
        get_t: { ip: config.rateLimitGetTIp, global: config.rateLimitGetTGlobal },
        captcha: { ip: config.rateLimitCaptchaIp, global: config.rateLimitCaptchaGlobal },
        login: { ip: config.rateLimitLoginIp, global: config.rateLimitLoginGlobal },
        refresh: { ip: config.rateLimitRefreshIp, global: config.rateLimitRefreshGlobal },
      },
    });
  }

  /**
   * Counts one request of `action` from `ip` against both limits: for
   * actions without a cheap check (`get_t`). Throws RATE_LIMITED with
   * `Retry-After` when the address or everyone is over the limit, and
   * STORE_UNAVAILABLE when the counters cannot be reached (fail closed).
   * A request refused for its address does not use up the global budget.
   */
  async hit(action: LimitedAction, ip: string | null | undefined): Promise<void> {
    await this.hitAddress(action, ip);
    await this.hitGlobal(action);
  }

  /** Counts one request from `ip` against its address's limit: every request, junk included. */
  async hitAddress(action: LimitedAction, ip: string | null | undefined): Promise<void> {
    if (!this.options.enabled || !ip) return;
    await this.count(`rl:${action}:ip:${addressBucket(ip)}`, this.options.limits[action].ip, this.options.windowSeconds * 1000);
  }

  /**
   * Counts one request against everyone's budget. Call it only once the
   * request passed the action's cheap checks (a live `t`, a refresh token
   * whose HMAC verifies, an account that is not locked): junk then cannot
   * use up the budget of real users (issue #12 finding 3).
   */
  async hitGlobal(action: LimitedAction): Promise<void> {
    if (!this.options.enabled) return;
    await this.count(`rl:${action}:all`, this.options.limits[action].global, this.options.windowSeconds * 1000);
  }

  private async count(key: string, max: number, windowMs: number): Promise<void> {
    let result: { count: number; resetInMs: number };
    try {
      result = await this.ephemeral.increment(key, windowMs);
    } catch (error) {
      throw isAuthError(error) ? error : new AuthError('STORE_UNAVAILABLE', { cause: error });
    }
    if (result.count <= max) return;
    const retryAfter = Math.max(1, Math.ceil(result.resetInMs / 1000));
    throw new AuthError('RATE_LIMITED', { details: { retry_after: retryAfter }, headers: { 'retry-after': String(retryAfter) } });
  }
}

/**
 * The counting unit of a client address: IPv4 as is (IPv4-mapped IPv6 too),
 * IPv6 by its /64 prefix.
 */
export function addressBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0'))
    .join(':')}::/64`;
}
