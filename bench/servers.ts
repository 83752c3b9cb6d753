import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../src/api/app';
import { createRedisClient } from '../src/api/redis';
import { serveApi } from '../src/api/serve';
import { loadConfig, type Config } from '../src/config';
import { createLogger } from '../src/logger';
import { createApiKey } from '../src/store/api-key-repo';
import { createPool } from '../src/store/db';
import type { Stack } from './stack';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Every measured server listens as the API does in production (serveApi: its keep-alive time). */
async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const { API_KEEP_ALIVE_TIMEOUT_MS } = loadConfig();
  return new Promise((resolve, reject) => {
    const server = serveApi(app, { PORT: 0, HOST: '127.0.0.1', API_KEEP_ALIVE_TIMEOUT_MS }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
    server.on('error', reject);
  });
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * Reckon's real API (createApp) on a loopback port, with its own pool and Redis client, on the
 * stack's Temporal. `taskQueue` says where the cases it starts run.
 */
export async function startReckonApi(stack: Pick<Stack, 'config' | 'temporal'>, opts: { taskQueue: string; poolSize: number }): Promise<Listening> {
  const config: Config = { ...stack.config, TEMPORAL_TASK_QUEUE: opts.taskQueue };
  const logger = createLogger(config, 'bench-api');
  const db = createPool(config.DATABASE_URL, opts.poolSize);
  const redis = createRedisClient(config.REDIS_URL, logger);
  await redis.connect();
  const app = createApp({ temporal: stack.temporal, db, redis, config, logger });
  const { server, url } = await listen(app);
  return {
    url,
    async close() {
      await closeServer(server);
      redis.disconnect();
      await db.end();
    },
  };
}

/** The ingestion baseline: express that parses the JSON body and answers 202, nothing else. */
export async function startBareExpress(bodyLimit: string): Promise<Listening> {
  const app = express();
  app.disable('x-powered-by');
  app.post('/ingest', express.json({ limit: bodyLimit }), (req, res) => {
    res.status(202).json({ accepted: typeof req.body === 'object' });
  });
  const { server, url } = await listen(app);
  return { url, close: () => closeServer(server) };
}

/**
 * The report-intake floor: express that parses the JSON and makes the same signalWithStart as a
 * report (workflow id from the body, the body as start argument and signal), of a no-op workflow
 * type, on the same Temporal client, then answers 202 with the run id. Nothing else.
 */
export async function startBareSignalExpress(stack: Stack, bodyLimit: string, taskQueue: string): Promise<Listening> {
  const app = express();
  app.disable('x-powered-by');
  app.post('/ingest', express.json({ limit: bodyLimit }), async (req, res) => {
    const body = req.body as { kind: string; site: string; sku: string };
    try {
      const handle = await stack.temporal.workflow.signalWithStart('benchNoop', {
        workflowId: `bare-${body.kind}-${body.site}-${body.sku}`,
        taskQueue,
        args: [body],
        signal: 'report',
        signalArgs: [body],
      });
      res.status(202).json({ id: handle.signaledRunId });
    } catch (err) {
      res.status(503).json({ error: err instanceof Error ? err.message : String(err) });
    }
  });
  const { server, url } = await listen(app);
  return { url, close: () => closeServer(server) };
}

export interface BenchKeys {
  integration: Record<string, string>;
  viewer: Record<string, string>;
}

/** API keys for the bench's personas, as Authorization headers. */
export async function createBenchKeys(stack: Stack): Promise<BenchKeys> {
  const bearer = async (userId: string, roles: string[]) => {
    const { key } = await createApiKey(stack.db, { userId, roles, sites: ['*'] });
    return { authorization: `Bearer ${key}` };
  };
  return { integration: await bearer('bench-integration', ['integration']), viewer: await bearer('bench-viewer', ['viewer']) };
}
