import request from 'supertest';
import { TEST_POLICY } from '../support/test-policy';
import { startApi, type ApiHarness } from './support';

let api: ApiHarness;
let viewer: string;
let admin: string;

beforeAll(async () => {
  api = await startApi();
  viewer = await api.bearer(['viewer']);
  admin = await api.bearer(['admin'], ['*'], 'policy-admin');
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

it('GET /v1/policies/active answers any key with the version and document', async () => {
  const res = await request(api.app).get('/v1/policies/active').set('Authorization', viewer).expect(200);
  expect(res.body).toMatchObject({ version: expect.any(Number), document: { name: expect.any(String), ladders: expect.any(Object) } });
});

it('POST /v1/policies stores a new version (201, Location) that becomes active', async () => {
  // post the suite's own policy again: other test files pin the active policy, so its content
  // must not change under them
  const active = (await request(api.app).get('/v1/policies/active').set('Authorization', viewer)).body;
  const res = await request(api.app).post('/v1/policies').set('Authorization', admin).send(TEST_POLICY).expect(201);
  expect(res.body.version).toBeGreaterThan(active.version);
  expect(res.headers.location).toBe(`/v1/policies/${res.body.version}`);
  const now = await request(api.app).get('/v1/policies/active').set('Authorization', viewer).expect(200);
  expect(now.body.version).toBeGreaterThanOrEqual(res.body.version);
  const stored = await request(api.app).get(res.headers.location).set('Authorization', viewer).expect(200);
  expect(stored.body.document).toEqual(JSON.parse(JSON.stringify(TEST_POLICY)));
});

it('POST /v1/policies refuses a bad document with 400 naming each path', async () => {
  const active = (await request(api.app).get('/v1/policies/active').set('Authorization', viewer)).body.document;
  const bad = {
    ...active,
    tolerances: { ...active.tolerances, byClass: { ...active.tolerances.byClass, A: { pct: 150, units: -1, value: 100 } } },
    recounts: { ...active.recounts, timeout: 'soon' },
    ladders: { ...active.ladders, high: { rungs: [], terminal: active.ladders.high.terminal } },
    surprise: true,
  };
  delete bad.approval;
  const res = await request(api.app).post('/v1/policies').set('Authorization', admin).send(bad);
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/problem\+json/);
  const paths = res.body.errors.map((e: { path: string }) => e.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'body.tolerances.byClass.A.pct',
      'body.tolerances.byClass.A.units',
      'body.recounts.timeout',
      'body.ladders.high.rungs',
      'body.approval',
      'body.surprise',
    ]),
  );
});

it('GET /v1/policies/{version}: 404 unknown, 400 not a number', async () => {
  await request(api.app).get('/v1/policies/999999').set('Authorization', viewer).expect(404);
  await request(api.app).get('/v1/policies/latest').set('Authorization', viewer).expect(400, /path\.version/);
});
