import request from 'supertest';
import { reportBody, startApi, type ApiHarness } from './support';

let api: ApiHarness;
let integration: string;
let approver: string;

beforeAll(async () => {
  api = await startApi({ config: { API_BODY_LIMIT: '2kb' } });
  integration = await api.bearer(['integration']);
  approver = await api.bearer(['inventory_control']);
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

/** A 400 problem+json whose `errors` name (at least) these paths. */
function expect400(res: request.Response, paths: string[]) {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const named = (res.body.errors as { path: string; message: string }[]).map((e) => e.path);
  for (const p of paths) expect(named).toContain(p);
  for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
}

const postReport = (body: unknown) => request(api.app).post('/v1/discrepancies').set('Authorization', integration).send(body as object);

describe('POST /v1/discrepancies bodies', () => {
  it('names every missing required field', async () => {
    expect400(await postReport({}), ['body.kind', 'body.site', 'body.sku', 'body.expectedQty', 'body.observedQty', 'body.unitCost', 'body.source']);
  });

  it('names fields of the wrong type', async () => {
    expect400(await postReport(reportBody({ expectedQty: '24' as never, unitCost: null as never })), ['body.expectedQty', 'body.unitCost']);
  });

  it('refuses an unknown kind', async () => {
    expect400(await postReport(reportBody({ kind: 'made_up' as never })), ['body.kind']);
  });

  it('refuses negative quantities where the kind does not allow them (a rule across fields: 422)', async () => {
    const res = await postReport(reportBody({ observedQty: -3 }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'body.observedQty', message: expect.stringMatching(/unless kind is negative_inventory/) }]);
    expect400(await postReport(reportBody({ unitCost: -1 })), ['body.unitCost']);
  });

  it('refuses unknown fields, each by name', async () => {
    expect400(await postReport({ ...reportBody(), colour: 'red', extra: 1 }), ['body.colour', 'body.extra']);
  });

  it('refuses nested problems with their full path', async () => {
    expect400(await postReport(reportBody({ reference: { kind: 'nope' as never, id: '' } })), ['body.reference.kind', 'body.reference.id']);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await request(api.app)
      .post('/v1/discrepancies')
      .set('Authorization', integration)
      .set('Content-Type', 'application/json')
      .send('{"kind": "count_variance",');
    expect400(res, ['body']);
  });

  it('answers a JSON body that is not an object with 400', async () => {
    expect400(await postReport([1, 2, 3]), ['body']);
  });

  it('answers a body that is not JSON with 415 naming the accepted type', async () => {
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Content-Type', 'text/plain').send('kind=count_variance');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['accept-post']).toBe('application/json');
  });

  it('answers a body over the limit with 413 problem+json', async () => {
    const res = await postReport({ ...reportBody(), note: 'x'.repeat(4000) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(413);
  });
});

describe('action bodies', () => {
  const act = (action: string, body: unknown) =>
    request(api.app).post(`/v1/discrepancies/any-case/${action}`).set('Authorization', approver).send(body as object);

  it.each([
    ['approve', {}, ['body.reasonCode']],
    ['approve', { reasonCode: 'OK', adjustQty: 'three' }, ['body.adjustQty']],
    ['approve', { reasonCode: 'has spaces' }, ['body.reasonCode']],
    ['reject', { reasonCode: 'NO_CHANGE' }, ['body.comment']],
    ['recount', { comment: 42 }, ['body.comment']],
    ['assign', { assignee: 7 }, ['body.assignee']],
    ['assign', { assignee: 'u1', extra: true }, ['body.extra']],
    ['comments', { text: '   ' }, ['body.text']],
  ])('%s %j → 400', async (action, body, paths) => {
    expect400(await act(action, body), paths);
  });

  it('refuses an unusable Idempotency-Key', async () => {
    const res = await request(api.app)
      .post('/v1/discrepancies/any-case/comments')
      .set('Authorization', approver)
      .set('Idempotency-Key', 'has spaces in it')
      .send({ text: 'hi' });
    expect400(res, ['header.idempotency-key']);
  });
});

describe('POST /v1/counts bodies', () => {
  const post = (body: unknown) => request(api.app).post('/v1/counts').set('Authorization', integration).send(body as object);

  it('names missing fields', async () => {
    expect400(await post({}), ['body.taskId', 'body.countedQty', 'body.countedBy']);
  });

  it('refuses a negative count and a bad timestamp', async () => {
    expect400(await post({ taskId: 'CT-1', countedQty: -1, countedBy: 'u1', countedAt: 'yesterday' }), ['body.countedQty', 'body.countedAt']);
  });
});

describe('GET /v1/discrepancies query', () => {
  const list = (qs: string) => request(api.app).get(`/v1/discrepancies?${qs}`).set('Authorization', approver);

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['sort=size', 'query.sort'],
    ['status=opened,lost', 'query.status.1'],
    ['severity=urgent', 'query.severity.0'],
    ['breached=maybe', 'query.breached'],
    ['kind=', 'query.kind.0'],
    ['stauts=opened', 'query.stauts'],
    ['cursor=not%20a%20cursor', 'query.cursor'],
    ['limit=1&limit=2', 'query.limit'],
  ])('%s → 400 naming %s', async (qs, path) => {
    expect400(await list(qs), [path]);
  });

  it('a well-formed cursor this API did not issue is 422 naming it', async () => {
    const res = await list('cursor=not-a-cursor');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });
});

describe('paths', () => {
  it('refuses a case id that cannot be one', async () => {
    const res = await request(api.app).get(`/v1/discrepancies/${encodeURIComponent("x' OR 1=1")}`).set('Authorization', approver);
    expect400(res, ['path.id']);
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await request(api.app).get('/v1/elsewhere').set('Authorization', approver);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await request(api.app).get('/nowhere')).status).toBe(404);
  });
});
