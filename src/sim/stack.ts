import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Client as PgClient, type Pool } from 'pg';
import { createApp } from '../api/app';
import { intakeWiring } from '../wiring/fake-wms';
import { createRedisClient } from '../api/redis';
import type { Config } from '../config';
import { findTemporalCli, freePort, startDevServer, waitForPort } from '../dev/temporal-server';
import { createLogger } from '../logger';
import { createApiKey } from '../store/api-key-repo';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { reckonClientInterceptors } from '../temporal/client-interceptors';
import { createReckonWorker } from '../workers/build';
import { temporalNightPlanner, type NightPlanner } from './night-planner';

/** A running engine the simulator talks to over HTTP, and how to stop what was started for it. */
export interface Engine {
  url: string;
  key: string;
  /** the engine's database, when the simulator started it (master data is loaded directly) */
  db?: Pool;
  /** the cycle-count planner on the engine's Temporal, when the simulator started it */
  planner?: NightPlanner;
  /** keys of the simulated approvers: people apart from the integration that posts events and counts */
  approverKeys?: string[];
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * A private engine, like the test suite's: a Temporal dev server (in memory) on a free port, a
 * fresh Postgres database, the worker and the API in this process, and an admin key. `stop`
 * shuts everything down and drops the database.
 */
export async function startPrivateEngine(base: Config, note: (msg: string) => void, opts: { plannerTopN?: number } = {}): Promise<Engine> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const dbName = `reckon_sim_${process.pid}`;
    // the schema owner may create databases; the app role may not
    const adminUrl = base.MIGRATION_DATABASE_URL;
    const admin = new PgClient({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      const a = new PgClient({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).finally(() => a.end());
    });
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    note(`database ${dbName}`);

    const cli = base.TEMPORAL_CLI || findTemporalCli(base.PATH);
    const port = await freePort();
    const server: ChildProcess = startDevServer({ cli, port });
    cleanups.push(async () => {
      if (server.exitCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill('SIGKILL');
    });
    await waitForPort(port, 60_000);
    note(`Temporal dev server on 127.0.0.1:${port}`);

    const config: Config = {
      ...base,
      DATABASE_URL: url.toString(),
      MIGRATION_DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: `reckon-sim-${process.pid}`,
      RATE_LIMIT_PER_MINUTE: 1_000_000,
      ADAPTER: 'reference',
      LOG_LEVEL: 'error',
    };
    const logger = createLogger({ LOG_LEVEL: 'error' }, 'reckon-sim', process.stderr);
    const db = createPool(config.DATABASE_URL, 20);
    cleanups.push(() => db.end());
    await migrate(db);

    if (!runtimeInstalled) {
      // the SDK's own logs (core included) to stderr, errors only: stdout carries the scorecard
      const toStderr = new DefaultLogger('ERROR', (entry) => void process.stderr.write(`temporal ${entry.level}: ${entry.message}\n`));
      Runtime.install({ logger: toStderr, telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
      runtimeInstalled = true;
    }
    const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    cleanups.push(() => nativeConnection.close());
    const worker = await createReckonWorker({ config, db, logger, connection: nativeConnection });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });
    note('worker running');

    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: reckonClientInterceptors() });
    const redis = createRedisClient(config.REDIS_URL, logger);
    redis.connect().catch(() => undefined);
    cleanups.push(async () => void redis.disconnect());
    const app = createApp({ temporal, db, redis, config, logger, intakePorts: intakeWiring(config, db, logger) });
    const apiPort = await freePort();
    const http: Server = await new Promise((resolve) => {
      const s = app.listen(apiPort, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(() => new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    }));
    const { key } = await createApiKey(db, { userId: 'simulator', roles: ['admin', 'integration'], sites: ['*'] });
    note(`API on http://127.0.0.1:${apiPort}`);
    const planner = temporalNightPlanner({ temporal, db, taskQueue: config.TEMPORAL_TASK_QUEUE, topN: opts.plannerTopN ?? config.CYCLE_COUNT_TOP_N });
    // two approvers: one who posted an adjustment at a bin may not approve the next case there
    const approverKeys: string[] = [];
    for (const userId of ['sim-approver-1', 'sim-approver-2']) approverKeys.push((await createApiKey(db, { userId, roles: ['admin'], sites: ['*'] })).key);
    return { url: `http://127.0.0.1:${apiPort}`, key, db, planner, approverKeys, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
