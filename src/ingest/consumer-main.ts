import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { createLogger, redactUrl } from '../logger';
import { createPool } from '../store/db';
import { reckonClientInterceptors } from '../temporal/client-interceptors';
import { temporalConnectionOptions } from '../temporal/connection';
import { IntakeConsumer } from './consumer';
import { intakeWiring } from '../wiring/fake-wms';

/** Consumer entrypoint: takes in the RabbitMQ intake queue until SIGINT/SIGTERM, then closes cleanly. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'reckon-consumer');
  const db = createPool(config.DATABASE_URL, Math.min(config.RABBITMQ_PREFETCH, 20));
  // lazy: an unreachable Temporal is a transient intake failure (messages are held), not a crash
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: reckonClientInterceptors() });
  const consumer = new IntakeConsumer({ config, db, temporal, logger, ...intakeWiring(config, db, logger) });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'consumer stopping');
    const forced = setTimeout(() => {
      logger.warn('still closing after the grace period; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 5000);
    forced.unref();
    await consumer.stop();
    await Promise.allSettled([connection.close(), db.end()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  logger.info({ broker: redactUrl(config.RABBITMQ_URL), queue: config.RABBITMQ_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'consumer starting');
  await consumer.start();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
