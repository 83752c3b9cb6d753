import Redis from 'ioredis';
import type { Logger } from '../logger';

/**
 * The API's Redis client. Redis only speeds things up, so it must never hold a request:
 * no offline queue (commands fail at once while disconnected), one retry per command, and
 * reconnects in the background with a capped back-off.
 */
export function createRedisClient(url: string, logger?: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 500, 10_000),
  });
  let reported = false;
  redis.on('error', (err) => {
    // one line per outage, not one per reconnect attempt
    if (!reported) logger?.warn({ err: err.message }, 'redis unavailable');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger?.info('redis available again');
    reported = false;
  });
  return redis;
}
