import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { closeRedis, connectRedis, createRedisClient } from '../cache/redis-client.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/key-ring.js';
import type { FenceChange, SessionFence } from './session-fence.js';

/** Everything the bus keeps in step across instances. */
export interface FenceBusDeps {
  fence: SessionFence;
  store: Store;
  keyRing: KeyRing;
  logger: Logger;
}

/** Where and how tightly the bus runs. */
export interface FenceBusOptions {
  /** `redis://…` */
  url: string;
  /** Key prefix of the deployment; the channel is `<prefix>fence`. */
  prefix: string;
  /** Longest silence of the feed (ms) before protected routes fail closed (DUOTOKEN_REVOCATION_MAX_LAG). */
  maxLagMs: number;
  /** Safety-net reload of the signing keys (ms, default 60 s): picks up a `duotoken keys rotate` run from the CLI. */
  keyReloadMs?: number;
}

/** One message on the channel; `o` is the sending instance. */
type BusMessage = { o: string; k: 'beat' } | { o: string; k: 'keys' } | { o: string; k: 'fence'; c: FenceChange };

/** Revocations kept for re-sending while Redis cannot take them. */
const PENDING_LIMIT = 10_000;

function isFenceChange(c: unknown): c is FenceChange {
  const x = c as Partial<FenceChange> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.sessionId === 'string' &&
    typeof x.version === 'number' &&
    typeof x.revoked === 'boolean' &&
    typeof x.at === 'number'
  );
}

/**
 * Carries revocations (every `SessionFence.record`) to the other instances
 * over Redis pub/sub, and signing-key changes too. Own messages are ignored;
 * others are `fence.apply`-ed, so they are not sent on again.
 *
 * Staying fail-closed: the bus publishes a heartbeat every quarter of the
 * allowed lag and listens for its own. When the feed has been silent for
 * longer than `maxLagMs` (Redis down, subscription lost, network cut), the
 * fence is suspended — protected routes answer 503 (10051) — until the bus
 * hears itself again AND has re-read the fence from the database. Any
 * reconnect of the subscriber triggers that re-read, even a short one.
 * Revocations that could not be published are kept and re-sent.
 *
 * Timing uses the real clock (it measures a network), never the injected one.
 */
export class FenceBus {
  private readonly origin = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private readonly beatMs: number;
  private readonly keyReloadMs: number;
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  private skippedLateTick = false;
  /** When the fence was last known to be complete (real ms). */
  private syncedAt = Date.now();
  /** Bumped whenever messages may have been lost; a re-read clears it only if no new gap opened meanwhile. */
  private gap = 0;
  private syncedGap = 0;
  private resyncing = false;
  private warnedGap = -1;
  private pending: FenceChange[] = [];
  private signingKid: string | undefined;
  private lastKeyReload = Date.now();
  private closed = false;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly deps: FenceBusDeps,
    private readonly options: FenceBusOptions,
  ) {
    this.channel = `${options.prefix}fence`;
    this.beatMs = Math.max(50, Math.floor(options.maxLagMs / 4));
    this.keyReloadMs = options.keyReloadMs ?? 60_000;
  }

  /**
   * Connects, subscribes, re-reads the fence and keys (closing the window
   * between the services' start-up load and the subscription), then starts
   * publishing local changes. Throws when Redis cannot be reached.
   */
  static async start(deps: FenceBusDeps, options: FenceBusOptions): Promise<FenceBus> {
    const pub = createRedisClient(options.url, 'fence-pub', deps.logger);
    const sub = createRedisClient(options.url, 'fence-sub', deps.logger);
    try {
      await Promise.all([connectRedis(pub, options.url), connectRedis(sub, options.url)]);
      const bus = new FenceBus(pub, sub, deps, options);
      await bus.begin();
      return bus;
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([closeRedis(this.sub), closeRedis(this.pub)]);
  }

  private async begin(): Promise<void> {
    const { fence, store, keyRing } = this.deps;
    this.sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    this.sub.on('close', () => {
      this.gap += 1;
    });
    await this.sub.subscribe(this.channel);
    await fence.load(store);
    await keyRing.reload();
    this.signingKid = this.currentKid();
    this.syncedAt = Date.now();
    fence.reportLag('redis', () => Date.now() - this.syncedAt);
    fence.onChange((change) => void this.publishChange(change));
    // This instance may have created the first signing key while the others started.
    void this.send({ o: this.origin, k: 'keys' });
    this.nextTickAt = Date.now() + this.beatMs;
    this.timer = setInterval(() => this.tick(), this.beatMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    // A late tick means this process was busy, not that the feed is silent: let pending I/O
    // (our heartbeat among it) run first — but only once, so a saturated process still fails closed.
    const late = now - this.nextTickAt > this.beatMs && !this.skippedLateTick;
    this.skippedLateTick = late;
    this.nextTickAt = now + this.beatMs;
    void this.send({ o: this.origin, k: 'beat' });
    if (this.pending.length && this.pub.status === 'ready') this.flushPending();
    const kid = this.currentKid();
    if (kid !== this.signingKid) {
      // Rotated here (a reload caused by others updates signingKid itself): tell the others.
      this.signingKid = kid;
      void this.send({ o: this.origin, k: 'keys' });
    }
    if (now - this.lastKeyReload >= this.keyReloadMs) void this.reloadKeys();
    if (!late && this.deps.fence.suspended === undefined && now - this.syncedAt > this.options.maxLagMs) {
      this.gap += 1;
      this.deps.fence.suspend('revocation feed silent');
      this.deps.logger.warn({ silentMs: now - this.syncedAt }, 'revocation feed silent: protected routes answer 503 until it is back');
    }
  }

  private receive(text: string): void {
    let message: BusMessage | null;
    try {
      message = JSON.parse(text) as BusMessage | null;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.o === this.origin) {
      if (message.k === 'beat') this.heardSelf();
      return;
    }
    if (message.k === 'fence' && isFenceChange(message.c)) this.deps.fence.apply(message.c);
    else if (message.k === 'keys') void this.reloadKeys();
  }

  /** Our own heartbeat came back: the subscription works. Re-read what a gap may have lost. */
  private heardSelf(): void {
    if (this.syncedGap === this.gap) {
      this.syncedAt = Date.now();
      return;
    }
    if (this.resyncing) return;
    this.resyncing = true;
    const gap = this.gap;
    const { fence, store, logger } = this.deps;
    Promise.all([fence.load(store), this.reloadKeys()])
      .then(() => {
        if (gap !== this.gap) return; // another gap opened while reading: the next heartbeat starts over
        this.syncedGap = gap;
        this.syncedAt = Date.now();
        if (fence.suspended !== undefined) {
          fence.resume();
          logger.info('revocation feed back and fence re-read: protected routes open again');
        }
      })
      .catch((error: unknown) => {
        // Once per gap: a database outage would otherwise log four lines a second.
        if (this.warnedGap === gap) return;
        this.warnedGap = gap;
        logger.warn({ err: error }, 'fence re-read failed; retrying on every heartbeat');
      })
      .finally(() => {
        this.resyncing = false;
      });
  }

  private async reloadKeys(): Promise<void> {
    this.lastKeyReload = Date.now();
    try {
      await this.deps.keyRing.reload();
      this.signingKid = this.currentKid();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'signing keys reload failed');
    }
  }

  private async publishChange(change: FenceChange): Promise<void> {
    if (this.closed) return;
    if (!(await this.send({ o: this.origin, k: 'fence', c: change }))) this.keep(change);
  }

  private flushPending(): void {
    const batch = this.pending;
    this.pending = [];
    for (const change of batch) void this.publishChange(change);
  }

  private keep(change: FenceChange): void {
    if (this.pending.length >= PENDING_LIMIT) {
      // Instances that missed it re-read the fence from the database when their feed comes back.
      this.pending.shift();
      this.deps.logger.error('revocation re-send queue full: dropping the oldest');
    }
    this.pending.push(change);
  }

  /** Publishes; false when Redis did not take it. */
  private async send(message: BusMessage): Promise<boolean> {
    try {
      await this.pub.publish(this.channel, JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private currentKid(): string | undefined {
    try {
      return this.deps.keyRing.signingKey().kid;
    } catch {
      return undefined;
    }
  }
}
