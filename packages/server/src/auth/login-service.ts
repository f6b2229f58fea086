import type { AuditEvent, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { TokenIssuer } from '../sessions/token-issuer.js';
import type { SessionLimits } from '../sessions/session-limits.js';
import type { AuditEventInsert } from '../store/audit-repo.js';
import type { MembershipView } from '../store/companies-repo.js';
import type { Store } from '../store/store.js';
import type { UserRow } from '../store/users-repo.js';
import type { CaptchaMode, CaptchaPolicy } from './captcha-policy.js';
import type { ChallengeService } from './challenge-service.js';
import type { Lockout } from './lockout.js';
import type { PasswordAttempts } from './password-attempts.js';
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
  /** A remembered device's token (SPEC §9): skips the second step of its user until it expires. */
  deviceToken?: string | undefined;
}

/** What a new session records of the authentication that opened it (RFC 8176 `amr`, `auth_time`). */
export interface LoginAuthentication {
  amr: string[];
  /** Unix ms. */
  authTimeMs: number;
  /**
   * Audit events of the authentication itself (a second factor's success),
   * written in the session's transaction: they and the session commit together.
   */
  events?: readonly AuditEvent[];
  /**
   * The lockout key of an attempt left open by its check (`onValid: 'caller'`):
   * forgiven in the session's own write.
   */
  forgive?: string;
}

/** Whether a login needs a second step, decided before its password is checked. */
export type SecondStepDecision =
  | { due: false; amr: string[] }
  /**
   * `demand` runs once the password is right and the account active: it throws MFA_REQUIRED or
   * MFA_ENROLL_REQUIRED with a ticket. `event` (`mfa.required`) is written with the end of the
   * password's attempt, in the same statement (one round trip fewer on PostgreSQL).
   */
  | { due: true; event: AuditEventInsert | undefined; demand: () => Promise<never> };

/**
 * The MFA gate of every password login (mfa/second-step.ts). Asked before
 * the password check, because a right password must not forgive earlier
 * failures (wrong second-factor codes count in the same lockout) while the
 * login is not complete.
 */
export interface SecondStep {
  decide(user: UserRow | undefined, input: LoginInput): Promise<SecondStepDecision>;
}

/**
 * Password login: address limit, challenge, then one counted password
 * attempt (lockout reservation, global budget, argon2 with equal work for
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
      /** Lockout reservation, everyone's login budget and the hash queue, around each password check. */
      attempts: PasswordAttempts;
      issuer: TokenIssuer;
      audit: AuditLog;
      sessionMaxAgeSeconds: number;
      /** Demands a captcha after failures (`adaptive` rule) and counts failures per address. */
      captchaPolicy: CaptchaPolicy;
      /** Per-user and per-device-type session limits, applied to each new session. */
      limits: SessionLimits;
      /** Per-IP login limit, for every dialect's login (the global one is counted by `attempts`). */
      rateLimiter: RateLimiter;
      /** The MFA gate; every password login asks it. */
      secondStep: SecondStep;
    },
  ) {}

  async login(input: LoginInput): Promise<IssuedTokens> {
    const { store, attempts, captchaPolicy } = this.deps;
    await this.deps.rateLimiter.hitAddress('login', input.client.ip);
    await this.checkChallenge(input);
    const user = await store.findUserByAccount(input.account);
    const step = await this.deps.secondStep.decide(user, input);
    const checked = await attempts.check({
      secondFactorDue: step.due ? { event: step.event } : undefined,
      account: input.account,
      user,
      password: input.password,
      ip: input.client.ip,
      details: { dialect: input.dialect },
    });
    if (!user || !checked.valid) {
      await captchaPolicy.recordFailure(input.client.ip);
      throw new AuthError('BAD_CREDENTIALS');
    }
    // Only now, after the right password, may the answer reveal the account's state.
    if (user.status !== 'active') throw new AuthError('ACCOUNT_DISABLED');
    if (checked.rehash) await this.upgradeHash(user, input.password);
    if (step.due) return step.demand();
    return this.openSession(user, input, { amr: step.amr, authTimeMs: this.deps.clock.now() });
  }

  /**
   * The cheap checks of the standard dialect: the challenge `t` (consumed
   * whatever the outcome) and its captcha. A login that fails them costs no
   * hash and is not counted toward everyone's budget. The lin-cms and mmm
   * logins have none: their cheap check is the lockout alone.
   */
  private async checkChallenge(input: LoginInput): Promise<void> {
    const { challenges, captchaPolicy, lockout } = this.deps;
    const rule = input.challenge;
    if (rule.kind === 'required') await challenges.consume(input.t, input.captcha, rule.captcha);
    else if (rule.kind === 'optional' && input.t !== undefined) await challenges.consume(input.t, undefined, false);
    else if (rule.kind === 'adaptive') {
      const needed = await captchaPolicy.requiredForLogin(lockout.keyOf(input.account), input.client.ip);
      await challenges.consume(input.t, input.captcha, needed).catch((error: unknown) => {
        // Tells a client that skipped the captcha (get_t said none was needed) to draw one and retry.
        throw error instanceof AuthError && error.code === 'CAPTCHA_WRONG'
          ? new AuthError('CAPTCHA_WRONG', { details: { captcha_required: true } })
          : error;
      });
    }
  }

  /** Stores the hash of the password in NFKC form with the current parameters; a full hash queue leaves it to the next login. */
  private async upgradeHash(user: UserRow, password: string): Promise<void> {
    let hash: string;
    try {
      hash = await this.deps.hasher.hash(password);
    } catch (error) {
      if (isAuthError(error) && error.code === 'RATE_LIMITED') return;
      throw error;
    }
    await this.deps.store.setPasswordHash(user.id, hash, this.deps.clock.now());
  }

  /** Picks the company: the one asked for (must be a member), else the default, else the first. */
  private async pickCompany(
    user: UserRow,
    wanted: number | undefined,
    read: MembershipView[] | undefined,
  ): Promise<{ companyId: number | null; roles: string[] }> {
    const memberships = (read ?? (await this.deps.store.listMemberships(user.id))).filter((m) => m.companyStatus === 'active');
    if (wanted !== undefined) {
      const m = memberships.find((x) => x.companyId === wanted);
      if (!m) throw new AuthError('FORBIDDEN', { details: { field: 'company_id' } });
      return { companyId: m.companyId, roles: m.roles };
    }
    const m = memberships.find((x) => x.isDefault) ?? memberships[0];
    return m ? { companyId: m.companyId, roles: m.roles } : { companyId: null, roles: [] };
  }

  /**
   * Opens the session of a complete login: after the password alone, or
   * after its second step (`mfa/mfa-login.ts`), with what authenticated it.
   * `memberships`: the user's, when already read with the user.
   */
  async openSession(
    user: UserRow,
    input: Pick<LoginInput, 'companyId' | 'dialect' | 'client'>,
    auth: LoginAuthentication,
    memberships?: MembershipView[],
  ): Promise<IssuedTokens> {
    const { store, clock, issuer, audit } = this.deps;
    const { companyId, roles } = await this.pickCompany(user, input.companyId, memberships);
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
      auth_time: auth.authTimeMs,
      amr: auth.amr.join(' '),
    };
    const loginEvent: AuditEvent = {
      type: 'login.success',
      userId: user.id,
      sessionId: session.id,
      ip: input.client.ip,
      details: { dialect: input.dialect },
    };
    const written = [...(auth.events ?? []), loginEvent].map((event) => audit.rowOf(event));
    const refresh = issuer.newRefreshToken(session);
    const rows = written.map((w) => w.row);
    const opening = { session, refresh: refresh.row, events: [rows[0]!, ...rows.slice(1)], forgive: auth.forgive } as const;
    // With nothing to displace, one write (one statement on PostgreSQL); else the same rows in the displacing transaction.
    if (this.deps.limits.off) await store.openLoginSession(opening);
    else
      await store.transaction(async (tx) => {
        await tx.openLoginSession(opening);
        await this.deps.limits.enforce(tx, session);
      });
    for (const w of written) w.announce();
    return issuer.pair(session, user.is_admin === 1, roles, refresh);
  }
}
