import request from 'supertest';
import { MAX_BODY_DEPTH } from '../../src/api/body';
import { startApi, uniq, type ApiHarness } from './support';

/** Cheap ways to make the API work hard or say too much, each closed. */
let api: ApiHarness;
let admin: string;
let viewer: string;
const OPS_TOKEN = 'ops-token-for-the-abuse-test-0123456789';
/**
 * This file's own client address (behind a trusted loopback proxy): the unknown-key counter is per
 * address and shared through Redis, so other test files' unknown keys from 127.0.0.1 must not count here.
 */
const ADDRESS = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
const client = () => request.agent(api.app).set('X-Forwarded-For', ADDRESS);

beforeAll(async () => {
  api = await startApi({ config: { OPS_TOKEN, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 5, TRUST_PROXY: 'loopback' } });
  admin = await api.bearer(['admin']);
  viewer = await api.bearer(['viewer']);
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

it('a deeply nested body is 400 problem+json naming the body, never a 500 (the idempotency fingerprint included)', async () => {
  const depth = 30_000;
  const body = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const res = await client().post(`/v1/discrepancies/${uniq('case')}/comments`).set('Authorization', admin)
    .set('Idempotency-Key', uniq('k')).set('Content-Type', 'application/json').send(body);
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/problem\+json/);
  expect(res.body.errors).toEqual([{ path: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]);
});

it('the large /events parser runs only for keys that may send events: a viewer’s body is not read', async () => {
  const res = await client().post('/v1/events').set('Authorization', viewer).set('Content-Type', 'application/json').send('{"events": [ not json');
  expect(res.status).toBe(403);
});

it('event attributes are capped at 16 KiB (a rule the document cannot state as a schema: 422)', async () => {
  const integration = await api.bearer(['integration']);
  const event = { eventId: uniq('E'), source: 'wms', type: 'receipt', occurredAt: new Date().toISOString(), site: 'DC1', sku: 'SKU-1', location: 'A-1', qty: 1, attributes: { blob: 'x'.repeat(17 * 1024) } };
  const res = await client().post('/v1/events').set('Authorization', integration).send(event);
  expect(res.status).toBe(422);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.attributes']);
});

it('API answers are nosniff and no-store', async () => {
  for (const res of [await client().get('/v1/policies/active').set('Authorization', viewer), await client().get('/v1/policies/active')]) {
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  }
});

it('/metrics needs the ops token; /readyz tells anyone only its status, details with the token; /healthz is public', async () => {
  await client().get('/metrics').expect(401);
  await client().get('/metrics').set('Authorization', viewer).expect(401);
  expect((await client().get('/metrics').set('Authorization', `Bearer ${OPS_TOKEN}`).expect(200)).text).toMatch(/# HELP/);
  const plain = await client().get('/readyz');
  expect(Object.keys(plain.body)).toEqual(['status']);
  const detailed = await client().get('/readyz').set('Authorization', `Bearer ${OPS_TOKEN}`);
  expect(Object.keys(detailed.body).length).toBeGreaterThan(1);
  await client().get('/healthz').expect(200);
});

it('an address sending unknown keys is cut off before any lookup; a cached good key from it still works', async () => {
  await client().get('/v1/policies/active').set('Authorization', viewer).expect(200); // cached now
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await client().get('/v1/policies/active').set('Authorization', `Bearer rk_guess_${i}_${uniq('x')}`)).status);
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  await client().get('/v1/policies/active').set('Authorization', viewer).expect(200);
});
