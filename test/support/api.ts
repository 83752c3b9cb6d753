import type { Express } from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { createApp, type ApiDeps } from '../../src/api/app';
import type { IntakePorts } from '../../src/ingest/event-intake';
import { createLogger } from '../../src/logger';
import { createApiKey } from '../../src/store/api-key-repo';
import { intakeWiring } from '../../src/wiring/fake-wms';
import { followEvent } from '../../fake-wms/ledger';
import type { Engine } from './engine';

export interface Persona {
  userId: string;
  roles: string[];
  sites: string[];
}

/** The real API on the engine's Temporal, Postgres and Redis, and keys for named people. */
/**
 * The composition root's intake wiring for the engine's adapter (the fake follows events when
 * embedded). Over HTTP the fake stands for a WMS that emitted the test's events: it books them too.
 */
export function intakePortsFor(engine: Engine): IntakePorts {
  const ports = intakeWiring(engine.config, engine.db, createLogger({ LOG_LEVEL: 'silent' }, 'test-intake'));
  if (!engine.remote) return ports;
  return { ...ports, mirror: async (event) => void (await followEvent(engine.db, event)) };
}

export async function startApi(engine: Engine, extra: Partial<Pick<ApiDeps, 'intakePorts'>> = {}) {
  const redis = new Redis(engine.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  const app: Express = createApp({ temporal: engine.client, db: engine.db, redis, config: engine.config, intakePorts: intakePortsFor(engine), ...extra });
  const keys = new Map<string, string>();
  return {
    app,
    async keyFor(p: Persona): Promise<string> {
      const id = `${p.userId}|${p.roles.join(',')}|${p.sites.join(',')}`;
      if (!keys.has(id)) keys.set(id, (await createApiKey(engine.db, p)).key);
      return keys.get(id)!;
    },
    async as(p: Persona) {
      const key = await this.keyFor(p);
      const auth = { Authorization: `Bearer ${key}` };
      return {
        post: (path: string, body: unknown) => request(app).post(path).set(auth).send(body as object),
        get: (path: string) => request(app).get(path).set(auth),
      };
    },
    async stop() {
      redis.disconnect();
    },
  };
}
export type Api = Awaited<ReturnType<typeof startApi>>;
