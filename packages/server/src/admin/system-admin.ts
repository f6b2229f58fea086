import { createRequire } from 'node:module';
import type { OverviewView, SigningKeyView as KeyView } from '@duotoken/protocol';
import { AuthError } from '../errors/auth-error.js';
import { countActiveSessions } from '../metrics/active-sessions.js';
import type { KeyInfo } from '../tokens/key-ring.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminScope, type Actor } from './admin-scope.js';
import { seconds } from './admin-views.js';

/** The server package's version (read once; `package.json` ships with the package, beside `dist/` and `src/`). */
const SERVER_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** How long the overview waits for Redis to answer a ping before calling it disconnected. */
const REDIS_PING_TIMEOUT_MS = 1_000;

const HOUR_MS = 3_600_000;

/** A signing key as administrators see it, and the overview (the protocol's wire shapes). */
export type { OverviewView, SigningKeyView as KeyView } from '@duotoken/protocol';

/** Signing keys and the overview, for platform admins. */
export class SystemAdmin {
  constructor(
    private readonly deps: Pick<AdminDeps, 'store' | 'clock' | 'audit' | 'keyRing' | 'ephemeral' | 'fence' | 'redisConfigured'>,
  ) {}

  /** Every signing key with its state and age (re-read from the store first: another instance may have rotated). */
  async keys(actor: Actor): Promise<KeyView[]> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    await this.deps.keyRing.reload();
    return this.deps.keyRing.list().map((k) => this.keyView(k));
  }

  /** Creates a new signing key (the old ones stay published until their tokens expire); returns it. */
  async rotateKey(actor: Actor): Promise<KeyView> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    const { keyRing } = this.deps;
    if (keyRing.algorithms()[0] === 'HS256')
      throw new AuthError('INVALID_REQUEST', { details: { reason: 'HS256: rotate by changing DUOTOKEN_JWT_SECRET' } });
    const kid = await keyRing.rotate();
    await this.deps.audit.record({ type: 'keys.rotated', userId: actor.userId, ip: actor.ip, details: { kid } });
    return this.keyView(keyRing.list().find((k) => k.kid === kid)!);
  }

  /** Version, store, Redis and revocation-feed state, live sessions, the last hour's logins, lockouts in force. */
  async overview(actor: Actor): Promise<OverviewView> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    const { store, clock, fence } = this.deps;
    const now = clock.now();
    const [activeSessions, logins, lockouts, redisConnected] = await Promise.all([
      countActiveSessions(store.opened.db, now),
      store.countAuditEventsByType(['login.success', 'login.failure'], now - HOUR_MS, now + 1),
      store.countLocksInForce(now),
      this.redisAnswers(),
    ]);
    return {
      version: SERVER_VERSION,
      store: store.opened.traits.displayName,
      redis: { configured: this.deps.redisConfigured, connected: redisConnected },
      revocation_feed: {
        state: fence.suspended === undefined ? 'live' : 'suspended',
        reason: fence.suspended ?? null,
        lag_ms: fence.lagMs,
      },
      active_sessions: activeSessions,
      logins_last_hour: { success: logins['login.success'] ?? 0, failure: logins['login.failure'] ?? 0 },
      lockouts_in_force: lockouts,
    };
  }

  private async redisAnswers(): Promise<boolean> {
    if (!this.deps.redisConfigured) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS)));
    try {
      return await Promise.race([this.deps.ephemeral.ping().then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private keyView(k: KeyInfo): KeyView {
    const createdAt = k.created_at > 0 ? seconds(k.created_at) : null;
    return {
      kid: k.kid,
      alg: k.alg,
      state: k.signing ? 'active' : k.published ? 'published' : 'retired',
      created_at: createdAt,
      retired_at: k.retired_at === null ? null : seconds(k.retired_at),
      age_seconds: createdAt === null ? null : Math.max(0, Math.floor(this.deps.clock.now() / 1000) - createdAt),
    };
  }
}
