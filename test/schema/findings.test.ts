import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { answerClientErrors } from '../../src/api/client-errors';
import { createApiKey } from '../../src/store/api-key-repo';
import { startEngine } from '../support/engine';
import { reportBody, startApi, uniq, type ApiHarness } from '../api/support';

/**
 * Regression tests for what schemathesis found (schemathesis.test.ts): each was a 5xx, a 4xx
 * that was not problem+json, or input the API accepted but the engine could never process.
 */
let api: ApiHarness;
let admin: string;

beforeAll(async () => {
  api = await startApi();
  admin = await api.bearer(['admin']);
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

function expectFieldErrors(res: request.Response, paths: string[], status = 400) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([...paths].sort());
}

describe('a NUL character (Postgres stores it neither as text nor in jsonb) is a 422 naming the field', () => {
  it('in a report: refused before a case is started, so no case retries its projection forever', async () => {
    const body = reportBody({ sourceEventIds: ['WMS-1', 'WMS\u00002'] });
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', admin).send(body);
    expectFieldErrors(res, ['body.sourceEventIds.1'], 422);
    const rows = await api.db.query('SELECT 1 FROM discrepancies WHERE sku = $1', [body.sku]);
    expect(rows.rowCount).toBe(0);
  });

  it('in an approver action, before the case is looked up', async () => {
    const res = await request(api.app).post(`/v1/discrepancies/${uniq('case')}/comments`).set('Authorization', admin).send({ text: 'count\u0000ed twice' });
    expectFieldErrors(res, ['body.text'], 422);
  });

  it('in a query filter', async () => {
    const res = await request(api.app).get('/v1/discrepancies').query({ sku: 'SKU\u00001' }).set('Authorization', admin);
    expectFieldErrors(res, ['query.sku'], 422);
  });

  it('in one event of a batch: that item is invalid, the others are taken', async () => {
    const site = uniq('DC');
    const event = (over: object) => ({ eventId: uniq('E'), source: 'wms', type: 'count', occurredAt: new Date().toISOString(), site, sku: 'SKU-1', location: 'A-01', qty: 0, ...over });
    const res = await request(api.app).post('/v1/events').set('Authorization', admin).send({ events: [event({ reasonCode: 'BAD\u0000' }), event({})] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['invalid', 'accepted']);
  });

  it('in an object key', async () => {
    const res = await request(api.app).post('/v1/policies').set('Authorization', admin).send({ ['na\u0000me']: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'body.na\\u0000me', message: expect.stringMatching(/NUL/) }]);
  });
});

describe('an event names its site and sku as a case would', () => {
  // a site or sku a report refuses could never become a case: its watchers and detectors would
  // fail later, out of the sender's sight
  it.each([
    ['site', { site: 'DC 1' }],
    ['sku', { sku: 'SKU 1' }],
  ])('an event whose %s has a space is a 400 naming it', async (field, override) => {
    const event = { eventId: uniq('E'), source: 'wms', type: 'count', occurredAt: new Date().toISOString(), site: 'DC1', sku: 'SKU-1', location: 'A-01', qty: 1, ...override };
    const res = await request(api.app).post('/v1/events').set('Authorization', admin).send(event);
    expectFieldErrors(res, [`body.${field}`]);
  });
});

describe("requests Node's HTTP parser refuses are answered with problem+json", () => {
  let server: Server;
  beforeAll(async () => {
    server = answerClientErrors(createServer(api.app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  /** Writes raw bytes and reads the whole answer (the server closes the connection). */
  function raw(bytes: string): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      let data = '';
      socket.on('data', (d) => (data += String(d)));
      socket.on('error', reject);
      socket.on('end', () => {
        const [head, body] = data.split('\r\n\r\n');
        resolve({
          status: Number(head.split(' ')[1]),
          contentType: /content-type: (.*)/i.exec(head)?.[1] ?? '',
          body: JSON.parse(body),
        });
      });
      socket.write(bytes);
    });
  }

  it.each([
    ['headers larger than the server accepts', `GET /v1/discrepancies?sku=${'A'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a request that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
  ])('%s', async (_what, bytes, status) => {
    const res = await raw(bytes);
    expect(res).toEqual({
      status,
      contentType: 'application/problem+json',
      body: { type: expect.stringMatching(/^urn:reckon:problem:/), title: expect.any(String), status, detail: expect.any(String) },
    });
  });
});

describe('what schemathesis found with every check and the stateful phase (the document is the truth)', () => {
  type Op = { parameters?: { name: string; in: string; schema: Record<string, unknown>; style?: string; explode?: boolean }[]; requestBody?: unknown; responses: Record<string, unknown> };
  let spec: { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> } };
  beforeAll(async () => {
    spec = (await request(api.app).get('/openapi.json').expect(200)).body;
  });
  const ops = () => Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

  it('an undeclared method on a known path is 405 with Allow, not 404 or 415', async () => {
    for (const [method, path, allow] of [
      ['trace', '/healthz', 'GET, HEAD'],
      ['post', '/metrics', 'GET, HEAD'],
      ['delete', '/readyz', 'GET, HEAD'],
      ['put', `/v1/discrepancies/${uniq('case')}`, 'GET, HEAD'],
      ['delete', '/v1/policies/active', 'GET, HEAD'],
      ['patch', '/v1/events', 'POST'],
    ] as const) {
      const res = await request(api.app)[method](path).set('Authorization', admin);
      expect({ path, status: res.status, allow: res.headers.allow, type: res.headers['content-type'] }).toEqual({ path, status: 405, allow, type: expect.stringMatching(/^application\/problem\+json/) });
    }
    expect((await request(api.app).get('/v1/nowhere').set('Authorization', admin)).status).toBe(404);
  });

  it('a literal path is not taken for a template: GET /v1/discrepancies/repin is 405 (it takes POST), not "no case repin"', async () => {
    const res = await request(api.app).get('/v1/discrepancies/repin').set('Authorization', admin);
    expect({ status: res.status, allow: res.headers.allow }).toEqual({ status: 405, allow: 'POST' });
  });

  it('OPTIONS lists exactly the methods the document declares for the path', async () => {
    for (const [path, allow] of [
      ['/v1/discrepancies/repin', 'POST, OPTIONS'],
      ['/v1/discrepancies', 'GET, POST, HEAD, OPTIONS'],
      [`/v1/discrepancies/${uniq('case')}/approve`, 'POST, OPTIONS'],
    ]) {
      const res = await request(api.app).options(path).set('Authorization', admin);
      const sorted = (v: string) => v.split(', ').sort().join(', ');
      expect({ path, status: res.status, allow: sorted(res.headers.allow ?? '') }).toEqual({ path, status: 204, allow: sorted(allow) });
    }
  });

  it('a POST without a body (Content-Length: 0) is judged on its fields, not refused as an unknown media type', async () => {
    const res = await request(api.app).post('/v1/counts').set('Authorization', admin).set('Content-Length', '0');
    expectFieldErrors(res, ['body.taskId', 'body.countedQty', 'body.countedBy']);
  });

  it('every operation documents each status it can answer: 431 always; 413 and 415 with a body; 422 with any input', () => {
    for (const { name, op } of ops()) {
      const statuses = Object.keys(op.responses);
      expect({ name, has431: statuses.includes('431') }).toEqual({ name, has431: true });
      if (op.requestBody) expect({ name, statuses: statuses.filter((s) => ['413', '415', '422'].includes(s)) }).toEqual({ name, statuses: ['413', '415', '422'] });
      if (op.parameters?.length || op.requestBody) expect({ name, has422: statuses.includes('422') }).toEqual({ name, has422: true });
    }
  });

  it('list filters are arrays of items with their syntax; path ids and versions state their pattern and bounds', () => {
    for (const { name, op } of ops()) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') expect({ name, p: p.name, schema: p.schema }).toEqual({ name, p: p.name, schema: expect.objectContaining(p.schema.type === 'integer' ? { minimum: 1, maximum: 1_000_000_000 } : { pattern: expect.any(String), maxLength: expect.any(Number) }) });
        if (p.schema.type === 'array') expect({ name, p: p.name, style: p.style, explode: p.explode }).toEqual({ name, p: p.name, style: 'form', explode: false });
      }
    }
    const kpiSite = spec.paths['/v1/kpis'].get.parameters!.find((p) => p.name === 'site')!;
    expect(kpiSite.schema).toEqual(expect.objectContaining({ type: 'array', minItems: 1, maxItems: 50, items: expect.objectContaining({ maxLength: 32, pattern: expect.any(String) }) }));
  });

  it('a schema-valid list filter is taken: a 32-character site, a list of every kind', async () => {
    const res = await request(api.app).get(`/v1/kpis?site=${'S'.repeat(32)}&kind=drift,count_variance`).set('Authorization', admin);
    expect(res.status).toBe(200);
  });

  it('a policy version over the bound is refused as the document says (400), a valid one unknown is 404', async () => {
    expectFieldErrors(await request(api.app).get('/v1/policies/5797132365').set('Authorization', admin), ['path.version']);
    expect((await request(api.app).get('/v1/policies/999999999').set('Authorization', admin)).status).toBe(404);
  });

  it('a well-formed report a rule refuses (quantities that agree) is 422 naming the field, not 400', async () => {
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', admin).send(reportBody({ expectedQty: 5, observedQty: 5 }));
    expectFieldErrors(res, ['body.observedQty'], 422);
  });

  it('an event batch takes any items and answers each (the document does not promise to refuse the batch)', async () => {
    expect(spec.components.schemas.EventBatch.properties.events).toEqual(expect.objectContaining({ type: 'array', minItems: 1, maxItems: 1000, items: expect.not.objectContaining({ $ref: expect.anything() }) }));
    const res = await request(api.app).post('/v1/events').set('Authorization', admin).send({ events: [{ sku: 'not an event' }, 7] });
    expect(res.status).toBe(200);
    expect(res.body.summary.invalid).toBe(2);
  });

  it('an instant with an offset Postgres cannot store is refused before a case starts (it wedged the case’s projection)', async () => {
    const body = reportBody({ detectedAt: '0338-03-07T10:12:47.230+21:28' });
    expectFieldErrors(await request(api.app).post('/v1/discrepancies').set('Authorization', admin).send(body), ['body.detectedAt']);
    expect((await api.db.query('SELECT 1 FROM discrepancies WHERE sku = $1', [body.sku])).rowCount).toBe(0);
  });

  it('a new case answers once it can be read: its links work at once (they answered 404 for a moment)', async () => {
    const e2e = await startEngine();
    try {
      const app = createApp({ temporal: e2e.client, db: e2e.db, redis: api.redis, config: e2e.config, logger: pino({ level: 'silent' }) });
      const { key } = await createApiKey(e2e.db, { userId: uniq('fuzz'), roles: ['admin'], sites: ['*'] });
      const body = reportBody({ kind: 'receiving_variance', location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') }, expectedQty: 100, observedQty: 80 });
      const res = await request(app).post('/v1/discrepancies').set('Authorization', `Bearer ${key}`).send(body).expect(202);
      const read = await request(app).get(res.headers.location).set('Authorization', `Bearer ${key}`);
      expect(read.status).toBe(200);
      const act = await request(app).post(res.body.links.comments).set('Authorization', `Bearer ${key}`).send({ text: 'seen' });
      expect(act.status).not.toBe(404);
    } finally {
      await e2e.stop();
    }
  });
});
