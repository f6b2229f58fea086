import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What a duotoken Redis connection is for; named in `CLIENT LIST` and in logs. */
export type RedisRole = 'ephemeral' | 'fence-pub' | 'fence-sub';

/** The Redis URL without its password, for logs. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '';
  if (u.username) u.username = '';
  return u.toString();
}

/**
 * A Redis connection that fails fast while Redis is away and reconnects on
 * its own: commands are neither queued while disconnected nor resent after
 * a reconnect (an auth decision must not wait or run twice), each has a
 * 2 s timeout, and reconnection attempts back off to one per second.
 *
 * The subscriber connection is the exception: it keeps the offline queue so
 * that its subscriptions are re-sent after a reconnect.
 */
export function createRedisClient(url: string, role: RedisRole, logger: Logger, keyPrefix?: string): Redis {
  const subscriber = role === 'fence-sub';
  const client = new Redis(url, {
    lazyConnect: true,
    ...(keyPrefix ? { keyPrefix } : {}),
    connectionName: `duotoken-${role}`,
    connectTimeout: 2_000,
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    autoResendUnfulfilledCommands: subscriber,
    autoResubscribe: true,
    ...(subscriber ? {} : { commandTimeout: 2_000 }),
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
  });
  // Logged once per outage, not once per reconnection attempt.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ redis: role, err: { message: error.message, code: (error as { code?: string }).code } }, 'redis connection lost');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: role }, 'redis connection back');
  });
  return client;
}

/** Connects a lazily created client; a failure at start-up stops the retries and names the URL. */
export async function connectRedis(client: Redis, url: string): Promise<void> {
  // connect() rejects with a bare "Connection is closed."; the socket's own error says why.
  let reason: Error | undefined;
  const remember = (error: Error) => (reason ??= error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const why = (reason ?? (error as Error)).message;
    throw new Error(`DUOTOKEN_REDIS_URL: cannot connect to ${describeRedisUrl(url)}: ${why}`, { cause: error });
  } finally {
    client.off('error', remember);
  }
}

/** Closes a client politely, or at once when Redis does not answer. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
