import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { answerClientErrors } from '../../src/api/client-errors';
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
