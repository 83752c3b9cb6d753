import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Express } from 'express';
import Redis from 'ioredis';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { createReckonWorker } from '../../src/workers/build';

let runtimeInstalled = false;

/**
 * Like test/support/engine.ts, but the worker publishes its recorded transitions on the live
 * feed (Redis), as the worker entrypoint does.
 */
export async function startFeedEngine(overrides: Partial<Config> = {}) {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const config: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: `reckon-ops-${randomUUID().slice(0, 8)}`, ...overrides };
  const logger = createLogger({ LOG_LEVEL: 'warn' }, 'test-feed-engine');
  const db = createPool(config.DATABASE_URL, 10);
  const feed = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await feed.connect();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createReckonWorker({ config, db, logger, connection: nativeConnection, workflowBundle, feed });
  const running = worker.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    db,
    client,
    feed,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await nativeConnection.close();
      await connection.close();
      await db.end();
      feed.disconnect();
    },
  };
}

/** Serves an app on an ephemeral port (server-sent events need a real socket, not supertest). */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A server-sent-events client: collects events and comments until closed. */
export async function openStream(url: string, authorization: string) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { Authorization: authorization, Accept: 'text/event-stream' }, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  const pump = (async () => {
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { event: 'message', data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
            } else if (line.startsWith('event: ')) {
              e.event = line.slice(7);
              isEvent = true;
            } else if (line.startsWith('id: ')) {
              e.id = line.slice(4);
            } else if (line.startsWith('data: ')) {
              e.data += line.slice(6);
              isEvent = true;
            }
          }
          if (isEvent) events.push(e);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    /** the case changes received so far */
    changes: () => events.filter((e) => e.event === 'case').map((e) => JSON.parse(e.data) as Record<string, unknown>),
    async close() {
      abort.abort();
      await pump;
    },
  };
}

/** The value of one Prometheus sample (name and every given label), or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total = (total ?? 0) + Number(m[4]);
  }
  return total;
}
