import Redis from 'ioredis';
import type { Pool } from 'pg';
import { createHttpAdapters, itemCacheKey, locationCacheKey, type MasterDataPort } from '../../src/adapters/http';
import { loadFixture, parseFixture } from '../../fake-wms/ledger';
import { freePort } from '../../src/dev/temporal-server';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { eventually, uniq } from '../support/engine';
import { startLedgerRemote, type LedgerRemote } from './servers';

/** Item and location master data read through a real Redis with a TTL. */
let pool: Pool;
let remote: LedgerRemote;
let redis: Redis;
const logger = createLogger({ LOG_LEVEL: 'silent' }, 'master-data-test');

beforeAll(async () => {
  const config = loadConfig();
  pool = createPool(config.DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
  redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  await remote?.stop();
  redis?.disconnect();
  await pool?.end();
});

function masterData(cache: Redis | undefined, ttlSeconds = 60): MasterDataPort {
  return createHttpAdapters({
    wmsUrl: remote.wmsUrl,
    erpUrl: remote.erpUrl,
    apiKey: remote.apiKey,
    timeoutMs: 2000,
    circuit: { failures: 5, resetMs: 1000 },
    redis: cache,
    masterDataTtlSeconds: ttlSeconds,
    logger,
  }).masterData;
}

async function seedItem(): Promise<{ sku: string; site: string }> {
  const sku = uniq('SKU');
  const site = uniq('MD');
  await loadFixture(pool, parseFixture({ items: [{ sku, description: 'pallet jack', skuClass: 'B', unitCost: 410, uom: 'EA' }], locations: [{ site, location: 'R-01', zone: 'RESERVE' }] }));
  return { sku, site };
}

it('a miss reads the WMS and fills the cache with the TTL; a hit does not call the WMS', async () => {
  const md = masterData(redis, 60);
  const { sku, site } = await seedItem();
  const path = `/wms/items/${sku}`;
  const item = { sku, description: 'pallet jack', skuClass: 'B', unitCost: 410, uom: 'EA' };
  expect(await md.getItem(sku)).toEqual(item);
  expect(remote.hits(path)).toBe(1);
  const ttl = await redis.ttl(itemCacheKey(sku));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60);
  expect(await md.getItem(sku)).toEqual(item);
  expect(await masterData(redis).getItem(sku)).toEqual(item); // another worker, same cache
  expect(remote.hits(path)).toBe(1);

  expect(await md.getLocation(site, 'R-01')).toEqual({ site, location: 'R-01', zone: 'RESERVE' });
  expect(await md.getLocation(site, 'R-01')).toEqual({ site, location: 'R-01', zone: 'RESERVE' });
  expect(remote.hits(`/wms/locations/${site}/R-01`)).toBe(1);
  expect(await redis.exists(locationCacheKey(site, 'R-01'))).toBe(1);
});

it('after the TTL the entry is gone and the next read goes to the WMS again', async () => {
  const md = masterData(redis, 1);
  const { sku } = await seedItem();
  await md.getItem(sku);
  await eventually(async () => (await redis.exists(itemCacheKey(sku))) === 0, 10_000, 100);
  await md.getItem(sku);
  expect(remote.hits(`/wms/items/${sku}`)).toBe(2);
});

it('unknown items are null and are not cached', async () => {
  const md = masterData(redis);
  const sku = uniq('NOPE');
  expect(await md.getItem(sku)).toBeNull();
  expect(await md.getItem(sku)).toBeNull();
  expect(remote.hits(`/wms/items/${sku}`)).toBe(2);
  expect(await redis.exists(itemCacheKey(sku))).toBe(0);
});

it('an unreadable cache entry is a miss and is replaced', async () => {
  const md = masterData(redis);
  const { sku } = await seedItem();
  await redis.set(itemCacheKey(sku), '{not json', 'EX', 60);
  expect(await md.getItem(sku)).toMatchObject({ sku, unitCost: 410 });
  expect(JSON.parse((await redis.get(itemCacheKey(sku)))!)).toMatchObject({ sku });
});

it('Redis down never fails the call: master data comes from the WMS', async () => {
  const down = new Redis(`redis://127.0.0.1:${await freePort()}/0`, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  down.on('error', () => undefined);
  const md = masterData(down);
  const { sku } = await seedItem();
  expect(await md.getItem(sku)).toMatchObject({ sku, skuClass: 'B' });
  expect(await md.getItem(sku)).toMatchObject({ sku, skuClass: 'B' });
  expect(remote.hits(`/wms/items/${sku}`)).toBe(2);
  down.disconnect();
});
