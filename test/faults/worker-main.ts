import { NativeConnection } from '@temporalio/worker';
import { createRedisClient } from '../../src/api/redis';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { createReckonWorker } from '../../src/workers/build';

/**
 * The fault suite's worker process: src/workers/main.ts with one difference, a workflow bundle
 * built once by the suite (path in argv[2]). Every restart then runs the same workflow code
 * (the checkout may change under a long run) and is polling in seconds instead of re-bundling.
 * Left out as well: migrations (the suite applies them before the first worker starts), the
 * metrics endpoint (off) and the planner schedules (no sites configured).
 */
async function main(): Promise<void> {
  const codePath = process.argv[2];
  if (!codePath) throw new Error('usage: worker-main.ts WORKFLOW_BUNDLE_PATH');
  const config = loadConfig();
  const logger = createLogger(config, 'reckon-worker');
  const db = createPool(config.DATABASE_URL, 20);
  const feed = createRedisClient(config.REDIS_URL, logger);
  feed.connect().catch(() => undefined);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createReckonWorker({ config, db, logger, connection, feed, workflowBundle: { codePath } });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  await worker.run();
  await connection.close();
  await db.end();
  feed.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
