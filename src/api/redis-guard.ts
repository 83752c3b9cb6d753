import type Redis from 'ioredis';
import type { Logger } from '../logger';
import type { ApiMetrics } from '../metrics/api';

export type RedisFeature = 'idempotency' | 'rate_limit' | 'stream';

/** How long a request waits on a Redis command before it is served without it. */
export const REDIS_CALL_MS = 500;
/** A lazy client's first connection (it fails at once when Redis refuses it). */
const CONNECT_MS = 2000;
const LOG_EVERY_MS = 30_000;

/**
 * Redis calls of the request path. Redis holds nothing that cannot be rebuilt (docs/architecture.md, "The shape in one picture"): when
 * it is down or slow a call gives up after REDIS_CALL_MS and answers `undefined`, and the caller
 * serves the request without the feature. Counted per feature; logged once per LOG_EVERY_MS.
 */
export class RedisGuard {
  private lastLogged = new Map<RedisFeature, number>();
  private connecting?: Promise<void>;

  constructor(
    readonly redis: Redis,
    private readonly logger: Logger,
    private readonly metrics: ApiMetrics,
  ) {}

  async run<T>(feature: RedisFeature, fn: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    try {
      await within(CONNECT_MS, this.connected());
      return await within(REDIS_CALL_MS, fn(this.redis));
    } catch (err) {
      this.degraded(feature, err);
      return undefined;
    }
  }

  degraded(feature: RedisFeature, err: unknown): void {
    this.metrics.redisDegraded.inc({ feature });
    const now = Date.now();
    if (now - (this.lastLogged.get(feature) ?? 0) < LOG_EVERY_MS) return;
    this.lastLogged.set(feature, now);
    this.logger.warn({ feature, err: err instanceof Error ? err.message : String(err) }, 'redis unavailable: serving without it');
  }

  /** A lazy client connects on first use; one that gave up is nudged to try again. */
  private async connected(): Promise<void> {
    if (this.redis.status === 'wait') {
      this.connecting ??= this.redis.connect().finally(() => {
        this.connecting = undefined;
      });
    } else if (this.redis.status === 'end') {
      this.redis.connect().catch(() => undefined);
    }
    if (this.connecting) await this.connecting;
  }
}

/**
 * Rejects after `ms`. The rejection waits one more turn of the event loop (setImmediate runs
 * after pending I/O), so a reply that arrived while the loop was busy still wins the race.
 */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => setImmediate(() => reject(new Error(`no answer within ${ms} ms`))), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
