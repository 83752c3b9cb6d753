import type Redis from 'ioredis';
import type { z } from 'zod';
import type { Logger } from '../../logger';
import type { MasterDataPort } from '../ports';
import { Item, Location, PATHS } from './contract';
import type { Remote } from './remote';

export type { MasterDataPort };

export interface MasterDataCacheOptions {
  redis?: Redis;
  ttlSeconds: number;
  logger: Logger;
  /** a cache that does not answer within this long is skipped for the call */
  cacheTimeoutMs?: number;
}

const PREFIX = 'reckon:adapter:md:v1';
export const itemCacheKey = (sku: string) => `${PREFIX}:item:${encodeURIComponent(sku)}`;
export const locationCacheKey = (site: string, location: string) => `${PREFIX}:location:${encodeURIComponent(site)}:${encodeURIComponent(location)}`;

/**
 * Item and location master data, read through Redis with a TTL. The cache only ever speeds
 * things up: Redis down, slow or holding garbage means the remote is asked, never a failed call.
 * "Not found" is not cached, so an item created in the WMS is seen on the next read.
 */
export function createMasterData(remote: Remote, opts: MasterDataCacheOptions): MasterDataPort {
  const cacheTimeoutMs = opts.cacheTimeoutMs ?? 250;
  let warned = false;
  const cacheFailed = (op: string, err: unknown) => {
    // one warning per outage is enough; the next success re-arms it
    if (!warned) opts.logger.warn({ op, err: (err as Error).message }, 'master data cache unavailable; reading the remote');
    warned = true;
  };
  const bounded = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis did not answer within ${cacheTimeoutMs} ms`)), cacheTimeoutMs);
      p.then(resolve, reject).finally(() => clearTimeout(timer));
    });

  async function readThrough<S extends z.ZodType>(key: string, schema: S, fetchRemote: () => Promise<z.output<S> | null>): Promise<z.output<S> | null> {
    const redis = opts.redis;
    if (redis) {
      try {
        const cached = await bounded(redis.get(key));
        warned = false;
        // an entry that no longer parses (an older format) is a miss, and is overwritten below
        const parsed = cached === null ? undefined : schema.safeParse(parseOrUndefined(cached));
        if (parsed?.success) return parsed.data;
      } catch (err) {
        cacheFailed('get', err);
      }
    }
    const fresh = await fetchRemote();
    if (redis && fresh !== null) {
      await bounded(redis.set(key, JSON.stringify(fresh), 'EX', opts.ttlSeconds)).catch((err) => cacheFailed('set', err));
    }
    return fresh;
  }

  return {
    getItem: (sku) => readThrough(itemCacheKey(sku), Item, () => remote.find({ method: 'GET', path: PATHS.wms.item(sku) }, Item)),
    getLocation: (site, location) =>
      readThrough(locationCacheKey(site, location), Location, () => remote.find({ method: 'GET', path: PATHS.wms.location(site, location) }, Location)),
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
