import request from 'supertest';
import { loadConfig } from '../../src/config';
import { verifyAuditChains } from '../../src/store/audit-repo';
import { createPool } from '../../src/store/db';
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
  const res = await request(api.app).post('/v1/policies').set('Authorization', admin).send({ ...TEST_POLICY, reason: 'the suite policy again' }).expect(201);
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

it('POST /v1/policies needs a reason (400 naming body.reason)', async () => {
  const res = await request(api.app).post('/v1/policies').set('Authorization', admin).send(TEST_POLICY);
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.reason']);
});

it('a policy change is chained in the audit log with who, why and what changed, and the API shows the diff', async () => {
  // a harmless change (other test files run under the active policy), then back
  const changed = await request(api.app).post('/v1/policies').set('Authorization', admin)
    .send({ ...TEST_POLICY, description: 'reworded by the policy test', reason: 'INC-42: clearer wording' }).expect(201);
  const back = await request(api.app).post('/v1/policies').set('Authorization', admin).send({ ...TEST_POLICY, reason: 'INC-42 reverted' }).expect(201);

  const { rows } = await api.db.query(
    `SELECT actor_kind, actor_id, detail FROM audit_log WHERE case_id = 'policies' AND policy_version = ANY($1::int[]) ORDER BY seq`,
    [[changed.body.version, back.body.version]],
  );
  expect(rows).toEqual([
    {
      actor_kind: 'user', actor_id: 'policy-admin',
      detail: expect.objectContaining({ version: changed.body.version, reason: 'INC-42: clearer wording', changes: [{ path: 'description', op: 'changed', from: TEST_POLICY.description, to: 'reworded by the policy test' }] }),
    },
    { actor_kind: 'user', actor_id: 'policy-admin', detail: expect.objectContaining({ version: back.body.version, previousVersion: changed.body.version, reason: 'INC-42 reverted' }) },
  ]);
  expect((await verifyAuditChains(api.db, 'policies')).problems).toEqual([]);

  const diff = await request(api.app).get(`/v1/policies/${changed.body.version}/diff/${back.body.version}`).set('Authorization', viewer).expect(200);
  expect(diff.body).toEqual({ from: changed.body.version, to: back.body.version, changes: [{ path: 'description', op: 'changed', from: 'reworded by the policy test', to: TEST_POLICY.description }] });
  await request(api.app).get(`/v1/policies/${back.body.version}/diff/999999`).set('Authorization', viewer).expect(404);
});

it('policy versions are append-only: the app role may not change one, and the owner meets a trigger', async () => {
  const quietly = `UPDATE policies SET document = jsonb_set(document, '{segregationOfDuties}', 'false') WHERE version = 1`;
  await expect(api.db.query(quietly)).rejects.toThrow(/permission denied/);
  await expect(api.db.query('DELETE FROM policies WHERE version = 1')).rejects.toThrow(/permission denied/);
  const owner = createPool(loadConfig().MIGRATION_DATABASE_URL, 1);
  try {
    await expect(owner.query(quietly)).rejects.toThrow(/append-only/);
    await expect(owner.query('DELETE FROM policies WHERE version = 1')).rejects.toThrow(/append-only/);
  } finally {
    await owner.end();
  }
});

it('GET /v1/policies/{version}: 404 unknown, 400 not a number', async () => {
  await request(api.app).get('/v1/policies/999999').set('Authorization', viewer).expect(404);
  await request(api.app).get('/v1/policies/latest').set('Authorization', viewer).expect(400, /path\.version/);
});
