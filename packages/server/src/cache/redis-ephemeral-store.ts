import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AuthError } from '../errors/auth-error.js';
import type { EphemeralStore } from './ephemeral-store.js';
import { closeRedis, connectRedis, createRedisClient } from './redis-client.js';

/**
 * INCR, then give the counter its window if it has none (first hit, or an
 * expiry lost to a crash between two commands — impossible here, as the
 * script runs atomically, but cheap to guard). Returns the count and the
 * milliseconds left in the window.
 */
const INCREMENT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

type ScriptedRedis = Redis & { duotokenIncrement(key: string, windowMs: number): Promise<[number, number]> };

/** Redis wants whole, positive milliseconds. */
const ms = (value: number) => Math.max(1, Math.ceil(value));

/**
 * The EphemeralStore shared by every instance of a cluster: challenges and
 * captcha answers, rate-limit counters. Each method is one atomic Redis
 * operation (`take` = GETDEL, `replace` = SET XX PX, `increment` = one Lua
 * script), so concurrent instances agree. Keys carry the configured prefix.
 *
 * Expiry follows Redis's clock, not the injected one. While Redis is away
 * every method throws STORE_UNAVAILABLE (10051) at once: callers fail closed.
 */
export class RedisEphemeralStore implements EphemeralStore {
  private constructor(private readonly redis: ScriptedRedis) {}

  /**
   * Connects to `url`; every key gets `prefix` (default `duotoken:`).
   *
   * @example const ephemeral = await RedisEphemeralStore.open('redis://127.0.0.1:6379', 'duotoken:', logger)
   */
  static async open(url: string, prefix: string, logger: Logger): Promise<RedisEphemeralStore> {
    const redis = createRedisClient(url, 'ephemeral', logger, prefix);
    redis.defineCommand('duotokenIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    await connectRedis(redis, url);
    return new RedisEphemeralStore(redis as ScriptedRedis);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.guard(() => this.redis.set(key, value, 'PX', ms(ttlMs)));
  }

  async replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.guard(() => this.redis.set(key, value, 'PX', ms(ttlMs), 'XX'))) === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.guard(() => this.redis.get(key))) ?? undefined;
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.guard(() => this.redis.getdel(key))) ?? undefined;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [count, resetInMs] = await this.guard(() => this.redis.duotokenIncrement(key, ms(windowMs)));
    return { count: Number(count), resetInMs: Number(resetInMs) };
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.redis.del(key));
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new AuthError('STORE_UNAVAILABLE', { cause: error });
    }
  }
}
