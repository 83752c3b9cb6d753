import request from 'supertest';
import type { Express } from 'express';
import type { Pool } from 'pg';
import { createLedgerServer } from '../../fake-wms/server/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { seedBalance } from '../support/cases';
import { uniq } from '../support/engine';

/** The reference server's HTTP surface: what an integration engineer sees on the wire. */
let pool: Pool;
let app: Express;
const auth = { Authorization: 'Bearer wire-secret' };

beforeAll(() => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  app = createLedgerServer(pool, { apiKey: 'wire-secret', logger: createLogger({ LOG_LEVEL: 'silent' }, 'wire-test') });
});
afterAll(async () => {
  await pool?.end();
});

async function stock() {
  const key = { site: uniq('WR'), sku: uniq('SKU'), location: 'A-01' };
  await seedBalance(pool, { ...key, wms: 10, erp: 10 });
  return key;
}

function expectProblem(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, type: `urn:reckon:adapter:${code}` });
}

it('no key or a wrong key: 401 problem+json with WWW-Authenticate', async () => {
  const none = await request(app).get('/wms/balances?site=A&sku=B');
  expectProblem(none, 401, 'unauthorized');
  expect(none.headers['www-authenticate']).toContain('Bearer');
  expectProblem(await request(app).get('/wms/balances?site=A&sku=B').set('Authorization', 'Bearer nope'), 401, 'unauthorized');
});

it('bad queries and bodies: 400 naming each field', async () => {
  const q = await request(app).get('/wms/transactions?site=A').set(auth);
  expectProblem(q, 400, 'invalid_request');
  expect(q.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.since', 'query.sku']);
  const b = await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', uniq('k')).send({ site: 'A', sku: 'B', qty: 'x', target: 'both', reasonCode: 'R', caseId: 'c', actor: 'a', extra: 1 });
  expectProblem(b, 400, 'invalid_request');
  expect(b.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.extra', 'body.qty']);
  expectProblem(await request(app).post('/wms/holds').set(auth).set('Idempotency-Key', 'k').set('Content-Type', 'application/json').send('{bad'), 400, 'invalid_json');
});

it('a write without Idempotency-Key is refused before anything is written', async () => {
  const key = await stock();
  const res = await request(app).post('/wms/adjustments').set(auth).send({ ...key, qty: 1, target: 'both', reasonCode: 'R', caseId: 'c', actor: 'a' });
  expectProblem(res, 400, 'idempotency_key_required');
  expect((await request(app).get(`/wms/balances?site=${key.site}&sku=${key.sku}`).set(auth)).body).toEqual({ balance: { qty: 10, heldQty: 0 } });
});

it('a repeated write answers 201 with the same body and Idempotent-Replayed: true', async () => {
  const key = await stock();
  const k = uniq('k');
  const body = { ...key, qty: -1, target: 'both', reasonCode: 'R', caseId: uniq('case'), actor: 'a' };
  const first = await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', k).send(body);
  expect(first.status).toBe(201);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  const again = await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', k).send(body);
  expect(again.status).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toEqual(first.body);
});

it('a key reused for a different write: 422 idempotency_key_reused, nothing else changes', async () => {
  const key = await stock();
  const k = uniq('k');
  const body = { ...key, qty: -1, target: 'both', reasonCode: 'R', caseId: uniq('case'), actor: 'a' };
  expect((await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', k).send(body)).status).toBe(201);
  expectProblem(await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', k).send({ ...body, qty: -5 }), 422, 'idempotency_key_reused');
  expect((await request(app).get(`/wms/balances?site=${key.site}&sku=${key.sku}`).set(auth)).body).toEqual({ balance: { qty: 9, heldQty: 0 } });
});

it('releasing a hold: 200 with released; a repeat says it is a replay; an unknown hold is 404', async () => {
  const key = await stock();
  const placed = await request(app).post('/wms/holds').set(auth).set('Idempotency-Key', uniq('k')).send({ ...key, qty: 2, reason: 'r', caseId: 'c' });
  expect(placed.status).toBe(201);
  const k = uniq('k');
  const first = await request(app).post(`/wms/holds/${placed.body.holdId}/release`).set(auth).set('Idempotency-Key', k).send({});
  expect(first.status).toBe(200);
  expect(first.body).toEqual({ holdId: placed.body.holdId, released: true });
  const again = await request(app).post(`/wms/holds/${placed.body.holdId}/release`).set(auth).set('Idempotency-Key', k).send({});
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toEqual(first.body);
  expectProblem(await request(app).post('/wms/holds/HLD-none/release').set(auth).set('Idempotency-Key', uniq('k')).send({}), 404, 'hold_not_found');
});

it('the ledger refusing a command is 422 with its code; an unknown route is 404', async () => {
  const key = await stock();
  expectProblem(await request(app).post('/wms/adjustments').set(auth).set('Idempotency-Key', uniq('k')).send({ ...key, qty: 0, target: 'both', reasonCode: 'R', caseId: 'c', actor: 'a' }), 422, 'invalid_command');
  expectProblem(await request(app).get('/wms/nothing-here').set(auth), 404, 'not_found');
});
