import Redis from 'ioredis';
import { createHttpAdapters } from '../../src/adapters/http';
import { loadFixture, parseFixture } from '../../fake-wms/ledger';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { runAdapterContract } from './adapter-contract';
import { startLedgerRemote } from './servers';

/** The contract against the reference ledger served over HTTP, through the http adapter. */
runAdapterContract('reference ledger over HTTP, through the http adapter', async () => {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 10);
  const remote = await startLedgerRemote(pool);
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
  const adapters = createHttpAdapters({
    wmsUrl: remote.wmsUrl,
    erpUrl: remote.erpUrl,
    webhookUrl: remote.webhookUrl,
    apiKey: remote.apiKey,
    timeoutMs: 5000,
    circuit: { failures: 5, resetMs: 1000 },
    redis,
    masterDataTtlSeconds: 60,
    logger: createLogger({ LOG_LEVEL: 'warn' }, 'contract-http'),
  });
  return {
    ...adapters,
    seed: async (fixture) => {
      await loadFixture(pool, parseFixture(fixture));
    },
    async close() {
      await remote.stop();
      redis.disconnect();
      await pool.end();
    },
  };
});
