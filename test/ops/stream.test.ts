import Redis from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import type { ApiTimeouts } from '../../src/api/deps';
import { MAX_STREAMS_PER_KEY } from '../../src/api/routes/stream';
import { createRedisClient } from '../../src/api/redis';
import { createLogger } from '../../src/logger';
import { CASE_FEED_CHANNEL } from '../../src/store/case-feed';
import { createApiKey, revokeApiKey } from '../../src/store/api-key-repo';
import { waitForStatus } from '../support/cases';
import { eventually, uniq } from '../support/engine';
import { reportBody } from '../api/support';
import { listen, openStream, sample, startFeedEngine } from './support';

/**
 * The live feed across API replicas: the worker publishes each recorded transition on Redis, and
 * every replica's /v1/stream serves it; so a case reported through replica #2 shows up on a
 * stream of replica #1.
 */
let engine: Awaited<ReturnType<typeof startFeedEngine>>;
const replicas: { url: string; close(): Promise<void>; app: ReturnType<typeof createApp>; redis: Redis }[] = [];
const streams: { close(): Promise<void> }[] = [];

async function replica(redisUrl = engine.config.REDIS_URL, timeouts: Partial<ApiTimeouts> = {}) {
  const redis = createRedisClient(redisUrl);
  const logger = createLogger({ LOG_LEVEL: 'error' }, 'test-replica');
  const app = createApp({ temporal: engine.client, db: engine.db, redis, logger, config: { ...engine.config, REDIS_URL: redisUrl }, timeouts });
  const served = await listen(app);
  const r = { ...served, app, redis };
  replicas.push(r);
  return r;
}
async function bearer(roles: string[], sites: string[] = ['*']): Promise<string> {
  return `Bearer ${(await createApiKey(engine.db, { userId: uniq('user'), roles, sites })).key}`;
}
async function stream(url: string, authorization: string) {
  const s = await openStream(url, authorization);
  streams.push(s);
  return s;
}

beforeAll(async () => {
  engine = await startFeedEngine();
});
afterAll(async () => {
  for (const s of streams) await s.close();
  for (const r of replicas) {
    await r.close();
    r.redis.disconnect();
  }
  await engine.stop();
});

it('a case reported through replica #2 reaches the stream of replica #1, within the site scope and filters', async () => {
  const one = await replica();
  const two = await replica();
  const site = uniq('LIVE');
  const watcher = await stream(`${one.url}/v1/stream`, await bearer(['viewer'], [site]));
  expect(watcher.status).toBe(200);
  expect(watcher.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const otherKind = await stream(`${one.url}/v1/stream?kind=lot_expiry`, await bearer(['viewer'], [site]));
  const otherSite = await stream(`${one.url}/v1/stream?site=${uniq('ELSEWHERE')}`, await bearer(['viewer']));
  await eventually(async () => watcher.comments.includes('connected') && otherKind.comments.includes('connected') && otherSite.comments.includes('connected'));

  const integration = await bearer(['integration']);
  const reported = await request(two.app).post('/v1/discrepancies').set('Authorization', integration).send(reportBody({ site }));
  expect(reported.status).toBe(202);

  // the worker records where the case comes to rest (its steps on its own go with it); each
  // transition is one change
  const changes = await eventually(async () => {
    const mine = watcher.changes().filter((c) => c.id === reported.body.id);
    return mine.length > 0 ? mine : undefined;
  });
  const first = await waitForStatus(engine.client, reported.body.workflowId, ['awaiting_recount', 'awaiting_approval', 'closed']);
  expect(changes[0]).toEqual({
    id: reported.body.id,
    workflowId: reported.body.workflowId,
    kind: 'count_variance',
    site,
    sku: expect.any(String),
    status: first.status,
    severity: first.severity,
    resolution: null,
    ownerRole: null,
    escalationLevel: 0,
    rowVersion: expect.any(Number),
    at: expect.any(String),
  });
  // each event is what the document says one is (before Open API 3.2, a stream's schema describes each event)
  const spec = (await request(one.app).get('/openapi.json').expect(200)).body;
  const documented = spec.paths['/v1/stream'].get.responses['200'].content['text/event-stream'].schema;
  const caseChange = spec.components.schemas.CaseChange;
  for (const e of watcher.events) {
    expect(Object.keys(e).filter((k) => !(k in documented.properties))).toEqual([]);
    for (const k of documented.required) expect(typeof e[k as keyof typeof e]).toBe('string');
    expect(documented.properties.event.enum).toContain(e.event);
    if (e.event === 'case') expect(Object.keys(JSON.parse(e.data)).filter((k) => !(k in caseChange.properties))).toEqual([]);
  }
  expect(documented.properties.data.contentSchema).toEqual({ $ref: '#/components/schemas/CaseChange' });
  const versions = changes.map((c) => c.rowVersion as number);
  expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  const ids = watcher.events.filter((e) => e.event === 'case').map((e) => e.id);
  expect(ids).toContain(`${reported.body.id}:${versions[0]}`);

  expect(otherKind.changes().filter((c) => c.id === reported.body.id)).toEqual([]);
  expect(otherSite.changes().filter((c) => c.id === reported.body.id)).toEqual([]);
});

it('a site outside the key’s scope is 404, as an unknown site; bad filters are 400; no key is 401', async () => {
  const one = await replica();
  const scoped = await bearer(['viewer'], ['DC1']);
  const outside = await request(one.app).get('/v1/stream?site=DC2').set('Authorization', scoped);
  expect(outside.status).toBe(404);
  expect(outside.headers['content-type']).toMatch(/problem\+json/);
  const unknown = await request(one.app).get('/v1/stream?site=NO-SUCH-SITE').set('Authorization', scoped);
  expect({ status: unknown.status, detail: unknown.body.detail.replace('NO-SUCH-SITE', 'DC2') }).toEqual({ status: 404, detail: outside.body.detail });
  const bad = await request(one.app).get('/v1/stream?kind=weather').set('Authorization', scoped);
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'query.kind.0' })]);
  expect((await request(one.app).get('/v1/stream')).status).toBe(401);
});

it('a client that disconnects is removed, and the replica drops its subscription with the last one', async () => {
  const one = await replica();
  const key = await bearer(['viewer']);
  const a = await stream(`${one.url}/v1/stream`, key);
  const b = await stream(`${one.url}/v1/stream`, key);
  await eventually(async () => a.comments.includes('connected') && b.comments.includes('connected'));
  const clients = async () => sample((await request(one.app).get('/metrics')).text, 'reckon_stream_clients');
  const subscribers = async () => Number(((await engine.feed.pubsub('NUMSUB', CASE_FEED_CHANNEL)) as [string, number])[1]);
  expect(await clients()).toBe(2);
  const subscribed = await subscribers();
  await a.close();
  await eventually(async () => (await clients()) === 1);
  expect(await subscribers()).toBe(subscribed);
  await b.close();
  await eventually(async () => (await clients()) === 0);
  await eventually(async () => (await subscribers()) === subscribed - 1);
});

it('with Redis unreachable the feed is 503 problem+json and the rest of the API answers', async () => {
  const down = await replica('redis://127.0.0.1:1/0');
  const key = await bearer(['viewer']);
  const res = await request(down.app).get('/v1/stream').set('Authorization', key);
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/problem\+json/);
  expect(res.headers['retry-after']).toBeDefined();
  expect((await request(down.app).get('/v1/discrepancies').set('Authorization', key)).status).toBe(200);
});

it('revoking a key ends its open streams; one key may hold only a few streams open', async () => {
  const r = await replica(engine.config.REDIS_URL, { streamKeyCheckMs: 200, keyCacheMs: 100 });
  const { id, key } = await createApiKey(engine.db, { userId: uniq('watcher'), roles: ['viewer'], sites: ['*'] });
  const open: Awaited<ReturnType<typeof stream>>[] = [];
  for (let i = 0; i < MAX_STREAMS_PER_KEY; i++) open.push(await stream(`${r.url}/v1/stream`, `Bearer ${key}`));
  expect(open.map((s) => s.status)).toEqual(open.map(() => 200));
  const oneTooMany = await stream(`${r.url}/v1/stream`, `Bearer ${key}`);
  expect(oneTooMany.status).toBe(429);

  await revokeApiKey(engine.db, id);
  await eventually(async () => open.every((s) => s.events.some((e) => e.event === 'revoked')), 10_000);
  // and the key no longer opens one
  expect((await stream(`${r.url}/v1/stream`, `Bearer ${key}`)).status).toBe(401);
});
