import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createPool } from '../store/db';
import { reckonClientInterceptors } from '../temporal/client-interceptors';
import { describeTemporalConnection, temporalConnectionOptions } from '../temporal/connection';
import { intakeWiring } from '../wiring/fake-wms';
import { createApp } from './app';
import { createRedisClient } from './redis';
import { serveApi } from './serve';

/** API entrypoint: serves until SIGINT/SIGTERM, then stops taking connections and closes its clients. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'reckon-api');
  if (!config.ACTOR_SIGNING_KEY) {
    // the worker refuses every approver action the API has not signed: fail now, not per request
    logger.fatal('ACTOR_SIGNING_KEY is not set: the API signs approver actions with it (npm run keys -- actor-keypair)');
    process.exit(1);
  }
  const db = createPool(config.DATABASE_URL, 20);
  const redis = createRedisClient(config.REDIS_URL, logger);
  redis.connect().catch(() => undefined);
  const temporalOptions = temporalConnectionOptions(config);
  const connection = await Connection.connect(temporalOptions);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: reckonClientInterceptors() });

  const app = createApp({ temporal, db, redis, config, logger, intakePorts: intakeWiring(config, db, logger) });
  const server = serveApi(app, config, () => {
    logger.info({ port: config.PORT, host: config.HOST, temporal: describeTemporalConnection(temporalOptions) }, 'api listening');
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'api cannot listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    const forced = setTimeout(() => {
      logger.warn('requests still open after the grace period; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    forced.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled([connection.close(), db.end(), redis.quit()]);
    logger.info('api stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
