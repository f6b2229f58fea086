import type { EphemeralStore } from '../cache/ephemeral-store.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { Lockout } from './lockout.js';
import { addressBucket } from './rate-limiter.js';

/** `DUOTOKEN_CAPTCHA`: always, only after failures, or never. */
export type CaptchaMode = 'always' | 'after-failures' | 'off';

export interface CaptchaPolicyOptions {
  mode: CaptchaMode;
  /** With `after-failures`: failures of an account or an IP from which a captcha is demanded. */
  afterFailures: number;
  /** How long failures from one IP are remembered (seconds). */
  ipWindowSeconds: number;
}

/**
 * Decides when a login must carry a solved captcha. With `after-failures`
 * a captcha is demanded once the account (its consecutive-failure counter,
 * kept for unknown names too) or the client's address has reached the
 * threshold; failures per address are counted in the EphemeralStore (shared
 * across instances with Redis) for `ipWindowSeconds` from the first one.
 */
export class CaptchaPolicy {
  constructor(
    private readonly ephemeral: EphemeralStore,
    private readonly lockout: Lockout,
    private readonly options: CaptchaPolicyOptions,
  ) {}

  get mode(): CaptchaMode {
    return this.options.mode;
  }

  /** What `get_t` announces as `captcha_required` to a client at `ip` (the account is not known yet). */
  async requiredForIp(ip: string | null): Promise<boolean> {
    if (this.options.mode !== 'after-failures') return this.options.mode === 'always';
    return (await this.ipFailures(ip)) >= this.options.afterFailures;
  }

  /** Whether a login for the account with this lockout key, from `ip`, must carry a solved captcha. */
  async requiredForLogin(accountKey: string, ip: string | null): Promise<boolean> {
    if (this.options.mode !== 'after-failures') return this.options.mode === 'always';
    if ((await this.lockout.failures(accountKey)) >= this.options.afterFailures) return true;
    return (await this.ipFailures(ip)) >= this.options.afterFailures;
  }

  /** Counts a failed login from `ip` (only needed, so only kept, with `after-failures`). */
  async recordFailure(ip: string | null): Promise<void> {
    if (this.options.mode !== 'after-failures' || !ip) return;
    await this.guard(() => this.ephemeral.increment(this.key(ip), this.options.ipWindowSeconds * 1000));
  }

  private async ipFailures(ip: string | null): Promise<number> {
    if (!ip) return 0;
    const raw = await this.guard(() => this.ephemeral.get(this.key(ip)));
    return raw === undefined ? 0 : Number(raw) || 0;
  }

  private key(ip: string): string {
    return `loginfail:ip:${addressBucket(ip)}`;
  }

  /** The ephemeral store unreachable means "cannot tell": fail closed with 503, never skip the captcha. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isAuthError(error) ? error : new AuthError('STORE_UNAVAILABLE', { cause: error });
    }
  }
}
