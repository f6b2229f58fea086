import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { closeRedis, connectRedis, createRedisClient } from '../cache/redis-client.js';
import { fenceChannel, fenceMessage } from './fence-bus.js';
import type { FenceChange, SessionFence } from './session-fence.js';

/**
 * The sending half of the fence bus, for short-lived processes (the CLI):
 * every local change of a fence is published on the deployment's channel, so
 * running instances apply it at once, as they do another instance's. It
 * neither subscribes nor beats. When Redis does not take a message, the
 * instances still learn the change from the database within the allowed lag
 * (their store poll): publishing only makes it immediate.
 */
export class FencePublisher {
  private readonly origin = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = fenceChannel(prefix);
  }

  /** Connects to Redis; throws when it cannot be reached. */
  static async connect(url: string, prefix: string, logger: Logger): Promise<FencePublisher> {
    const client = createRedisClient(url, 'fence-pub', logger);
    await connectRedis(client, url);
    return new FencePublisher(client, prefix, logger);
  }

  /** Publishes every local change of `fence` from now on. */
  follow(fence: SessionFence): void {
    fence.onChange((change) => {
      const sent = this.publish(change).finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    });
  }

  /** Waits for the messages still on their way, then disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    await closeRedis(this.client);
  }

  private async publish(change: FenceChange): Promise<void> {
    try {
      await this.client.publish(this.channel, fenceMessage(this.origin, change));
    } catch (error) {
      this.logger.warn({ err: error }, 'revocation not published on Redis: running instances see it through their store poll');
    }
  }
}
