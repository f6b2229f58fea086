import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import { AuthError } from '../errors/auth-error.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { TokenIssuer } from '../sessions/token-issuer.js';
import type { SessionLimits } from '../sessions/session-limits.js';
import type { Store } from '../store/store.js';
import type { UserRow } from '../store/users-repo.js';
import type { CaptchaMode, CaptchaPolicy } from './captcha-policy.js';
import type { ChallengeService } from './challenge-service.js';
import type { Lockout } from './lockout.js';
import type { PasswordHasher } from './password-hasher.js';
import type { RateLimiter } from './rate-limiter.js';

/** How a dialect's login treats the challenge `t` and its captcha. */
export type ChallengeRule =
  /** `t` required; captcha checked when `captcha` is true. */
  | { kind: 'required'; captcha: boolean }
  /** `t` optional: checked and consumed when sent (captcha policy `off`). */
  | { kind: 'optional' }
  /** `t` required; captcha checked once the account or the client's address has failed too often (`after-failures`). */
  | { kind: 'adaptive' }
  /** The dialect knows no challenge (mmm): lockout and rate limits guard it. */
  | { kind: 'none' };

/**
 * The rule of a login whose clients can show a captcha (standard, lin-cms)
 * under the `DUOTOKEN_CAPTCHA` policy: `always` demands `t` and the answer,
 * `after-failures` demands `t` and checks the answer once failures call for
 * it, `off` checks and consumes a `t` only when one is sent.
 */
export function challengeRuleFor(mode: CaptchaMode): ChallengeRule {
  if (mode === 'off') return { kind: 'optional' };
  return mode === 'always' ? { kind: 'required', captcha: true } : { kind: 'adaptive' };
}

export interface LoginInput {
  account: string;
  password: string;
  t?: string | undefined;
  captcha?: string | undefined;
  companyId?: number | undefined;
  dialect: string;
  challenge: ChallengeRule;
  client: ClientInfo;
}

/**
 * Password login: challenge, lockout, argon2 verification (equal work for
 * unknown accounts), then a new session with its first refresh token.
 */
export class LoginService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      hasher: PasswordHasher;
      challenges: ChallengeService;
      lockout: Lockout;
      issuer: TokenIssuer;
      audit: AuditLog;
      sessionMaxAgeSeconds: number;
      /** Demands a captcha after failures (`adaptive` rule) and counts failures per address. */
      captchaPolicy?: CaptchaPolicy;
      /** Per-user and per-device-type session limits, applied to each new session. */
      limits?: SessionLimits;
      /** Per-IP and global login limits, for every dialect's login. */
      rateLimiter?: RateLimiter;
    },
  ) {}

  async login(input: LoginInput): Promise<IssuedTokens> {
    const { store, hasher, challenges, lockout, audit, captchaPolicy } = this.deps;
    await this.deps.rateLimiter?.hit('login', input.client.ip);
    const lockKey = lockout.keyOf(input.account);
    if (input.challenge.kind === 'required') await challenges.consume(input.t, input.captcha, input.challenge.captcha);
    else if (input.challenge.kind === 'optional' && input.t !== undefined) await challenges.consume(input.t, undefined, false);
    else if (input.challenge.kind === 'adaptive') {
      const needed = captchaPolicy ? await captchaPolicy.requiredForLogin(lockKey, input.client.ip) : true;
      await challenges.consume(input.t, input.captcha, needed).catch((error: unknown) => {
        // Tells a client that skipped the captcha (get_t said none was needed) to draw one and retry.
        throw error instanceof AuthError && error.code === 'CAPTCHA_WRONG'
          ? new AuthError('CAPTCHA_WRONG', { details: { captcha_required: true } })
          : error;
      });
    }

    await lockout.assertNotLocked(lockKey);
    const user = await store.findUserByAccount(input.account);
    const valid = user ? await hasher.verify(user.password_hash, input.password) : await hasher.verifyDummy(input.password);
    if (!user || !valid) {
      const locked = await lockout.recordFailure(lockKey);
      await captchaPolicy?.recordFailure(input.client.ip);
      await audit.record({ type: 'login.failure', userId: user?.id ?? null, ip: input.client.ip, details: { dialect: input.dialect } });
      if (locked !== 'none')
        await audit.record({ type: 'login.locked', userId: user?.id ?? null, ip: input.client.ip, details: { hard: locked === 'hard' } });
      throw new AuthError('BAD_CREDENTIALS');
    }
    await lockout.reset(lockKey);
    // Only now, after the right password, may the answer reveal the account's state.
    if (user.status !== 'active') throw new AuthError('ACCOUNT_DISABLED');
    if (hasher.needsRehash(user.password_hash))
      await store.setPasswordHash(user.id, await hasher.hash(input.password), this.deps.clock.now());
    return this.openSession(user, input);
  }

  /** Picks the company: the one asked for (must be a member), else the default, else the first. */
  private async pickCompany(user: UserRow, wanted: number | undefined): Promise<{ companyId: number | null; roles: string[] }> {
    const memberships = (await this.deps.store.listMemberships(user.id)).filter((m) => m.companyStatus === 'active');
    if (wanted !== undefined) {
      const m = memberships.find((x) => x.companyId === wanted);
      if (!m) throw new AuthError('FORBIDDEN', { details: { field: 'company_id' } });
      return { companyId: m.companyId, roles: m.roles };
    }
    const m = memberships.find((x) => x.isDefault) ?? memberships[0];
    return m ? { companyId: m.companyId, roles: m.roles } : { companyId: null, roles: [] };
  }

  private async openSession(user: UserRow, input: LoginInput): Promise<IssuedTokens> {
    const { store, clock, issuer, audit } = this.deps;
    const { companyId, roles } = await this.pickCompany(user, input.companyId);
    const now = clock.now();
    const session = {
      id: randomId(),
      user_id: user.id,
      company_id: companyId,
      version: 1,
      dialect: input.dialect,
      device_type: input.client.deviceType ?? null,
      ip: input.client.ip,
      user_agent: input.client.userAgent?.slice(0, 512) ?? null,
      created_at: now,
      last_used_at: now,
      expires_at: now + this.deps.sessionMaxAgeSeconds * 1000,
      revoked_at: null,
      revoke_reason: null,
      // Never fenced: 0 keeps new sessions out of the fence's range reads (sessions/fence-poll.ts).
      fenced_at: 0,
    };
    const { refresh, displaced } = await store.transaction(async (tx) => {
      await tx.createSession(session);
      const r = await issuer.insertRefreshToken(tx, session);
      await audit.record(
        { type: 'login.success', userId: user.id, sessionId: session.id, ip: input.client.ip, details: { dialect: input.dialect } },
        tx,
      );
      return { refresh: r, displaced: (await this.deps.limits?.enforce(tx, session)) ?? [] };
    });
    await this.deps.limits?.publish(displaced, { userId: user.id, ip: input.client.ip });
    return issuer.pair(session, user.is_admin === 1, roles, refresh);
  }
}
