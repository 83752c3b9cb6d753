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

/** A policy change made from the active version (If-Match its ETag); once more should another file's change land in between. */
async function postPolicy(body: object): Promise<request.Response> {
  for (let attempt = 1; ; attempt++) {
    const etag = (await request(api.app).get('/v1/policies/active').set('Authorization', viewer)).headers.etag;
    const res = await request(api.app).post('/v1/policies').set('Authorization', admin).set('If-Match', etag).send(body);
    if (res.status !== 412 || attempt === 3) return res;
  }
}

it('GET /v1/policies/active answers any key with the version and document', async () => {
  const res = await request(api.app).get('/v1/policies/active').set('Authorization', viewer).expect(200);
  expect(res.body).toMatchObject({ version: expect.any(Number), document: { name: expect.any(String), ladders: expect.any(Object) } });
});

it('POST /v1/policies stores a new version (201, Location) that becomes active', async () => {
  // post the suite's own policy again: other test files pin the active policy, so its content
  // must not change under them
  const active = (await request(api.app).get('/v1/policies/active').set('Authorization', viewer)).body;
  const res = await postPolicy({ ...TEST_POLICY, reason: 'the suite policy again' });
  expect(res.status).toBe(201);
  expect(res.headers.etag).toBe(`"${res.body.version}"`);
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
  const changed = await postPolicy({ ...TEST_POLICY, description: 'reworded by the policy test', reason: 'INC-42: clearer wording' });
  expect(changed.status).toBe(201);
  const back = await postPolicy({ ...TEST_POLICY, reason: 'INC-42 reverted' });
  expect(back.status).toBe(201);

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

it('policy writes are compare-and-set: a stale If-Match is 412 with the current ETag, a missing one 428; nothing is stored', async () => {
  const before = await request(api.app).get('/v1/policies/active').set('Authorization', viewer).expect(200);
  expect(before.headers.etag).toBe(`"${before.body.version}"`);
  const stale = await request(api.app).post('/v1/policies').set('Authorization', admin).set('If-Match', `"${before.body.version - 1}"`)
    .send({ ...TEST_POLICY, reason: 'made from an old read' });
  expect(stale.status).toBe(412);
  expect(stale.headers['content-type']).toMatch(/problem\+json/);
  expect(stale.body.detail).toMatch(/read it again/);
  expect(Number(JSON.parse(stale.headers.etag))).toBeGreaterThanOrEqual(before.body.version);
  const missing = await request(api.app).post('/v1/policies').set('Authorization', admin).send({ ...TEST_POLICY, reason: 'no If-Match' });
  expect(missing.status).toBe(428);
  expect(missing.headers['content-type']).toMatch(/problem\+json/);
  const garbled = await request(api.app).post('/v1/policies').set('Authorization', admin).set('If-Match', 'latest').send({ ...TEST_POLICY, reason: 'x' });
  expect(garbled.status).toBe(400);
  expect(garbled.body.errors).toEqual([{ path: 'header.if-match', message: expect.any(String) }]);
  const { rows } = await api.db.query(`SELECT count(*)::int AS n FROM policies WHERE reason IN ('made from an old read', 'no If-Match', 'x')`);
  expect(rows[0].n).toBe(0);
  // a weak or bare tag of the current version is taken
  const ok = await postPolicy({ ...TEST_POLICY, reason: 'the suite policy, compare-and-set' });
  expect(ok.status).toBe(201);
});

it('two admins writing from the same version: one version is stored, the other is 412', async () => {
  const etag = (await request(api.app).get('/v1/policies/active').set('Authorization', viewer)).headers.etag;
  const [a, b] = await Promise.all(
    ['first admin', 'second admin'].map((reason) => request(api.app).post('/v1/policies').set('Authorization', admin).set('If-Match', `W/${etag}`).send({ ...TEST_POLICY, reason })),
  );
  expect([a.status, b.status].sort()).toEqual([201, 412]);
});

it('a site layer is validated as the policy it makes: 400 naming overrides.<site>.<path>', async () => {
  const res = await postPolicy({
    ...TEST_POLICY,
    overrides: { ...TEST_POLICY.overrides, 'DC-BAD': { recounts: { timeout: 'soon' }, ladders: { review: { rungs: [] } }, notifications: {} } },
    reason: 'a bad layer',
  });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
    expect.arrayContaining(['body.overrides.DC-BAD.recounts.timeout', 'body.overrides.DC-BAD.ladders.review.rungs', 'body.overrides.DC-BAD.notifications']),
  );
});

it('a reason-code catalogue must know the automatic adjustments\' code (422, a rule across fields)', async () => {
  const res = await postPolicy({ ...TEST_POLICY, reasonCodes: [{ code: 'ONLY_THIS', description: 'one code' }], reason: 'a short catalogue' });
  expect(res.status).toBe(422);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.autoAdjustReasonCode']);
});

it('GET /v1/policies/{version}: 404 unknown, 400 not a number', async () => {
  await request(api.app).get('/v1/policies/999999').set('Authorization', viewer).expect(404);
  await request(api.app).get('/v1/policies/latest').set('Authorization', viewer).expect(400, /path\.version/);
});
