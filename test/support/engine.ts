import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { createReckonWorker } from '../../src/workers/build';
import { WORKFLOW_PRELOAD_MODULES } from '../../src/temporal/worker-interceptors';
import { startLedgerRemote, type LedgerRemote } from '../contract/servers';

let runtimeInstalled = false;

/**
 * RECKON_TEST_ADAPTER=http runs an engine test against the fake WMS/ERP served over HTTP through
 * the http adapter instead of the embedded one (a test that chooses its adapter keeps it).
 */
export const TEST_ADAPTER: 'http' | 'reference' = process.env.RECKON_TEST_ADAPTER === 'http' ? 'http' : 'reference';

/**
 * A real engine for a test file: a Reckon worker (in this process) on its own task queue
 * against the suite's Temporal dev server and Postgres, and a client.
 */
export async function startEngine(overrides: Partial<Config> = {}, opts: { liveFeed?: boolean } = {}) {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const base: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: `reckon-test-${randomUUID().slice(0, 8)}`, ...overrides };
  const db: Pool = createPool(base.DATABASE_URL, 10);
  let remote: LedgerRemote | undefined;
  if (TEST_ADAPTER === 'http' && !overrides.ADAPTER) remote = await startLedgerRemote(db);
  const config: Config = remote ? { ...base, ADAPTER: 'http', WMS_HTTP_URL: remote.wmsUrl, ERP_HTTP_URL: remote.erpUrl, ADAPTER_HTTP_API_KEY: remote.apiKey } : base;
  const logger = createLogger({ LOG_LEVEL: 'warn' }, 'test-engine');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), preloadModules: WORKFLOW_PRELOAD_MODULES, logger: new DefaultLogger('WARN') });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // the live feed (Redis pub/sub) only for tests that watch it: other tests' cases stay off the channel
  const feed = opts.liveFeed ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }) : undefined;
  const worker = await createReckonWorker({ config, db, logger, connection: nativeConnection, workflowBundle, feed });
  const running = worker.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    db,
    client,
    worker,
    workflowBundle,
    /** the fake served over HTTP when RECKON_TEST_ADAPTER=http */
    remote,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await nativeConnection.close();
      await connection.close();
      await remote?.stop();
      await db.end();
      feed?.disconnect();
    },
  };
}
export type Engine = Awaited<ReturnType<typeof startEngine>>;

/** Polls until `fn` returns a truthy value (read models are written asynchronously). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export function uniq(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
