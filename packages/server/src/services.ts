import type { Logger } from 'pino';
import { AdminService } from './admin/admin-service.js';
import { AuditLog } from './audit/audit-log.js';
import type { CaptchaProvider } from './auth/captcha/captcha-provider.js';
import { DistortedCaptcha } from './auth/captcha/distorted-captcha.js';
import { ChallengeService } from './auth/challenge-service.js';
import { createDefences } from './auth/create-defences.js';
import { DUMMY_SAMPLE_SIZE } from './auth/dummy-hashes.js';
import { Lockout } from './auth/lockout.js';
import { LoginService } from './auth/login-service.js';
import { PasswordAttempts } from './auth/password-attempts.js';
import { PasswordChange } from './auth/password-change.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { createPasswordPolicy } from './auth/password-policy.js';
import { RateLimiter } from './auth/rate-limiter.js';
import type { EphemeralStore } from './cache/ephemeral-store.js';
import type { Clock } from './clock/clock.js';
import type { Config } from './config/settings.js';
import { decodeSecret } from './config/parse-config.js';
import { deriveServerKeys } from './crypto/server-secret.js';
import { AccessGuard } from './sessions/access-guard.js';
import { RefreshService } from './sessions/refresh-service.js';
import { SessionChanges } from './sessions/session-changes.js';
import { SessionFence } from './sessions/session-fence.js';
import { SessionService } from './sessions/session-service.js';
import { RetentionJob } from './retention/retention-job.js';
import { dialectClaims } from './dialects/shared-claims.js';
import { TokenIssuer, type ClaimsExtension } from './sessions/token-issuer.js';
import { createMfa } from './mfa/create-mfa.js';
import type { Store } from './store/store.js';
import { TenancyService } from './tenancy/tenancy-service.js';
import { AccessTokens } from './tokens/access-tokens.js';
import { SigningThread } from './tokens/signing-thread.js';
import { KeyRing } from './tokens/key-ring.js';
import { RefreshTokenCodec } from './tokens/refresh-token-codec.js';

/** What the service layer needs from outside: nothing here reads the environment. */
export interface ServiceDeps {
  store: Store;
  ephemeral: EphemeralStore;
  clock: Clock;
  logger: Logger;
  /** The server secret (never stored in the database). */
  serverSecret: Buffer;
  /** Extra access-token claims per session dialect; default: each dialect's own (lin-cms `identity`, `scope`, `type`). */
  extendClaims?: ClaimsExtension;
  /** Draws the login captchas; default `DistortedCaptcha` (docs/security.md shows how to plug another). */
  captcha?: CaptchaProvider;
}

/** The wired service layer, shared by every dialect, the CLI and the admin API. */
export type Services = Awaited<ReturnType<typeof createServices>>;

/** Wires the service layer for a configuration. */
export async function createServices(config: Config, deps: ServiceDeps) {
  const { store, ephemeral, clock, logger } = deps;
  const keysOfSecret = deriveServerKeys(deps.serverSecret);
  const retentionMs = (config.accessTtl + config.clockTolerance + 60) * 1000;
  const keyRing =
    config.jwtAlg === 'HS256'
      ? KeyRing.hs256(decodeSecret(config.jwtSecret!), clock)
      : await KeyRing.openEdDsa(store, keysOfSecret.sealKey, clock, retentionMs);
  // Ed25519 signatures leave the event loop (the thread starts with the first one); an HMAC costs less than the hand-off.
  const signingThread = config.jwtAlg === 'HS256' ? undefined : new SigningThread();
  const accessTokens = new AccessTokens(
    keyRing,
    { issuer: config.issuer, audience: config.audience, ttl: config.accessTtl, clockTolerance: config.clockTolerance },
    clock,
    signingThread,
  );
  const codec = new RefreshTokenCodec(keysOfSecret.refreshKey);
  const fence = new SessionFence(clock, retentionMs);
  await fence.load(store);
  const hasher = new PasswordHasher({
    params: { memoryCost: config.argon2MemoryKib, timeCost: config.argon2Iterations, parallelism: config.argon2Parallelism },
    concurrency: config.hashConcurrency,
    queueLimit: config.hashQueue,
    sampleStoredHashes: () => store.sampleUserPasswordHashes(DUMMY_SAMPLE_SIZE),
    clock,
  });
  const audit = new AuditLog(store, clock, logger);
  const checkPassword = createPasswordPolicy(config.passwordMinLength);
  const issuer = new TokenIssuer(accessTokens, codec, clock, config.refreshTtl, deps.extendClaims ?? dialectClaims);
  const captcha = deps.captcha ?? new DistortedCaptcha();
  const challenges = new ChallengeService(ephemeral, clock, config.challengeTtl, captcha);
  const lockout = new Lockout(store, clock, keysOfSecret.pseudonymKey, {
    threshold: config.lockoutThreshold,
    baseSeconds: config.lockoutBase,
    maxSeconds: config.lockoutMax,
    hardLimit: config.lockoutHardLimit,
  });
  const rateLimiter = RateLimiter.fromConfig(config, ephemeral);
  const attempts = new PasswordAttempts({ hasher, lockout, audit, rateLimiter });
  const changes = new SessionChanges({ store, clock, fence, audit });
  const sessions = new SessionService({ store, clock, changes });
  const passwords = new PasswordChange({ store, clock, changes, audit, hasher, attempts, rateLimiter, checkPassword });
  const defences = createDefences(config, { ephemeral, lockout, changes, clock, rateLimiter });
  const login = new LoginService({
    store,
    clock,
    hasher,
    challenges,
    lockout,
    attempts,
    issuer,
    audit,
    sessionMaxAgeSeconds: config.sessionMaxAge,
    captchaPolicy: defences.captchaPolicy,
    limits: defences.sessionLimits,
    rateLimiter: defences.rateLimiter,
    // The MFA parts finish logins, so they are built after this service; the gate is reached when a login runs.
    secondStep: { decide: (user, input) => mfa.gate.decide(user, input) },
  });
  const mfa = createMfa(config, {
    store,
    ephemeral,
    clock,
    audit,
    lockout,
    login,
    attempts,
    issuer,
    challenges,
    serverSecret: deps.serverSecret,
  });
  return {
    config,
    clock,
    store,
    ephemeral,
    logger,
    keyRing,
    accessTokens,
    /** Ended by the runtime's close(). */
    signingThread,
    /** Tells a genuine refresh token from anything else (lin-cms answers 10250 for one sent as an access token). */
    codec,
    fence,
    hasher,
    audit,
    /** The captcha provider the challenges draw with. */
    captcha,
    challenges,
    lockout,
    issuer,
    sessions,
    /** A user's change of their own password. */
    passwords,
    /** The one path of every revocation and version bump (row, audit event, fence). */
    changes,
    /** rateLimiter (per-IP and global limits), captchaPolicy, sessionLimits. */
    ...defences,
    guard: new AccessGuard(accessTokens, fence, clock),
    login,
    /** Second factors: enrollment, the login's second step, tickets (mfa/). */
    mfa,
    refresh: new RefreshService({
      store,
      clock,
      codec,
      issuer,
      audit,
      changes,
      graceSeconds: config.refreshGrace,
      idleTimeoutSeconds: config.sessionIdleTimeout,
      rateLimiter: defences.rateLimiter,
    }),
    tenancy: new TenancyService({ store, clock, issuer, changes, audit }),
    /** Started and stopped by the runtime. */
    retention: new RetentionJob(
      { store, clock, logger },
      {
        intervalMs: config.retentionInterval * 1000,
        batchSize: config.retentionBatch,
        auditRetentionMs: config.auditRetention * 1000,
        // The fence's window: nothing an unexpired access token may point at goes.
        keepAfterExpiryMs: retentionMs,
      },
    ),
    admin: new AdminService({
      ...{ store, clock, hasher, sessions, changes, audit, checkPassword, lockout, keyRing, ephemeral, fence },
      redisConfigured: Boolean(config.redisUrl),
    }),
  };
}
