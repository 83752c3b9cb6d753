import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { temporalConnectionOptions } from '../temporal/connection';
import { createReckonWorker } from './build';

/** Worker entrypoint: runs discrepancy workflows and their activities until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'reckon-worker');
  const db = createPool(config.DATABASE_URL, 20);
  await migrate(db);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createReckonWorker({ config, db, logger, connection });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  // Worker.run() installs its own SIGINT/SIGTERM handling and drains in-flight tasks
  await worker.run();
  await connection.close();
  await db.end();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
