import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Pool } from 'pg';
import { loadConfig, type Config } from '../src/config';
import { findTemporalCli, freePort, startDevServer, waitForPort } from '../src/dev/temporal-server';
import { createPool } from '../src/store/db';
import { migrate } from '../src/store/migrate';
import { createScratchDatabase } from './scratch-db';

/**
 * The bench's own stack, so it disturbs nothing else on the machine: a Temporal dev server (in
 * memory, search attributes registered) on a free port, a scratch database on the local
 * Postgres (dropped at the end), and Redis db 14 on a private redis-server when one is installed
 * (pub/sub channels are global to a Redis server, and the worker publishes the live feed).
 */
export interface Stack {
  config: Config;
  /** the bench's own pool on the scratch database (setup, seeding, counting) */
  db: Pool;
  temporal: TemporalClient;
  redisUrl: string;
  /** false: a shared Redis server (no redis-server binary), so the live feed channel is shared too */
  privateRedis: boolean;
  /** the scratch database's name (its Postgres backends are counted as the bench's CPU) */
  database: string;
  /** the stack's own server processes, for CPU accounting */
  pids: { temporal: number; redis?: number };
  /** warnings from the SDK core that a workflow task took over 5 s (CPU starvation), so far */
  slowWorkflowTasks(): number;
  /** registers a clean-up step; steps run newest first */
  onStop(step: () => Promise<unknown> | unknown): void;
  stop(): Promise<void>;
}

const BENCH_DB_PREFIX = 'reckon_bench_';

function findOnPath(binary: string, searchPath: string): string | undefined {
  return searchPath.split(':').map((dir) => join(dir, binary)).find((p) => p.startsWith('/') && existsSync(p));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startStack(log: (msg: string) => void): Promise<Stack> {
  const base = loadConfig();
  const steps: (() => Promise<unknown> | unknown)[] = [];
  const onStop = (step: () => Promise<unknown> | unknown) => steps.push(step);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const step of steps.reverse()) await Promise.resolve().then(step).catch((err) => log(`clean-up step failed: ${String(err)}`));
  };
  try {
    // core warnings arrive through this logger: the "workflow task took over 5 s" ones are
    // counted (a sign of CPU starvation), the rest printed
    let slowTasks = 0;
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        if (entry.message.includes('TMPRL1104') || entry.message.includes('Workflow task duration exceeded')) slowTasks++;
        else console.error(`[temporal ${entry.level}] ${entry.message}`);
      }),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });

    // the schema owner may create databases; the app role may not
    const scratch = await createScratchDatabase(base.MIGRATION_DATABASE_URL, BENCH_DB_PREFIX);
    onStop(scratch.drop);
    const db = createPool(scratch.url, 4, { statementTimeoutMs: 0 });
    onStop(() => db.end());
    await migrate(db);
    log(`postgres: scratch database ${new URL(scratch.url).pathname.slice(1)}, migrated`);

    const redisServer = findOnPath('redis-server', base.PATH);
    let redisUrl: string;
    let redisPid: number | undefined;
    if (redisServer) {
      const port = await freePort();
      const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      onStop(() => stopChild(child));
      redisPid = child.pid;
      await waitForPort(port, 10_000);
      redisUrl = `redis://127.0.0.1:${port}/14`;
      log(`redis: private redis-server on 127.0.0.1:${port}, db 14`);
    } else {
      const shared = new URL(base.REDIS_URL);
      shared.pathname = '/14';
      redisUrl = shared.toString();
      log(`redis: no redis-server binary; shared ${shared.host} db 14 (the live feed channel is shared)`);
    }

    const cli = base.TEMPORAL_CLI || findTemporalCli(base.PATH);
    const port = await freePort();
    const server = startDevServer({ cli, port });
    onStop(() => stopChild(server));
    await waitForPort(port, 60_000);
    log(`temporal: dev server (in memory) on 127.0.0.1:${port}`);

    const config: Config = {
      ...base,
      DATABASE_URL: scratch.url,
      MIGRATION_DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: `reckon-bench-${process.pid}`,
      // request logs at info would be most of the CPU and all of the output
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: 1_000_000,
      WORKER_METRICS_PORT: 0,
      ADAPTER: 'reference',
    };
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    onStop(() => connection.close());
    const temporal = new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
    return {
      config,
      db,
      temporal,
      redisUrl,
      privateRedis: Boolean(redisServer),
      database: new URL(scratch.url).pathname.slice(1),
      pids: { temporal: server.pid!, redis: redisPid },
      slowWorkflowTasks: () => slowTasks,
      onStop,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
