import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createHttpAdapters } from '../../src/adapters/http';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { uniq } from '../support/engine';
import { startLedgerRemote, type LedgerRemote } from './servers';

/**
 * Inside an activity Temporal's retry policy is the only retry layer: the adapter makes one
 * attempt, and the activity's cancellation aborts a call still waiting on the remote. Outside
 * (the API's master-data reads) the adapter keeps its own retries. Postgres statements time out.
 */
let pool: Pool;
let remote: LedgerRemote;
beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 2);
  remote = await startLedgerRemote(pool);
});
afterAll(async () => {
  await remote?.stop();
  await pool?.end();
});
afterEach(() => {
  remote.failWith = undefined;
  remote.stallMs = undefined;
});

const wms = () =>
  createHttpAdapters({
    wmsUrl: remote.wmsUrl,
    erpUrl: remote.erpUrl,
    apiKey: remote.apiKey,
    timeoutMs: 5000,
    circuit: { failures: 100, resetMs: 300 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
    masterDataTtlSeconds: 60,
    logger: createLogger({ LOG_LEVEL: 'silent' }, 'one-retry-layer'),
  }).wms;

it('in an activity a failing call is tried once (Temporal retries it); outside, the adapter retries', async () => {
  const key = { site: uniq('OR'), sku: uniq('SKU'), location: 'A-01' };
  remote.failWith = 503;
  const before = remote.hits('/wms/balances');
  await expect(new MockActivityEnvironment().run(() => wms().getBalance(key))).rejects.toThrow(/503/);
  expect(remote.hits('/wms/balances') - before).toBe(1);
  const outside = remote.hits('/wms/balances');
  await expect(wms().getBalance(key)).rejects.toThrow(/503/);
  expect(remote.hits('/wms/balances') - outside).toBe(3);
});

it('cancelling the activity aborts the call waiting on the remote', async () => {
  remote.stallMs = 4000;
  const env = new MockActivityEnvironment();
  const started = Date.now();
  const call = env.run(() => wms().getBalance({ site: uniq('OR'), sku: uniq('SKU'), location: 'A-01' }));
  setTimeout(() => env.cancel(), 200);
  await expect(call).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(3000);
});

it('the pool cancels statements that outlive the activity that issued them', async () => {
  const { rows } = await pool.query('SHOW statement_timeout');
  expect(rows[0].statement_timeout).toBe('8s');
  await expect(pool.query('SELECT pg_sleep(10)')).rejects.toThrow(/statement timeout/);
}, 30_000);
