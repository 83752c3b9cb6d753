import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createCountTask } from '../../fake-wms/ledger/count-tasks';
import { recordCountTask } from '../../src/store/count-tasks-repo';
import { withTransaction } from '../../src/store/db';
import { joinIncidents } from '../../src/store/incident-membership';
import { insertCase, reportBody, startApi, uniq, type ApiHarness } from './support';

/**
 * Hostile and careless input: one size cap for an event or a report on every door, one syntax
 * for every identifier and instant, 415 for a body that is not JSON, and a site boundary that
 * answers exactly as an unknown id does (the queue's cap and dead letter: test/ingest/dlq.test.ts).
 */
const CAP = 4096;
let api: ApiHarness;
let admin: string;

beforeAll(async () => {
  api = await startApi({ config: { MAX_EVENT_BYTES: CAP } });
  admin = await api.bearer(['admin']);
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

const event = (over: object = {}) => ({
  eventId: uniq('E'), source: 'wms', type: 'count', occurredAt: new Date().toISOString(), site: uniq('DC'), sku: 'SKU-1', location: 'A-01', qty: 3, ...over,
});
/** A valid value, padded with whitespace to `bytes` as sent: the parsed value stays small, the body does not. */
const padded = (value: object, bytes: number) => JSON.stringify(value).replace(/^\{/, `{${' '.repeat(bytes)}`);

function expectProblem(res: request.Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
}

describe('one size cap (MAX_EVENT_BYTES) for an event or a report', () => {
  it('a single event over the cap is 413 naming the limit, though its fields are valid', async () => {
    const e = event();
    const res = await request(api.app).post('/v1/events').set('Authorization', admin).type('json').send(padded(e, CAP));
    expectProblem(res, 413);
    expect(res.body.detail).toMatch(new RegExp(`limit is ${CAP} bytes \\(MAX_EVENT_BYTES\\)`));
    const stored = await api.db.query('SELECT 1 FROM inventory_events WHERE event_id = $1', [e.eventId]);
    expect(stored.rowCount).toBe(0);
  });

  it('in a batch, an item over the cap is invalid naming the limit; the others are taken', async () => {
    const big = event({ attributes: { note: 'x'.repeat(CAP) } });
    const small = event();
    const res = await request(api.app).post('/v1/events').set('Authorization', admin).send({ events: [big, small] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { index: 0, status: 'invalid', errors: [{ path: '(item)', message: expect.stringMatching(new RegExp(`limit is ${CAP} bytes`)) }] },
      expect.objectContaining({ index: 1, status: 'accepted', eventId: small.eventId }),
    ]);
  });

  it('a discrepancy report over the cap is 413 naming the limit, and no case starts', async () => {
    const body = reportBody();
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', admin).type('json').send(padded(body, CAP));
    expectProblem(res, 413);
    expect(res.body.detail).toMatch(/the report is \d+ bytes; the limit is 4096 bytes/);
    expect((await api.db.query('SELECT 1 FROM discrepancies WHERE sku = $1', [body.sku])).rowCount).toBe(0);
  });
});

describe('identifiers and instants have one syntax; anything else is 400 naming the field', () => {
  const get = (path: string) => request(api.app).get(path).set('Authorization', admin);
  function expectFields(res: request.Response, paths: string[]) {
    expectProblem(res, 400);
    expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual([...paths].sort());
  }

  it.each([
    ['/v1/discrepancies?sku=SKU%201', ['query.sku']],
    ['/v1/discrepancies?site=DC1,DC%202', ['query.site.1']],
    ['/v1/discrepancies?site=', ['query.site.0']],
    ['/v1/discrepancies?assignee=bob%20smith', ['query.assignee']],
    ['/v1/discrepancies?ownerRole=a%20role', ['query.ownerRole']],
    ['/v1/discrepancies?cursor=not%20a%20cursor', ['query.cursor']],
    ['/v1/incidents?site=%3Cscript%3E', ['query.site.0']],
    ['/v1/count-plans?site=-DC1', ['query.site.0']],
    ['/v1/kpis?site=DC%091', ['query.site.0']],
    ['/v1/stream?site=DC%201', ['query.site.0']],
    ['/v1/notifications?caseId=a%20case', ['query.caseId']],
    ['/v1/notifications?site=DC%201', ['query.site']],
    ['/v1/kpis?from=2026-01-01T00:00:00%2B21:28', ['query.from']],
  ])('GET %s', async (path, fields) => {
    expectFields(await get(path), fields);
  });

  it('in paths', async () => {
    expectFields(await get('/v1/discrepancies/a%20case'), ['path.id']);
    expectFields(await get('/v1/incidents/an%20incident'), ['path.id']);
  });

  it.each([
    ['location', { location: 'A 01' }],
    ['occurredAt', { occurredAt: '2026-11-30T08:00:00+21:28' }],
    ['occurredAt', { occurredAt: '0000-11-30T08:00:00Z' }],
    ['expiresOn', { expiresOn: '0000-01-01' }],
  ])('an event whose %s breaks the syntax', async (field, over) => {
    expectFields(await request(api.app).post('/v1/events').set('Authorization', admin).send(event(over)), [`body.${field}`]);
  });

  it.each([
    ['detectedAt', { detectedAt: '2026-11-30T08:00:00-18:45' }],
    ['location', { location: 'bin 7' }],
    ['sku', { sku: 'SKU\t1' }],
  ])('a report whose %s breaks the syntax (an offset Postgres cannot store would wedge the case)', async (field, over) => {
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', admin).send(reportBody(over));
    expectFields(res, [`body.${field}`]);
  });

  it('bodies of counts and actions', async () => {
    const count = await request(api.app).post('/v1/counts').set('Authorization', admin).send({ taskId: 'CT 1', countedQty: 1, countedBy: 'joe bloggs' });
    expectFields(count, ['body.taskId', 'body.countedBy']);
    const assign = await request(api.app).post(`/v1/discrepancies/${randomUUID()}/assign`).set('Authorization', admin).send({ assignee: 'two words' });
    expectFields(assign, ['body.assignee']);
  });

  it('the OpenAPI document states each syntax as pattern and maxLength', async () => {
    const spec = (await request(api.app).get('/openapi.json').expect(200)).body;
    const param = (path: string, name: string) => spec.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    expect(param('/v1/discrepancies', 'sku').schema).toEqual(expect.objectContaining({ type: 'string', maxLength: 64, pattern: expect.any(String) }));
    expect(param('/v1/discrepancies', 'site')).toEqual(
      expect.objectContaining({ style: 'form', explode: false, schema: expect.objectContaining({ type: 'array', items: expect.objectContaining({ maxLength: 32, pattern: expect.any(String) }) }) }),
    );
    expect(param('/v1/discrepancies/{id}', 'id').schema).toEqual(expect.objectContaining({ maxLength: 128, pattern: expect.any(String) }));
    expect(spec.components.schemas.InventoryEvent.properties.location).toEqual(expect.objectContaining({ maxLength: 64, pattern: expect.any(String) }));
  });
});

describe('a body that is not JSON is 415 listing the accepted types', () => {
  it.each([
    ['/v1/discrepancies', 'text/plain', 'kind=count_variance'],
    ['/v1/events', 'text/plain', '{"eventId":"E-1"}'],
    ['/v1/counts', 'application/x-www-form-urlencoded', 'taskId=CT-1'],
    [`/v1/discrepancies/${randomUUID()}/comments`, 'text/csv', 'a,b'],
  ])('POST %s as %s', async (path, type, body) => {
    const res = await request(api.app).post(path).set('Authorization', admin).set('Content-Type', type).send(body);
    expectProblem(res, 415);
    expect(res.headers['accept-post']).toBe('application/json');
    expect(res.body.detail).toMatch(/must be application\/json/);
  });

  it('an action without a body still works as before (no Content-Type to judge)', async () => {
    const res = await request(api.app).post(`/v1/discrepancies/${randomUUID()}/recount`).set('Authorization', admin);
    expect(res.status).toBe(404);
  });
});

describe('crossing a site boundary answers 404, exactly as an unknown id', () => {
  let own: string;
  let other: { caseId: string; site: string };
  let scoped: string;
  const strip = (body: { detail: string; instance?: string; correlationId?: string }, id: string) => ({ ...body, detail: body.detail.replace(id, '<id>'), instance: body.instance?.replace(id, '<id>'), correlationId: undefined });

  beforeAll(async () => {
    own = uniq('DC-OWN');
    const c = await insertCase(api.db, { report: { site: uniq('DC-OTHER') } });
    other = { caseId: c.caseId, site: c.report.site };
    scoped = await api.bearer(['admin'], [own]);
  });

  /** The same request for the other site's id and for an id that does not exist: the same answer, 404. */
  async function sameAsUnknown(send: (id: string) => Promise<request.Response>, id: string, unknown: string) {
    const [a, b] = [await send(id), await send(unknown)];
    expectProblem(a, 404);
    expect(strip(a.body, id)).toEqual(strip(b.body, unknown));
  }

  it('a case, its timeline (the audit log) and every action on it', async () => {
    await sameAsUnknown((id) => request(api.app).get(`/v1/discrepancies/${id}`).set('Authorization', scoped), other.caseId, randomUUID());
    for (const [action, body] of [['approve', { reasonCode: 'OK' }], ['assign', { assignee: 'bob' }], ['comments', { text: 'hi' }], ['repin', { version: 1, reason: 'x' }]] as const) {
      await sameAsUnknown((id) => request(api.app).post(`/v1/discrepancies/${id}/${action}`).set('Authorization', scoped).send(body), other.caseId, randomUUID());
    }
    const batch = await request(api.app).post('/v1/discrepancies/repin').set('Authorization', scoped).send({ caseIds: [other.caseId], version: 1, reason: 'x' });
    expect(batch.body.results).toEqual([{ id: other.caseId, status: 404, detail: `no case ${other.caseId}` }]);
  });

  it('a count task', async () => {
    const ask = { site: other.site, sku: 'SKU-1', location: 'A-01', caseId: other.caseId, reason: 'recount' as const, idempotencyKey: randomUUID() };
    const { taskId } = await createCountTask(api.db, ask);
    await recordCountTask(api.db, taskId, ask);
    await sameAsUnknown((id) => request(api.app).post('/v1/counts').set('Authorization', scoped).send({ taskId: id, countedQty: 1, countedBy: 'u1' }), taskId, `CT-${randomUUID()}`);
  });

  it('an incident', async () => {
    const second = await insertCase(api.db, { report: { site: other.site } });
    const bin = uniq('BIN');
    for (const id of [other.caseId, second.caseId]) await withTransaction(api.db, (c) => joinIncidents(c, id, other.site, [{ kind: 'bin', key: bin }]));
    const { rows } = await api.db.query<{ id: string }>('SELECT id FROM incidents WHERE site = $1', [other.site]);
    expect(rows).toHaveLength(1);
    await sameAsUnknown((id) => request(api.app).get(`/v1/incidents/${id}`).set('Authorization', scoped), rows[0].id, `inc-${randomUUID()}`);
  });

  it('a site asked for by name (live feed, KPIs, notifications)', async () => {
    for (const path of ['/v1/stream?site=', '/v1/kpis?site=', '/v1/notifications?site=']) {
      await sameAsUnknown((site) => request(api.app).get(`${path}${site}`).set('Authorization', scoped), other.site, uniq('DC-NONE'));
    }
  });
});
