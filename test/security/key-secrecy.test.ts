import { Writable } from 'node:stream';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { createRedisClient } from '../../src/api/redis';
import { createApiKey } from '../../src/store/api-key-repo';
import { stateQuery } from '../../src/workflows/messages';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

/**
 * An API key stays with the API: through a whole case (report, refusals, approval, close) at
 * the most verbose log level, no key appears in a log line, in the workflow's history, in the
 * read model or audit log, in Redis, or in Postgres's key table (which holds hashes only).
 */
let engine: Engine;
let redis: ReturnType<typeof createRedisClient>;
let app: Express;
const logs: string[] = [];
const site = 'DC-KEYS';

beforeAll(async () => {
  engine = await startEngine();
  redis = createRedisClient(engine.config.REDIS_URL);
  // plain pino without redaction: the API must not log a key in the first place
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  app = createApp({ temporal: engine.client, db: engine.db, redis, config: engine.config, logger: pino({ level: 'trace' }, sink) });
});
afterAll(async () => {
  redis?.disconnect();
  await engine?.stop();
});

async function key(userId: string, roles: string[], sites: string[]) {
  return (await createApiKey(engine.db, { userId, roles, sites })).key;
}

it('never writes a key anywhere but to the caller', async () => {
  const keys = {
    integration: await key('erp-keys', ['integration'], [site]),
    approver: await key('ic-keys', ['inventory_control'], [site]),
    viewer: await key('viewer-keys', ['viewer'], [site]),
    elsewhere: await key('ic-elsewhere', ['inventory_control'], ['DC-OTHER']),
    revoked: 'rk_this-key-was-never-issued-0000000000000',
  };
  const as = (k: string) => ({ Authorization: `Bearer ${k}` });

  const body = {
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 100, observedQty: 90, unitCost: 5, skuClass: 'B', source: 'erp',
  };
  const idem = { 'Idempotency-Key': uniq('idem') };
  const reported = await request(app).post('/v1/discrepancies').set(as(keys.integration)).set(idem).send(body).expect(202);
  await request(app).post('/v1/discrepancies').set(as(keys.integration)).set(idem).send(body).expect(202);
  const { id, workflowId } = reported.body;
  const handle = engine.client.workflow.getHandle(workflowId);
  await eventually(async () => (await handle.query(stateQuery, {})).status === 'awaiting_approval');

  // refusals of every kind, each with a key in the request
  const approve = `/v1/discrepancies/${id}/approve`;
  await request(app).post(approve).set(as(keys.revoked)).send({ reasonCode: 'SHORT' }).expect(401);
  await request(app).post(approve).set({ Authorization: keys.approver }).send({ reasonCode: 'SHORT' }).expect(401);
  await request(app).post(approve).set({ Authorization: `Bearer ${keys.approver} trailing` }).send({ reasonCode: 'SHORT' }).expect(401);
  await request(app).post(approve).set(as(keys.viewer)).send({ reasonCode: 'SHORT' }).expect(403);
  await request(app).post(approve).set(as(keys.elsewhere)).send({ reasonCode: 'SHORT' }).expect(404); // another site's case is not found, as an unknown one
  await request(app).post(approve).set(as(keys.approver)).send({ reasonCode: '' }).expect(400);
  await request(app).get('/v1/discrepancies').query({ limit: 0 }).set(as(keys.approver)).expect(400);
  // and the accepted path: comment, read, approve, closed
  await request(app).post(`/v1/discrepancies/${id}/comments`).set(as(keys.approver)).send({ text: 'short shipment' }).expect(200);
  await request(app).get(`/v1/discrepancies/${id}`).set(as(keys.approver)).expect(200);
  await request(app).post(approve).set(as(keys.approver)).set({ 'Idempotency-Key': uniq('idem') }).send({ reasonCode: 'SHORT_SHIP', adjustQty: -10 }).expect(200);
  await handle.result();

  const secrets = Object.values(keys);
  const leaks = (where: string, text: string) => secrets.filter((k) => text.includes(k)).map(() => where);

  expect(logs.length).toBeGreaterThan(10);
  // payloads are base64 in the history's JSON: read them decoded as well
  const historyJson = historyToJSON(await handle.fetchHistory());
  const payloads = [...historyJson.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
  const history = [historyJson, ...payloads].join('\n');
  const rows = await engine.db.query(
    `SELECT (SELECT json_agg(d) FROM discrepancies d WHERE d.id = $1)::text AS case_row,
            (SELECT json_agg(a) FROM audit_log a WHERE a.case_id = $1)::text AS audit,
            (SELECT json_agg(k) FROM api_keys k)::text AS api_keys`,
    [id],
  );
  const redisEntries: string[] = [];
  for (const k of await redis.keys('reckon:*')) {
    redisEntries.push(k, (await redis.type(k)) === 'string' ? ((await redis.get(k)) ?? '') : '');
  }

  // the checks can see what they look for: the case's history and rows are really there
  expect(history).toContain('SHORT_SHIP');
  expect(rows.rows[0].audit).toContain('ic-keys');
  expect([
    ...leaks('logs', logs.join('\n')),
    ...leaks('history', history),
    ...leaks('read model', rows.rows[0].case_row),
    ...leaks('audit log', rows.rows[0].audit),
    ...leaks('api_keys', rows.rows[0].api_keys),
    ...leaks('redis', redisEntries.join('\n')),
  ]).toEqual([]);
});
